"""The records that flow between the stages: plain frozen dataclasses.

No stage passes a dict to another; ``dataclasses.asdict`` is used only at the
edges (the store and ``--json``). Closed sets are ``StrEnum`` so that they go
into SQLite and JSON as their string values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Qualifier(enum.StrEnum):
    """How a figure's value is hedged in its sentence (see FIGURES.md)."""

    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    UP_TO = "up_to"
    RANGE = "range"


class Status(enum.StrEnum):
    """A figure compared with what was known before."""

    KNOWN = "known"
    CHANGED = "changed"
    NEW = "new"


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """One key of the metric vocabulary, declared by a plugin."""

    key: str
    unit: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One article's text and metadata, as the detectors see it."""

    url: str
    text: str
    title: str = ""
    published: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    feed_url: str | None = None
    entry_key: str | None = None
    #: "page" (extracted from the fetched page), "summary" (the feed entry's
    #: summary, because the page could not be fetched or gave no text) or
    #: "file" (read by ``monitor scan``).
    extracted_from: str = "page"


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """An entity named in an article, with how many times it was named."""

    entity: str
    count: int
    detector: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One number an article reports for one metric (FIGURES.md).

    ``span`` is where the number's own words sit inside ``quote`` (start, end),
    so that a digest can highlight them; it is not part of the JSON output.
    """

    metric: str
    value: int | float
    value_max: int | float | None = None
    qualifier: Qualifier = Qualifier.EXACT
    increment: bool = False
    period: str | None = None
    quote: str = ""
    detector: str = ""
    span: tuple[int, int] | None = field(default=None, compare=False)

    def tagged(self, detector: str) -> Figure:
        """This figure as found by ``detector``: ``dataclasses.replace(self, detector=detector)``,
        spelled out, as the host tags every figure of every article with its plugin and a replace
        reads the fields anew each time (``tests/test_plugins.py`` checks that it keeps every field)."""
        return Figure(
            metric=self.metric, value=self.value, value_max=self.value_max, qualifier=self.qualifier,
            increment=self.increment, period=self.period, quote=self.quote, detector=detector, span=self.span,
        )

    def as_json(self) -> dict[str, object]:
        """The figure in the shape of ``monitor scan --json``."""
        return {
            "metric": self.metric,
            "value": self.value,
            "value_max": self.value_max,
            "qualifier": str(self.qualifier),
            "increment": self.increment,
            "period": self.period,
            "quote": self.quote,
            "detector": self.detector,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    """Everything the detectors found in one article."""

    figures: tuple[Figure, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: names of the plugins that raised on this article
    failed_plugins: tuple[str, ...] = ()

    def mention_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mention in self.mentions:
            counts[mention.entity] = counts.get(mention.entity, 0) + mention.count
        return counts


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    """What the store remembers about one feed between polls."""

    url: str
    name: str = ""
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: datetime | None = None
    last_success: datetime | None = None
    last_status: str | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    failing_since: datetime | None = None
    next_due: datetime | None = None
    disabled: bool = False
    articles: int = 0
    errors: int = 0
    #: entries over ``fetch.max_entries_per_feed`` at the last poll, not read
    skipped_entries: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """A new or changed figure value, raised once per (metric, value, value_max)."""

    id: int
    metric: str
    value: int | float
    value_max: int | float | None
    increment: bool
    status: Status
    qualifier: Qualifier
    period: str | None
    quote: str
    span: tuple[int, int] | None
    url: str
    title: str
    published: datetime | None
    created_at: datetime
    detector: str = ""
    #: how far the value moved from the nearest known one (0.25 = 25 %); None for a new metric
    significance: float | None = None
    feed: str = ""
    #: where the article's text came from (``Article.extracted_from``): "summary" when the page
    #: could not be fetched or read and the feed entry's summary stood in for it
    extracted_from: str = "page"
    #: the values known for the metric before this alert (baseline and earlier sightings)
    known_before: tuple[KnownValue, ...] = ()
    #: every distinct source that reported this value, the first one included
    corroborations: tuple[Corroboration, ...] = ()
    #: the delivery state per channel
    deliveries: tuple[DeliveryState, ...] = ()

    @property
    def domains(self) -> tuple[str, ...]:
        """The distinct source domains that reported this value, in order of sighting."""
        return tuple(dict.fromkeys(c.domain for c in self.corroborations))


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownValue:
    """A value known for a metric before a figure was compared: from the baseline or seen since."""

    metric: str
    value: int | float
    value_max: int | float | None = None
    increment: bool = False
    qualifier: Qualifier = Qualifier.EXACT
    period: str | None = None
    #: a seed file name ("seed:000_….txt") or an article URL
    source: str = ""
    quote: str = ""
    from_baseline: bool = False
    #: the alert raised for this value, when it raised one
    alert_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Corroboration:
    """One source that reported an alert's value."""

    domain: str
    url: str
    title: str = ""
    published: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryState:
    """Where one alert stands on one channel."""

    channel: str
    status: str  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """One rendered digest, as every channel receives it.

    ``key`` is a hash of the channel and the alert ids it holds: the same digest
    retried gets the same key (and the same email Message-ID).
    """

    key: str
    channel: str
    created_at: datetime
    subject: str
    markdown: str
    html: str
    text: str
    alerts: tuple[Alert, ...] = ()
    failing_feeds: tuple[FeedState, ...] = ()

    def body(self, fmt: str) -> str:
        """The body in ``fmt``: markdown, html or text."""
        return {"markdown": self.markdown, "html": self.html, "text": self.text}[fmt]


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """A way to deliver digests, returned by the ``register_channels`` hook.

    ``deliver(digest, config)`` sends one digest and returns a short note for the
    log (a path, "2 recipients"), or raises ``DeliveryError`` (any exception counts
    as a failure); the digest's alerts are marked sent on this channel only when
    it returns.
    """

    name: str
    deliver: Callable[[Digest, Any], str | None]
    description: str = ""
