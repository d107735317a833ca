"""``monitor scan``: read local files as articles and show what the detectors found.

A ``.txt`` file is already text; any other file is treated as an HTML page and
extracted. No network, no database.
"""

from __future__ import annotations

from pathlib import Path

from .errors import MonitorError
from .records import Article, Detection


def read_document(path: Path) -> Article:
    """The article in a local file: text as is, HTML through the extractor."""
    url = path.resolve().as_uri()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MonitorError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix.lower() in (".txt", ".text", ".md"):
        return Article(url=url, text=raw.decode("utf-8", errors="replace"), extracted_from="file")
    from .extract import extract_page

    article = extract_page(raw, url=url)
    title_in_text = article.title and article.text.startswith(article.title)
    text = article.text if title_in_text or not article.title else f"{article.title}\n{article.text}"
    return Article(url=url, text=text, title=article.title, published=article.published,
                   language=article.language, extracted_from="file")


def format_detection(source: str, found: Detection, *, color: bool = False) -> str:
    """A readable block per file: mentions, then each figure with its sentence marked."""
    lines = [f"== {source}"]
    counts = found.mention_counts()
    lines.append("mentions: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
    if not found.figures:
        lines.append("figures: none")
    for figure in found.figures:
        value = f"{figure.value:,}" + (f"-{figure.value_max:,}" if figure.value_max is not None else "")
        extras = [str(figure.qualifier)]
        if figure.increment:
            extras.append("increment")
        if figure.period:
            extras.append(f"period {figure.period}")
        lines.append(f"- {figure.metric} = {value} ({', '.join(extras)}) [{figure.detector}]")
        lines.append(f"    {mark_span(figure.quote, figure.span, color=color)}")
    if found.failed_plugins:
        lines.append("failed plugins: " + ", ".join(found.failed_plugins))
    return "\n".join(lines)


def mark_span(quote: str, span: tuple[int, int] | None, *, color: bool = False) -> str:
    """``quote`` with the figure's words marked: >>like this<< (bold in a terminal)."""
    if not span:
        return quote
    start, end = span
    left, right = ("\x1b[1m", "\x1b[0m") if color else (">>", "<<")
    return f"{quote[:start]}{left}{quote[start:end]}{right}{quote[end:]}"
