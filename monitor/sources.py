"""Sources stage: turn a feed's fetched bytes into entries.

feedparser parses RSS and Atom (JSON Feed is read with the json module). A
feed that is not well-formed but still yields entries is used, with its problem
logged; one that yields nothing is a ``FeedError`` for that feed only. Entity
declarations are dropped before parsing, so no entity-expansion attack reaches
the XML parser. This is the only module that imports feedparser.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .errors import FeedError, SetupError
from .wording import plural

log = logging.getLogger(__name__)

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_TAG = re.compile(r"<[^<>]+>")  # not "[^>]+": "<a <a <a ..." with no ">" would cost the square of its length
#: code and style sheets in a feed's HTML: their text is no part of what the entry says
_NOT_TEXT = re.compile(r"<(script|style)(?=[\s>/])[^<>]*(?:>.*?(?:</\1\s*>|$)|$)|<!--.*?(?:-->|$)",
                       re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|ocid$|cmpid$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """One entry of a feed, reduced to what the pipeline needs."""

    key: str
    link: str | None
    title: str
    summary: str
    published: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFeed:
    """A feed's title, its entries (up to the cap), and what was wrong with it."""

    title: str
    entries: tuple[FeedEntry, ...]
    skipped: int = 0
    problem: str | None = None


def canonical_link(url: str) -> str:
    """``url`` without fragment and tracking parameters, scheme and host lower-cased."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment from a feed (tags dropped, entities decoded)."""
    text = _TAG.sub(" ", _NOT_TEXT.sub(" ", fragment).replace("</p>", "\n").replace("<br", "\n<br"))
    return "\n".join(_SPACE.sub(" ", line).strip() for line in html.unescape(text).splitlines()).strip()


def strip_doctype(body: bytes) -> bytes:
    """``body`` without any DOCTYPE that declares entities (billion laughs, XXE)."""
    if not _ENTITY.search(body) and b"<!DOCTYPE" not in body[:4096].upper():
        return body
    return _DOCTYPE.sub(b"", body, count=1)


def declares_entities(body: bytes) -> bool:
    """True when ``body`` still declares an XML entity anywhere before its root element.

    Entities can only be declared in the prolog, but the prolog may be padded
    with comments past any fixed window, so the search runs up to the first
    element (or over the whole body when a comment or DOCTYPE hides it).
    """
    match = _PROLOG.match(body)
    end = match.end() if match else 0
    if body[end:end + 2] == b"<!":  # a DOCTYPE or declaration the prolog pattern could not skip
        end = len(body)
    return _ENTITY.search(body, 0, end) is not None


MIN_EXPAT = (2, 4, 0)


def check_xml_parser(version: str | None = None) -> None:
    """``SetupError`` unless expat is at least 2.4 (its entity amplification limit)."""
    import pyexpat

    text = version or pyexpat.EXPAT_VERSION
    numbers = tuple(int(part) for part in re.findall(r"\d+", text)[:3])
    if numbers < MIN_EXPAT:
        raise SetupError(
            f"the XML parser is {text}; monitor needs expat 2.4.0 or later, which limits entity "
            "expansion (update the system's libexpat or the Python build)"
        )


def parse_feed(body: bytes, *, url: str, content_type: str = "", content_location: str | None = None,
               max_entries: int = 200) -> ParsedFeed:
    """The entries of the feed in ``body``; ``FeedError`` when it is not a feed with entries."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError(url, "not a feed (empty response)")
    if stripped.startswith(b"{") or "json" in content_type.lower():
        return _parse_json_feed(stripped, url=url, max_entries=max_entries)
    body = strip_doctype(body)
    if declares_entities(body):
        raise FeedError(url, "refused: the feed declares XML entities (entity expansion attack?)")
    import feedparser

    headers = {"content-type": content_type or "application/xml"}
    if content_location:
        headers["content-location"] = content_location
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    problem = None
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        problem = f"{exc.__class__.__name__}: {exc}" if exc else "not well-formed"
    raw_entries = parsed.entries
    if not raw_entries and (parsed.bozo or not parsed.get("version")):
        what = "not a feed" if not parsed.get("version") else "broken feed with no entries"
        raise FeedError(url, f"{what} ({problem or 'no RSS or Atom found'})")
    base = urljoin(url, content_location) if content_location else url  # a relative one names a place on the feed's site
    dates = [_published(raw) for raw in raw_entries]
    entries = [_entry(raw_entries[i], base=base, published=dates[i]) for i in _newest(dates, max_entries)]
    if problem:
        log.warning("feed %s is not well-formed but yields %s: %s", url, plural(len(raw_entries), "entry", "entries"),
                    problem)
    title = html_to_text(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    return ParsedFeed(title=title, entries=tuple(entries), skipped=max(0, len(raw_entries) - max_entries),
                      problem=problem)


def _newest(dates: list[datetime | None], limit: int) -> list[int]:
    """Where the ``limit`` newest entries are, by their ``dates``, in feed order.

    A feed over the cap keeps its newest entries whichever order it lists them in (some list
    oldest first). Undated entries rank after dated ones, in feed order; a feed within the
    cap is kept whole.
    """
    if len(dates) <= limit:
        return list(range(len(dates)))
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(range(len(dates)), key=lambda i: (dates[i] is not None, dates[i] or oldest, -i), reverse=True)
    return sorted(ranked[:limit])


def _entry(raw, *, base: str, published: datetime | None) -> FeedEntry:
    link = raw.get("link") or None
    if link:
        link = urljoin(base, link.strip())
        if not link.lower().startswith(("http://", "https://")):
            link = None
    guid = (raw.get("id") or "").strip()
    title = _SPACE.sub(" ", html_to_text(raw.get("title", ""))).strip()
    summary = ""
    for content in raw.get("content") or []:
        summary = html_to_text(content.get("value", ""))
        if summary:
            break
    summary = summary or html_to_text(raw.get("summary", ""))
    return FeedEntry(key=entry_key(link, guid, title), link=link, title=title, summary=summary,
                     published=published)


def entry_key(link: str | None, guid: str, title: str) -> str:
    """The identity of an entry: its canonical link, else its guid, else a hash of its title."""
    if link:
        return canonical_link(link)
    if guid:
        return f"guid:{guid}"
    return "title:" + hashlib.sha256(title.casefold().encode()).hexdigest()[:32]


def _published(raw) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = raw.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError):
                return None
    return None


def _json_published(item: object) -> datetime | None:
    if not isinstance(item, dict) or not isinstance(item.get("date_published"), str):
        return None
    try:
        return datetime.fromisoformat(item["date_published"].replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _parse_json_feed(body: bytes, *, url: str, max_entries: int) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except ValueError as exc:
        raise FeedError(url, f"not a feed (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedError(url, "not a feed (JSON without an items list)")
    entries = []
    items = document["items"]
    dates = [_json_published(item) for item in items]
    for index in _newest(dates, max_entries):
        item = items[index]
        if not isinstance(item, dict):
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else None
        if link and not link.lower().startswith(("http://", "https://")):
            link = None
        title = _SPACE.sub(" ", html_to_text(str(item.get("title") or ""))).strip()
        summary = str(item.get("content_text") or "") or html_to_text(str(item.get("content_html") or "")) \
            or str(item.get("summary") or "")
        entries.append(FeedEntry(key=entry_key(link, str(item.get("id") or ""), title), link=link,
                                 title=title, summary=summary, published=dates[index]))
    return ParsedFeed(title=str(document.get("title") or ""), entries=tuple(entries),
                      skipped=max(0, len(document["items"]) - max_entries))
