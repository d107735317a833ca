"""The time a figure covers, as its sentence says it.

Numeric years are normalised ("between March and October 2024" becomes
"March-October 2024", "in 2024" becomes "2024"); relative phrases are kept as
written ("last year", "the early months of this year").

>>> find_period("Moscow supplied more than one million barrels between March and October 2024.", 20)
'March-October 2024'
>>> find_period("As of April 30, the casualties reached 4,700.", 40)
'as of April 30'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .casing import caseless, lowered, quick

__all__ = ["Period", "find_period", "find_periods"]

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_YEAR = r"(?:19|20)\d\d"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
_DATE = rf"(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}(?:\s+of)?\s+{_YEAR}|{_MONTH}|{_YEAR})"
_RELATIVE_YEAR = r"(?:last|this|next|the\s+previous|the\s+past|the\s+same)\s+year"
_PART = (
    r"(?:the\s+)?(?:early|first|last|past|latter|final|second|closing|opening)\s+"
    r"(?:\w+\s+)?(?:months?|weeks?|half|quarter|part)\s+of\s+"
)
#: (kind, the letters its phrases start with, the words without which it cannot match, pattern):
#: the search tests the letter first and so skips every other place at once; a pattern with no
#: such words is told by its quick form
_SPANS = [
    ("between", "b", ("between",), rf"\bbetween\s+(?:last\s+)?(?P<a>{_DATE})\s+and\s+(?P<b>{_DATE})(?:\s+(?:of\s+)?(?P<y>{_YEAR}|{_RELATIVE_YEAR}))?"),
    ("between", "f", ("from",), rf"\bfrom\s+(?:last\s+)?(?P<a>{_DATE})\s+(?:to|through|until|till)\s+(?P<b>{_DATE})(?:\s+(?:of\s+)?(?P<y>{_YEAR}|{_RELATIVE_YEAR}))?"),
    # "in January-February 2025"
    ("between", "idot", ("-", "–"), rf"\b(?:in|during|over|throughout)\s+(?P<a>{_MONTH})\s*[-–]\s*(?P<b>{_MONTH})(?:,?\s+(?:of\s+)?(?P<y>{_YEAR}|{_RELATIVE_YEAR}))?\b"),
    ("as_of", "abut", (), rf"\b(?:as\s+of|as\s+at|by|until|through|up\s+to)\s+(?:the\s+end\s+of\s+|early\s+|late\s+|mid-?)?(?:{_DATE})"),
    ("since", "s", ("since",), rf"\bsince\s+(?:the\s+(?:start|beginning|end)\s+of\s+|early\s+|late\s+|mid-?)?(?:{_DATE}|{_RELATIVE_YEAR})"),
    ("in", "idtfo", (), rf"\b(?:in|during|throughout|for|over)\s+(?:{_PART})?(?:early\s+|late\s+|mid-?)?(?P<d>{_MONTH}(?:\s+of)?\s+{_YEAR}|{_YEAR}|{_RELATIVE_YEAR})\b"),
    ("as_written", "eflpscotn", (), rf"\b(?:{_PART})(?:{_YEAR}|{_RELATIVE_YEAR})|\b{_RELATIVE_YEAR}\b"),
]
#: run lowercase on the lowercased sentence (``casing``): the same matches at the same places, faster;
#: each is run only where the words it needs occur, or where its quick form (``casing.quick``)
#: finds something, from there
_PATTERNS = [
    (kind, caseless(re.compile(f"(?=[{letters}])(?:{pattern})", re.IGNORECASE)),
     None if needs else quick(re.compile(pattern, re.IGNORECASE)).pattern, needs)
    for kind, letters, needs, pattern in _SPANS
]
#: what every period phrase holds: a year, a month (its first three letters) or the word "year";
#: most sentences hold none, and then no pattern need run
_HINT = quick(re.compile(r"(?:19|20)\d\d|year|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE))


@dataclass(frozen=True, slots=True)
class Period:
    """A period phrase: its normalised text and where it sits in the sentence."""

    text: str
    start: int
    end: int


def find_periods(sentence: str) -> list[Period]:
    """Every period phrase of ``sentence``, longest first where two overlap."""
    return list(_periods(sentence))


@lru_cache(maxsize=1024)
def _periods(sentence: str) -> tuple[Period, ...]:
    """The periods of ``sentence``; cached, as a sentence with several figures is read once for each."""
    found: list[Period] = []
    lowercase = lowered(sentence)
    if not _HINT.pattern.search(lowercase):
        return ()
    for kind, pattern, quick_form, needs in _PATTERNS:
        if quick_form is None:
            if not any(word in lowercase for word in needs):
                continue
            first = 0
        else:
            hit = quick_form.search(lowercase)
            if hit is None:
                continue
            first = hit.start()  # no match opens before the quick form's first
        for match in pattern.finditer(lowercase, first):
            if any(p.start <= match.start() < p.end or match.start() <= p.start < match.end() for p in found):
                continue
            found.append(Period(_normalised(kind, match, sentence), match.start(), match.end()))
    return tuple(sorted(found, key=lambda p: p.start))


def find_period(sentence: str, position: int) -> str | None:
    """The period that applies to the amount at ``position``, or None.

    One in the same clause (between commas) wins, the nearest first; otherwise
    an opening phrase ("In 2024, ...", "As of April 30, ...") covers the whole
    sentence.
    """
    periods = _periods(sentence)
    if not periods:
        return None
    clause_start, clause_end = _clause(sentence, position)
    same_clause = [p for p in periods if clause_start <= p.start and p.end <= clause_end]
    if same_clause:
        return min(same_clause, key=lambda p: abs(p.start - position)).text
    # an opening phrase "..., as of April 30, the casualties reached 4,700" covers what follows it
    first_clause_end = _clause(sentence, 0)[1]
    opening = [p for p in periods if p.end <= first_clause_end <= position
               and not sentence[p.end:first_clause_end].strip(" ,;:—–(-")
               and not _has_amount(sentence[:first_clause_end])]
    return opening[-1].text if opening else None


def _has_amount(text: str) -> bool:
    from .numbers import find_quantities

    return bool(find_quantities(text))


_SEPARATOR = re.compile(r"[,;:—–(]\s|\s-\s")
_YEAR_AT = re.compile(r"(?:19|20)\d\d\b")


def _clause(sentence: str, position: int) -> tuple[int, int]:
    separators = _separators(sentence)
    start = max((s for s in separators if s <= position), default=0)
    end = min((s for s in separators if s > position), default=len(sentence))
    return start, end


@lru_cache(maxsize=1024)
def _separators(sentence: str) -> tuple[int, ...]:
    """Where the clauses of ``sentence`` start; cached, as each of its figures asks."""
    # a comma inside a date ("April 30, 2025") does not end a clause
    return tuple(end for m in _SEPARATOR.finditer(sentence) if not _YEAR_AT.match(sentence, end := m.end()))


_LAST = re.compile(r"\w+\s+last\b", re.IGNORECASE)
_YEAR_WHOLE = re.compile(_YEAR)


def _normalised(kind: str, match: re.Match[str], sentence: str) -> str:
    """The period ``match`` (in the lowercased ``sentence``) as it is written there, normalised."""
    def written(group: str | int = 0) -> str | None:
        return sentence[match.start(group): match.end(group)] if match.group(group) is not None else None

    text = " ".join(written().split())
    if kind == "between":
        first, second, year = written("a"), written("b"), written("y")
        joined = f"{first}-{second}"
        if not year and _LAST.match(text):
            year = "last year"
        if year and _YEAR_WHOLE.fullmatch(year):
            return f"{joined} {year}"
        return f"{joined} {year}" if year else joined
    if kind in ("as_of", "since"):
        return text[0].lower() + text[1:]
    if kind == "in":
        return text.split(" ", 1)[1]  # "in 2024" -> "2024"
    return text
