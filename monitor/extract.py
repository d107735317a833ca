"""Extract stage: trafilatura turns a page's bytes into an article's text and metadata.

The page is handed over as bytes after HTTP decompression, so trafilatura's
charset sniffing works (``response.text`` guesses worse). This module does no
I/O and is the only one that imports trafilatura.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from .errors import ExtractError
from .records import Article

log = logging.getLogger(__name__)

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)


def looks_binary(body: bytes) -> bool:
    """True when ``body`` starts like compressed or binary data rather than text.

    trafilatura inflates gzip, zstd, brotli and zlib bodies it recognises, up to
    its own 20 MB cap; a page is only ever handed over decoded, so a body that is
    still compressed (or an image, or a PDF) is refused before it gets there.
    """
    head = body[:2048]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte order mark
        return False
    if head.startswith((b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"%PDF")):
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls > len(head) // 20


def extract_page(body: bytes, *, url: str, fallback_title: str = "") -> Article:
    """The article in ``body`` (HTML bytes); ``ExtractError`` when it yields no text."""
    if looks_binary(body):
        raise ExtractError(f"{url}: the page is binary or compressed data, not HTML (refused)")
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            body, url=url, with_metadata=True, include_comments=False, include_tables=True,
            fast=True,  # no fallback extractors: 17 % faster, same body F1 on the corpus (benchmarks/results.md)
        )
    except Exception as exc:  # trafilatura raises assorted lxml/ValueError types on junk
        raise ExtractError(f"{url}: extraction failed: {exc.__class__.__name__}: {exc}") from exc
    text = (document.text or "").strip() if document is not None else ""
    if not text:
        raise ExtractError(f"{url}: the page yields no article text")
    canonical = document.url if document.url and document.url.startswith(("http://", "https://")) else None
    return Article(
        url=url,
        text=text,
        title=(document.title or fallback_title or "").strip(),
        published=parse_date(document.date),
        language=document.language or page_language(body),
        canonical_url=canonical,
        extracted_from="page",
    )


def page_language(body: bytes) -> str | None:
    """The two- or three-letter code of ``<html lang>``, if the page declares one."""
    match = _HTML_LANG.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from trafilatura's ``YYYY-MM-DD``, or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
