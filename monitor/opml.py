"""OPML, the feed list every feed reader imports and exports: parsed and written here, purely.

``parse_opml`` reads OPML 1.0/2.0 as feed readers write it: outlines nested by
category at any depth, a feed being any outline with an ``xmlUrl``, named by its
``title`` or ``text``. It uses expat directly and refuses any DOCTYPE or entity
declaration, so an OPML file cannot expand entities or reach outside itself.
``render_opml`` writes OPML 2.0. No I/O here: bytes in, records out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from .config import FeedConfig
from .errors import OPMLError


@dataclass(frozen=True, slots=True, kw_only=True)
class OutlineFeed:
    """One feed found in an OPML file; ``category`` is its parent outlines' names, joined by "/"."""

    url: str
    title: str = ""
    category: str = ""


def parse_opml(data: bytes, *, label: str = "OPML file") -> list[OutlineFeed]:
    """Every feed outline in ``data``, in document order, duplicates (same URL) dropped."""
    found: list[OutlineFeed] = []
    seen: set[str] = set()
    path: list[str | None] = []  # per open outline: its name if it is a category, None if a feed
    root: list[str] = []

    def refuse(*_: object) -> None:
        raise OPMLError(f"{label}: DOCTYPE and entity declarations are refused in OPML")

    def start(name: str, attrs: dict[str, str]) -> None:
        if not root:
            root.append(name)
            if name.lower() != "opml":
                raise OPMLError(f"{label}: not OPML (the root element is <{name}>, not <opml>)")
        if name != "outline":
            return
        url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        title = _one_line(attrs.get("title") or attrs.get("text") or "")
        if not url:
            path.append(title)
            return
        path.append(None)
        if url not in seen:
            seen.add(url)
            found.append(OutlineFeed(url=url, title=title, category="/".join(p for p in path if p)))

    def end(name: str) -> None:
        if name == "outline" and path:
            path.pop()

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise OPMLError(f"{label}: not well-formed XML: {exc}") from None
    if not root:
        raise OPMLError(f"{label}: empty file")
    return found


def render_opml(feeds: Iterable[FeedConfig], *, title: str, now: datetime) -> str:
    """An OPML 2.0 document listing ``feeds`` (RSS outlines with ``text``, ``title`` and ``xmlUrl``)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{format_datetime(now)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        name = feed.name or feed.url
        lines.append(f'    <outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
                     f"xmlUrl={quoteattr(feed.url)}/>")
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
