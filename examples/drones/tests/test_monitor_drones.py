"""The drones detector's own tests, written with monitor.testing."""

import monitor_drones
import pytest

from monitor.testing import assert_figures, detect_in_text, scan_text

PLUGINS = [monitor_drones]  # the module itself: no install needed to test it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iran has delivered more than 2,400 Shahed drones to Russia since 2022.",
         [("iran_drones_to_russia", 2400, "more_than")]),
        ("Moscow received between 1,000 and 1,200 drones from Tehran last year.",
         [("iran_drones_to_russia", 1000, "range")]),
        ("Iran has sent Russia some 1,700 Shahed-136 drones, and another 500 this spring.",
         [("iran_drones_to_russia", 1700, "about"), ("iran_drones_to_russia", 500, "exact")]),
        ("Tehran shipped about 6,000 Geran-2 drones to Russia, officials said.",
         [("iran_drones_to_russia", 6000, "about")]),
        # not a delivery count: no Iran, drones launched, a model number, a year
        ("Russia launched 120 drones at Kyiv overnight.", []),
        ("Iran said Russia launched 120 Shahed drones at Kyiv.", []),
        ("Russia now builds the Geran-2 at Alabuga, with Iranian help, since 2023.", []),
    ],
)
def test_finds_iranian_drone_deliveries(text, expected):
    assert_figures(text, expected, plugins=PLUGINS)


def test_range_keeps_its_upper_end_and_sentence():
    text = "Moscow received between 1,000 and 1,200 drones from Tehran in 2023."
    [figure] = detect_in_text(text, plugins=PLUGINS)
    assert (figure.value, figure.value_max, figure.period, figure.detector) == (1000, 1200, "2023", "monitor_drones")
    assert (figure.quote, figure.span) == (text, (16, 39))  # the words "between 1,000 and 1,200"


def test_declares_its_metric():
    [metric] = monitor_drones.register_metrics()
    assert (metric.key, metric.unit) == ("iran_drones_to_russia", "drones")


def test_runs_beside_the_built_in_detectors():
    found = scan_text("Iran sent 400 Shahed drones to Russia. The MSMT reported it.", plugins=PLUGINS)
    assert [f.metric for f in found.figures] == ["iran_drones_to_russia"]
    assert found.failed_plugins == ()


def test_a_monitor_check_finds_it_through_its_entry_point(tmp_path, monitor_feed_server, monitor_db):
    """The whole pipeline with the installed package, on the fixtures monitor ships."""
    from datetime import UTC, datetime

    from monitor.config import load_config
    from monitor.pipeline import check_once
    from monitor.testing import write_config

    monitor_feed_server.add_article("Drones for Moscow",
                                    ["Iran has delivered more than 2,400 Shahed drones to Russia."])
    config = load_config(write_config(tmp_path, feeds=[monitor_feed_server.feed_url()]))
    outcome = check_once(config, now=datetime.now(UTC))
    assert outcome.exit_code == 0, outcome.problems
    rows = monitor_db.query("SELECT metric, value, qualifier, detector FROM figures WHERE metric = ?",
                            ["iran_drones_to_russia"])
    assert list(rows) == [
        {"metric": "iran_drones_to_russia", "value": 2400, "qualifier": "more_than", "detector": "drones"}
    ]
