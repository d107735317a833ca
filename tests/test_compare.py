"""Compare: known, changed or new, against the baseline and everything seen since."""

from __future__ import annotations

import pytest

from monitor.compare import classify_figure, same_number
from monitor.records import Figure, KnownValue, Status

BASELINE = [
    KnownValue(metric="dprk_troops_to_russia", value=11000, source="seed:001.txt", from_baseline=True),
    KnownValue(metric="dprk_troops_to_russia", value=3000, increment=True, source="seed:001.txt",
               from_baseline=True),
    KnownValue(metric="dprk_casualties", value=4700, source="seed:000.txt", from_baseline=True),
]


def status_of(figure: Figure, known=BASELINE) -> Status:
    return classify_figure(figure, known).status


@pytest.mark.parametrize(("value", "value_max", "expected"), [
    (11000, None, Status.KNOWN),
    (11050, None, Status.KNOWN),      # within 0.5 %
    (10945, None, Status.KNOWN),
    (11060, None, Status.CHANGED),    # just over 0.5 %
    (15000, None, Status.CHANGED),
    (11000, 12000, Status.CHANGED),   # a range is not the single value
])
def test_a_total_is_known_within_half_a_percent_with_the_same_range(value, value_max, expected):
    assert status_of(Figure(metric="dprk_troops_to_russia", value=value, value_max=value_max)) == expected


def test_a_metric_never_seen_is_new():
    comparison = classify_figure(Figure(metric="pantsir_to_dprk", value=2), BASELINE)
    assert comparison.status == Status.NEW and comparison.significance is None


def test_increments_are_compared_with_increments_only():
    assert status_of(Figure(metric="dprk_troops_to_russia", value=3000, increment=True)) == Status.KNOWN
    # 3,000 as a total is not the known increment, and 11,000 as an increment is not the known total
    assert status_of(Figure(metric="dprk_troops_to_russia", value=3000)) == Status.CHANGED
    assert status_of(Figure(metric="dprk_troops_to_russia", value=11000, increment=True)) == Status.CHANGED


def test_a_value_seen_since_the_baseline_is_known_and_points_at_its_alert():
    seen = KnownValue(metric="dprk_troops_to_russia", value=15000, source="https://a.example/1", alert_id=7)
    comparison = classify_figure(Figure(metric="dprk_troops_to_russia", value=15000), [*BASELINE, seen])
    assert comparison.status == Status.KNOWN and comparison.match == seen


def test_significance_is_the_distance_to_the_nearest_known_value_of_the_same_kind():
    comparison = classify_figure(Figure(metric="dprk_casualties", value=6110), BASELINE)
    assert comparison.status == Status.CHANGED and comparison.significance == pytest.approx(0.3)


def test_same_number_treats_missing_upper_ends_as_equal_only_to_each_other():
    assert same_number(None, None) and not same_number(None, 5) and same_number(0, 0)
