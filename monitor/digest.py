"""Digest stage: render pending alerts as markdown, HTML and plain text with jinja2.

Pure: alerts, failing feeds and the metric vocabulary in, a ``Digest`` (subject
and three bodies) out; no database, no network. The only home of jinja2.

Everything that comes from a feed is hostile until shown otherwise: HTML is
autoescaped (``select_autoescape``; nothing from a feed is marked safe), links
are kept only when they are http(s), titles are collapsed to one line, and the
markdown body escapes the characters that would make links, images or HTML.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from .compare import relative_change, significance_order
from .records import Alert, Digest, FeedState, KnownValue, Metric, Qualifier, Status

if TYPE_CHECKING:
    import jinja2

FORMATS = {"markdown": "digest.md.j2", "html": "digest.html.j2", "text": "digest.txt.j2"}
SUBJECT_TEMPLATE = "subject.txt.j2"
MAX_SUBJECT = 180

QUALIFIER_WORDS = {
    Qualifier.EXACT: "",
    Qualifier.ABOUT: "about",
    Qualifier.AT_LEAST: "at least",
    Qualifier.MORE_THAN: "more than",
    Qualifier.UP_TO: "up to",
    Qualifier.RANGE: "",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|~!{}])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\s]+")


# --- small pure helpers (also the templates' filters) ---------------------------


def one_line(text: str | None) -> str:
    """``text`` with every run of whitespace and control characters (CR, LF…) made one space."""
    return _CONTROL.sub(" ", text or "").strip()


def escape_markdown(text: str | None) -> str:
    """``text`` safe inside markdown: one line (edge spaces kept), special characters backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", text or ""))


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link with a host and no whitespace, else None."""
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def markdown_url(url: str) -> str:
    """``url`` with the characters that would end a markdown link percent-encoded."""
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def format_number(value: float | None) -> str:
    """``15000`` → ``15,000``; ``1.5`` → ``1.5``."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def value_text(value: float, value_max: float | None, qualifier: Qualifier | str) -> str:
    """The value as a reader says it: "more than 11,000", "10,000–12,000"."""
    amount = format_number(value) + (f"–{format_number(value_max)}" if value_max is not None else "")
    words = QUALIFIER_WORDS.get(Qualifier(qualifier), "")
    return f"{words} {amount}".strip()


def digest_key(channel: str, alert_ids: Sequence[int], *, extra: str = "") -> str:
    """A deterministic key for the digest of ``alert_ids`` on ``channel``."""
    ids = ",".join(str(i) for i in sorted(alert_ids))
    return hashlib.sha256(f"{channel}|{ids}|{extra}".encode()).hexdigest()[:32]


# --- what the templates see ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteView:
    before: str
    figure: str
    after: str


@dataclass(frozen=True, slots=True)
class KnownView:
    value: str
    period: str
    kind: str  # "baseline" or "seen"
    source: str
    link: str | None


@dataclass(frozen=True, slots=True)
class SourceView:
    domain: str
    link: str | None
    title: str


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    status: str
    value: str
    increment: bool
    period: str
    change: str
    title: str
    link: str | None
    published: str
    feed: str
    quote: QuoteView
    known: tuple[KnownView, ...]
    sources: tuple[SourceView, ...]
    #: the article's text is the feed entry's summary: the page could not be fetched or read
    from_summary: bool = False


@dataclass(frozen=True, slots=True)
class GroupView:
    metric: str
    description: str
    unit: str
    alerts: tuple[AlertView, ...]


@dataclass(frozen=True, slots=True)
class FeedView:
    name: str
    link: str | None
    error: str
    since: str
    failures: int


@dataclass(frozen=True, slots=True)
class TruncatedView:
    name: str
    link: str | None
    skipped: str


def _quote_view(alert: Alert) -> QuoteView:
    quote = alert.quote or ""
    if alert.span and 0 <= alert.span[0] < alert.span[1] <= len(quote):
        start, end = alert.span
        return QuoteView(one_line(quote[:start]) + (" " if quote[:start][-1:].isspace() else ""),
                         one_line(quote[start:end]),
                         (" " if quote[end:end + 1].isspace() else "") + one_line(quote[end:]))
    return QuoteView(one_line(quote), "", "")


def _known_view(known: KnownValue) -> KnownView:
    source = known.source.removeprefix("seed:") if known.from_baseline else known.source
    text = value_text(known.value, known.value_max, known.qualifier)
    if known.increment:
        text += " more (increment)"
    return KnownView(value=text, period=one_line(known.period), kind="baseline" if known.from_baseline else "seen",
                     source=one_line(source), link=None if known.from_baseline else safe_url(known.source))


def _change_text(alert: Alert) -> str:
    if alert.status == Status.NEW:
        return "new metric: never reported before"
    same_kind = [k for k in alert.known_before if k.increment == alert.increment] or list(alert.known_before)
    if not same_kind:
        return "changed"
    nearest = min(same_kind, key=lambda k: relative_change(alert.value, k.value))
    percent = (alert.value - nearest.value) / nearest.value * 100 if nearest.value else 0.0
    return f"changed: {percent:+.0f} % from {format_number(nearest.value)}"


def _alert_view(alert: Alert, zone: ZoneInfo) -> AlertView:
    sources = []
    for corroboration in alert.corroborations:
        if corroboration.domain not in {s.domain for s in sources}:
            sources.append(SourceView(domain=one_line(corroboration.domain), link=safe_url(corroboration.url),
                                      title=one_line(corroboration.title)))
    return AlertView(
        id=alert.id, status=str(alert.status), value=value_text(alert.value, alert.value_max, alert.qualifier),
        increment=alert.increment, period=one_line(alert.period), change=_change_text(alert),
        title=one_line(alert.title) or "(untitled)", link=safe_url(alert.url),
        published=_when(alert.published, zone), feed=one_line(alert.feed), quote=_quote_view(alert),
        known=tuple(_known_view(k) for k in alert.known_before), sources=tuple(sources),
        from_summary=alert.extracted_from == "summary",
    )


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def group_alerts(alerts: Sequence[Alert], metrics: dict[str, Metric]) -> list[tuple[str, list[Alert]]]:
    """Alerts grouped by metric, the group with the most significant change first."""
    groups: dict[str, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (significance_order(a.status, a.significance), a.id)):
        groups.setdefault(alert.metric, []).append(alert)
    return list(groups.items())


def summary_line(alerts: Sequence[Alert], failing: Sequence[FeedState], *, named: int | None = None) -> str:
    """One line: how many alerts, the top value of each metric, and failing feeds.

    The alerts not named (the others of a metric; the metrics past ``named``) are
    counted: "9 alerts: fuel_to_dprk 1,000 (new); dprk_troops_to_russia 15,000; and 7 more".
    """
    parts = []
    for metric, group in group_alerts(alerts, {})[:named]:
        top = group[0]
        parts.append(f"{metric} {value_text(top.value, top.value_max, top.qualifier)}"
                     + (" (new)" if top.status == Status.NEW else ""))
    if parts and len(alerts) > len(parts):
        parts.append(f"and {len(alerts) - len(parts):,} more")
    line = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}" + (": " + "; ".join(parts) if parts else "")
    if failing:
        line += f"; {len(failing)} feed{'s' if len(failing) != 1 else ''} failing"
    return one_line(line)


# --- rendering -----------------------------------------------------------------


def make_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The jinja2 environment: a user's ``templates_dir`` first, then the shipped templates."""
    import jinja2  # here, not at the top: a run with nothing to deliver never renders

    shipped = Path(str(importlib.resources.files("monitor._templates")))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(shipped))]
    if templates_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(templates_dir)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["md"] = escape_markdown
    env.filters["md_url"] = markdown_url
    env.filters["one_line"] = one_line
    env.filters["mark"] = _mark_html
    return env


def _mark_html(quote: QuoteView) -> Markup:
    """The quote as HTML with the figure in <mark>; every part escaped."""
    if not quote.figure:
        return escape(quote.before)
    return Markup('{}<mark style="background:#ffe58a;padding:0 2px;font-weight:bold">{}</mark>{}').format(
        quote.before, quote.figure, quote.after)


def render_digest(alerts: Sequence[Alert], *, failing_feeds: Sequence[FeedState] = (),
                  truncated_feeds: Sequence[FeedState] = (), metrics: dict[str, Metric] | None = None, now: datetime, timezone: str = "UTC",
                  templates_dir: Path | None = None, channel: str = "preview", key: str | None = None) -> Digest:
    """The digest of ``alerts`` (and failing feeds) in every format, with its subject."""
    metrics = metrics or {}
    zone = ZoneInfo(timezone)
    groups = tuple(
        GroupView(metric=metric, description=one_line(metrics[metric].description) if metric in metrics else "",
                  unit=one_line(metrics[metric].unit) if metric in metrics else "",
                  alerts=tuple(_alert_view(a, zone) for a in group))
        for metric, group in group_alerts(alerts, metrics)
    )
    feeds = tuple(
        FeedView(name=one_line(f.name or f.url), link=safe_url(f.url), error=one_line(f.last_error),
                 since=_when(f.failing_since, zone), failures=f.consecutive_failures)
        for f in failing_feeds
    )
    truncated = tuple(
        TruncatedView(name=one_line(f.name or f.url), link=safe_url(f.url), skipped=f"{f.skipped_entries:,}")
        for f in truncated_feeds
    )
    summary = summary_line(alerts, failing_feeds)
    context = {"summary": summary, "groups": groups, "feeds": feeds, "truncated": truncated,
               "generated": _when(now, zone),
               "alert_count": len(alerts)}
    env = make_environment(templates_dir)
    bodies = {fmt: env.get_template(name).render(context) for fmt, name in FORMATS.items()}
    subject = one_line(env.get_template(SUBJECT_TEMPLATE).render(context))
    for named in range(len(groups) - 1, 0, -1):  # too long: name fewer metrics, count the rest
        if len(subject) <= MAX_SUBJECT:
            break
        shorter = {**context, "summary": summary_line(alerts, failing_feeds, named=named)}
        subject = one_line(env.get_template(SUBJECT_TEMPLATE).render(shorter))
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1].rstrip() + "…"
    return Digest(key=key or digest_key(channel, [a.id for a in alerts]), channel=channel, created_at=now,
                  subject=subject, markdown=bodies["markdown"], html=bodies["html"], text=bodies["text"],
                  alerts=tuple(alerts), failing_feeds=tuple(failing_feeds))
