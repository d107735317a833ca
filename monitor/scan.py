"""``monitor scan``: read local files as articles and show what the detectors found.

A ``.txt`` file is already text; any other file is treated as an HTML page and
extracted. No network, no database. Each file stands alone: one that cannot be
read or yields no text is reported as such, and the others are still scanned.
"""

from __future__ import annotations

from pathlib import Path

import pluggy

from .errors import ExtractError, MonitorError
from .records import Article, Detection

TEXT_SUFFIXES = (".txt", ".text", ".md")


class DocumentError(MonitorError):
    """One file given to ``monitor scan`` is missing, unreadable, binary or yields no text."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


def read_document(path: Path) -> Article:
    """The article in a local file: text as is, HTML through the extractor; ``DocumentError`` if none."""
    url = path.resolve().as_uri()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() in TEXT_SUFFIXES:
        from .extract import looks_binary

        if looks_binary(raw):
            raise DocumentError(path, "binary or compressed data, not text")
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            raise DocumentError(path, "the file yields no text")
        return Article(url=url, text=text, extracted_from="file")
    from .extract import extract_page

    try:
        article = extract_page(raw, url=url)
    except ExtractError as exc:
        raise DocumentError(path, str(exc).removeprefix(f"{url}: ")) from None
    title_in_text = article.title and article.text.startswith(article.title)
    text = article.text if title_in_text or not article.title else f"{article.title}\n{article.text}"
    return Article(url=url, text=text, title=article.title, published=article.published,
                   language=article.language, extracted_from="file")


def scan_document(
    pm: pluggy.PluginManager, source: str, *, only: tuple[str, ...] = ()
) -> tuple[Detection, str | None]:
    """What the plugins find in the file ``source`` (a path, as given), and why it failed, or None.

    A file that cannot be read or yields no text gives no figure and every mention
    counted 0 (the plugins run on an empty text), so one bad file never hides the others.
    """
    from .detect import detect_article

    path = Path(source)
    try:
        article = read_document(path)
    except DocumentError as exc:
        return detect_article(pm, Article(url=path.resolve().as_uri(), text="", extracted_from="file"),
                              only=only), exc.reason
    return detect_article(pm, article, only=only), None


def format_detection(source: str, found: Detection, *, color: bool = False, error: str | None = None,
                     mentions_run: bool = True) -> str:
    """A readable block per file: mentions, then each figure with its sentence marked.

    ``mentions_run`` False (``--plugin`` left the mentions plugin out): "mentions: not run", not "none".
    """
    lines = [f"== {source}"]
    if error is not None:
        lines.append(f"error: {error}")
    counts = found.mention_counts()
    lines.append("mentions: " + (", ".join(f"{k} {v}" for k, v in counts.items())
                                 or ("none" if mentions_run else "not run")))
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
