"""Sentence splitting for news text, with character offsets.

Every line break is a hard boundary (extracted articles put one paragraph, one
headline or one caption on each line); inside a line, sentences are found by
syntok, chosen by measurement over pysbd and blingfire (``benchmarks/segmenters.py``,
``docs/design-notes.md``): it keeps "U.S.", "U.N.", "N. Korea", "Sept. 2024" and
"No. 3" inside their sentences and splits after "p.m." only where a sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from syntok import segmenter

__all__ = ["Sentence", "split_sentences"]

_LINE = re.compile(r"[^\n]+")
#: a line with no full stop, question or exclamation mark followed by more text is one sentence
_MAYBE_SEVERAL = re.compile(r"[.?!]['\"”’)\]]*\s+\S")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text (stripped) and where it starts in the whole text."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def split_sentences(text: str, *, keep: Callable[[str], bool] | None = None) -> list[Sentence]:
    """The sentences of ``text`` in order, each with its offset.

    ``keep`` is a cheap test on a whole line (paragraph): lines it rejects are
    not segmented at all, which is where most of the time would go.

    >>> [s.text for s in split_sentences("The U.S. said N. Korea sent 11,000 troops. They went.")]
    ['The U.S. said N. Korea sent 11,000 troops.', 'They went.']
    >>> split_sentences("Headline\\nBody.")[1].start
    9
    """
    return list(_iter_sentences(text, keep))


def _iter_sentences(text: str, keep: Callable[[str], bool] | None) -> Iterator[Sentence]:
    for line in _LINE.finditer(text):
        body = line.group()
        if not body.strip() or (keep is not None and not keep(body)):
            continue
        if not _MAYBE_SEVERAL.search(body):
            yield _stripped(body, line.start())
            continue
        for start, end in _syntok_spans(body):
            yield _stripped(body[start:end], line.start() + start)


@lru_cache(maxsize=4096)
def _syntok_spans(line: str) -> tuple[tuple[int, int], ...]:
    """Where syntok's sentences lie in ``line``; cached, as every detector reads the same lines."""
    spans = []
    for paragraph in segmenter.analyze(line):
        for sentence in paragraph:
            if sentence:
                first, last = sentence[0], sentence[-1]
                spans.append((first.offset, last.offset + len(last.value)))
    return tuple(spans)


def _stripped(text: str, start: int) -> Sentence:
    lead = len(text) - len(text.lstrip())
    return Sentence(text.strip(), start + lead)
