"""Compare stage: is a figure known, changed or new for its metric?

Pure: a figure and the values known for its metric in, a ``Comparison`` out; no
I/O. The store calls it inside the transaction that saves the article, so an
article is never stored without the alerts it raises.

- ``known``: the value (within ``TOLERANCE``) and the range's upper end match a
  baseline value or one seen before for the metric;
- ``changed``: the metric is known, with other values;
- ``new``: the metric was never seen.

An increment ("another 3,000") is compared only with the increments known for
its metric, and a total only with totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .records import Figure, KnownValue, Status

#: relative difference under which two values are the same figure (0.5 %)
TOLERANCE = 0.005


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """The verdict on one figure, with the value that decided it."""

    status: Status
    #: the known value it matches (for ``known``)
    match: KnownValue | None = None
    #: relative distance to the nearest known value of the same kind; None for ``new``
    significance: float | None = None


def same_number(a: float | None, b: float | None) -> bool:
    """True when both are None, or they differ by at most ``TOLERANCE`` of the larger."""
    if a is None or b is None:
        return a is None and b is None
    scale = max(abs(a), abs(b))
    return scale == 0 or abs(a - b) <= TOLERANCE * scale


def matches(figure: Figure, known: KnownValue) -> bool:
    """True when ``known`` is the same value, range and kind (total or increment) as ``figure``."""
    return (
        known.metric == figure.metric
        and known.increment == figure.increment
        and same_number(known.value, figure.value)
        and same_number(known.value_max, figure.value_max)
    )


def relative_change(value: float, known: float) -> float:
    """How far ``value`` lies from ``known``, as a fraction of ``known`` (inf from zero)."""
    if known == 0:
        return 0.0 if value == 0 else float("inf")
    return abs(value - known) / abs(known)


def classify_figure(figure: Figure, known_values: Iterable[KnownValue]) -> Comparison:
    """Classify ``figure`` against the values known for its metric.

    A match with an earlier sighting that raised an alert is preferred over one
    with the baseline, so that a repeated value corroborates its alert.
    """
    same_metric = [k for k in known_values if k.metric == figure.metric]
    if not same_metric:
        return Comparison(status=Status.NEW)
    found = [k for k in same_metric if matches(figure, k)]
    if found:
        found.sort(key=lambda k: (k.alert_id is None, not k.from_baseline))
        return Comparison(status=Status.KNOWN, match=found[0], significance=0.0)
    same_kind = [k for k in same_metric if k.increment == figure.increment] or same_metric
    nearest = min(relative_change(figure.value, k.value) for k in same_kind)
    return Comparison(status=Status.CHANGED, significance=nearest)


def significance_order(status: Status, significance: float | None) -> tuple[int, float]:
    """A sort key putting the most significant alerts first: new metrics, then the largest moves."""
    if status == Status.NEW or significance is None:
        return (0, 0.0)
    return (1, -significance)
