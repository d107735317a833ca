"""Amounts as news writes them: digits, number words, scales, ranges, qualifiers, increments.

``find_quantities(sentence)`` returns every counted amount of a sentence with
its value (``int`` where whole), the upper end of a range, the qualifier
(FIGURES.md) and whether it is an addition to an earlier figure. What is not a
count is left out: years, dates, times, money, percentages, scores ("4-0"),
model names ("KN-23", "IL-76"), ordinals, "No. 3", counters ("0 / 300") and
vague amounts ("thousands", "a dozen", "several").

>>> [(q.value, str(q.qualifier), q.increment) for q in find_quantities("over 11,000 troops and another 3,000")]
[(11000, 'more_than', False), (3000, 'exact', True)]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from text_to_num import text2num

from ..records import Qualifier
from . import keywords
from .casing import Quick, before_spaces, by_last, caseless, ending, endings, letter_first
from .casing import lowered as lowered_text
from .words import BESIDES, INCREMENT_AFTER, INCREMENT_BEFORE, QUALIFIER_AFTER, QUALIFIER_BEFORE

__all__ = ["HAS_NUMBER", "Quantity", "find_quantities", "has_number", "parse_amount"]

_UNITS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SCALES = "hundred|thousand|million|billion"
_WORD = rf"(?:{_UNITS}|{_TENS}|{_SCALES})"
_WORDS = rf"(?:{_UNITS}|{_TENS})\b(?:(?:[\s-]+(?:and\s+)?){_WORD}\b)*"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s*|-)(?:hundred|thousand|million|billion|lakhs?|crores?)\b|\s?(?:mn|bn|mln|bln)\b|[mMkKbB](?![\w])"
_AMOUNT = (
    rf"(?:(?:half|a\s+half|a\s+quarter)(?:\s+of)?\s+an?\s+(?:{_SCALES})\b"
    rf"|(?:{_DIGITS})(?:{_SCALE})?"
    rf"|(?:an?\s+(?:{_SCALES})\b(?:[\s-]+(?:and\s+)?{_WORDS})?)"
    rf"|{_WORDS})"
)
_LEFT_EDGE = r"(?<![\w$€£₩.,/:#\-])"
#: what may not follow an amount: a letter or digit, a slash, a percent sign, or a colon, stop or comma
#: before a digit ("10:30", "1.5.2"); "About 15,000: North Korean troops ..." is a fact box's label
_RIGHT_EDGE = r"(?![\w/]|[.,:]\d|%)"
_RANGE_JOIN = r"\s*(?:-|–|—|to|and|or)\s*"

#: the characters an amount (or the "between"/"from" before a range) can start with: a digit or
#: the first letter of a number word; tested first, so the search skips every other place at once
_STARTS = r"(?=[\dabefhmnostABEFHMNOST])"
#: one amount or a range of two, with ``between``/``from`` before a range
_QUANTITY = re.compile(
    rf"{_STARTS}(?:\b(?P<lead>(?:somewhere\s+|anywhere\s+)?between|from)\s+)?{_LEFT_EDGE}(?P<low>{_AMOUNT}){_RIGHT_EDGE}"
    rf"(?:(?P<join>{_RANGE_JOIN})(?P<high>{_AMOUNT}){_RIGHT_EDGE})?"
    r"(?P<plus>\s*\+|-plus\b|\s+or\s+more\b)?",
    re.IGNORECASE,
)

#: where (in lowercased text) an amount or the "between" or "from" before a range may start: a
#: digit or one of the words it may open with, after no letter or digit. Each word opens with its
#: letter, so the search skips to it; ``_QUANTITY`` is tried only there, which finds what its own
#: search would, about twice as fast
_QUANTITY_STARTS = re.compile(r"\d(?<!\w.)|" + letter_first(
    rf"\b(?:{_UNITS}|{_TENS}|half|between|from|somewhere|anywhere|an?\s+(?:half|quarter|{_SCALES}))\b"
))

#: a cheap test: does a text hold anything that could be an amount?
HAS_NUMBER = re.compile(rf"{_STARTS}(?:\d|\b(?:{_WORD}|half|a\s+(?:{_SCALES}))\b)", re.IGNORECASE)


#: ``HAS_NUMBER`` in two parts: a digit, or (in lowercased text) a number word. The number words are
#: found by the keyword automaton (``keywords.named``), in the same pass over a line as every
#: detector's keywords; "a hundred" needs no pattern of its own, as "hundred" is a number word
_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(letter_first(rf"\b(?:{_UNITS}|{_TENS}|{_SCALES}|half)\b"))
_NUMBER_WORD_BIT = keywords.register(Quick(_NUMBER_WORD, lowercase=True))
#: ``_QUANTITY_STARTS`` for a sentence that names no number word (``_NUMBER_WORD``, which the keyword
#: pass tells): a digit, a word that opens a range, or "a quarter"; it stops at far fewer letters
_QUANTITY_STARTS_NO_WORD = re.compile(r"\d(?<!\w.)|" + letter_first(r"\b(?:between|from|somewhere|anywhere|an?\s+quarter)\b"))


@lru_cache(maxsize=4096)
def has_number(text: str) -> bool:
    """Whether ``text`` holds anything that could be an amount (as ``HAS_NUMBER.search``); cached, as every
    detector asks of the same lines."""
    return _DIGIT.search(text) is not None or keywords.named(text) & _NUMBER_WORD_BIT != 0

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
#: a date, a number label, money or an age right before an amount; the words are tested
#: only where a word starts with a letter, which the search finds quickly
_NOT_COUNT_BEFORE = re.compile(
    rf"(?:\b(?=[^\W\d_])(?:{_MONTH}\s*|No\.?\s*|Nos\.?\s*|Number\s+|US\s*|page\s+|Resolution\s+"
    r"|p\.\s*|pp\.\s*|art(?:icle)?\.?\s+|(?:aged|age|ages)\s+|Rs\.?\s*|INR\s*"
    # a figure's, a table's or a chapter's number: "Figure 3 compares ...", "Table 2:", "Episode 214"
    r"|(?:Figure|Fig\.|Table|Chart|Graph|Map|Box|Annex|Appendix|Chapter|Section|Episode|Ep\.)\s*)|[$€£₩¥₹]\s*|\d\s+/\s*"
    # a ratio: "one in 100 of its soldiers", "1 out of 5"
    r"|\b(?:one|a|1)\s+(?:in|out\s+of)\s+)$",
    re.IGNORECASE,
)
#: a percentage, money, a time, a length or weight, an age, a date or an ordinal right after an
#: amount (matched at the amount's end)
_NOT_COUNT_AFTER = re.compile(
    r"(?:\s*(?:%|percent\b|per\s*cent\b|pct\b|dollars?\b|USD\b|won\b|rubles?\b|roubles?\b|euros?\b"
    r"|pounds\b|yuan\b|yen\b|p\.m\.|a\.m\.|pm\b|am\b|GMT\b|UTC\b|BST\b|KST\b|o'clock\b|/\s*\d)"
    r"|\s?-?(?:mm|cm|km|kg|kilometers?|kilometres?|miles?|metres?|meters?)\b"
    r"|-year-old|\s+years?\s+old\b|,\s*(?:19|20)\d\d\b|\s*(?:st|nd|rd|th)\b)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
#: "KN-23-", "2024-25", "4-0": a dash and a digit right after an amount
_DASH_DIGIT = re.compile(r"-\d")
_DIGITS_AND_REST = re.compile(rf"^({_DIGITS})\s*(.*)$")
#: digits in groups of three ("11,000"): read as an integer at once
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_TILDE = re.compile(r"(?:~|≈|\bc\.|\bca\.)\s*$")
#: a sign before an amount, as tables and social posts write qualifiers: ">28,000", "≥ 200", "<100"
_SIGN = re.compile(r"(?:(?P<more_than>(?<![-=])>|&gt;)|(?P<at_least>≥|>=)|(?P<up_to><|≤|<=|&lt;))\s?$")  # not "->"
#: how far before an amount the words that qualify it or rule it out are looked for: the longest
#: phrase ("were generally estimated to number", 35 characters) is far shorter; the
#: searches end at the amount, so they need not scan the whole sentence before it
_LOOK_BACK = 60
#: each qualifier by the name the patterns' groups give it ("about"): the enum's own lookup by value
#: goes through its metaclass, a call several times as dear, for every qualified amount
_QUALIFIER_NAMED = {qualifier.value: qualifier for qualifier in Qualifier}


_QUANTITY_LOWER = caseless(_QUANTITY)
#: the look-backs end at the amount: each is searched only where the words before it end as it can
_NOT_COUNT_BEFORE_LOWER = ending(caseless(_NOT_COUNT_BEFORE))
_NOT_COUNT_AFTER_LOWER = caseless(_NOT_COUNT_AFTER)
_QUALIFIER_BEFORE_LOWER = ending(caseless(QUALIFIER_BEFORE))
_INCREMENT_BEFORE_LOWER = ending(caseless(INCREMENT_BEFORE))
_QUALIFIER_AFTER_LOWER = caseless(QUALIFIER_AFTER)
_INCREMENT_AFTER_LOWER = caseless(INCREMENT_AFTER)
_BESIDES_LOWER = caseless(BESIDES)


class Quantity(NamedTuple):
    """A counted amount in a sentence.

    ``start``/``end`` are the amount's own characters (qualifier and increment
    words included: "more than 11,000"); ``number_start``/``number_end`` the digits
    or number words alone. A named tuple (``_replace`` makes a changed copy): one is made
    for every amount of every sentence read, and a tuple is made several times as fast
    as a frozen dataclass.
    """

    value: int | float
    value_max: int | float | None
    qualifier: Qualifier
    increment: bool
    start: int
    end: int
    number_start: int
    number_end: int
    words: bool  # written in words ("nine million", "one")


def find_quantities(sentence: str) -> list[Quantity]:
    """Every counted amount of ``sentence``, in order.

    A count is whole unless scaled: "1.2 million" is one, "3.2" (a section number) or
    "2.8" (of a percentage) is not.

    >>> [(q.value, q.value_max, str(q.qualifier)) for q in find_quantities("between 1,000 and 3,000 workers")]
    [(1000, 3000, 'range')]
    >>> find_quantities("The 4-0 win in 2024 cost $3 billion, 30% more, on May 29.")
    []
    """
    return list(_quantities(sentence))


@lru_cache(maxsize=4096)
def _quantities(sentence: str) -> tuple[Quantity, ...]:
    """The amounts of ``sentence``; cached, as every detector reads the same sentences."""
    found = []
    position = 0
    # the case-insensitive patterns run, lowercase, on the lowercased sentence: the same matches, faster
    lowered = lowered_text(sentence)
    starts = _QUANTITY_STARTS if keywords.named(sentence) & _NUMBER_WORD_BIT else _QUANTITY_STARTS_NO_WORD
    while (opening := starts.search(lowered, position)) is not None:
        match = _QUANTITY_LOWER.match(lowered, opening.start())
        if match is None:
            position = opening.start() + 1
            continue
        quantity = _quantity(sentence, lowered, match, as_range=True)
        position = match.end()
        if quantity is None and match.group("high"):
            # "11,000 and 3,000", "4-0": not a range; the first amount may still count alone
            quantity = _quantity(sentence, lowered, match, as_range=False)
            position = match.end("low")
        if quantity is not None:
            found.append(quantity)
    return tuple(found)


def parse_amount(text: str) -> int | float | None:
    """The value of one amount, or None if it is no number.

    >>> [parse_amount(t) for t in ("11,000", "9 million", "nine million", "a million", "half a million",
    ...                            "1.5m", "35K", "eleven", "twenty-five thousand")]
    [11000, 9000000, 9000000, 1000000, 500000, 1500000, 35000, 11, 25000]
    """
    if len(text) <= 19 and text.isascii():
        # "11000" and "11,000", the most common forms, at most 15 digits (as read as a float below,
        # which is exact to 15 digits)
        if text.isdigit() and len(text) <= 15:
            return int(text)
        if _GROUPED.fullmatch(text):
            return int(text.replace(",", ""))
    text = " ".join(text.lower().replace("-", " ").split())
    multiplier = 1.0
    if text.startswith(("half ", "a half ")):
        multiplier, text = 0.5, text.split(" ", 2 if text.startswith("a ") else 1)[-1]
    elif text.startswith("a quarter "):
        multiplier, text = 0.25, text[len("a quarter "):]
    text = text.removeprefix("of ")
    digits = _DIGITS_AND_REST.match(text)
    if digits:
        number = float(digits.group(1).replace(",", ""))
        scale = _scale(digits.group(2))
        if scale is None:
            return None
        return _whole(number * scale * multiplier)
    if text.startswith(("a ", "an ")):
        text = "one " + text.split(" ", 1)[1]
    try:
        return _whole(text2num(text, "en") * multiplier)
    except ValueError:
        return None


def _scale(word: str) -> int | None:
    return _SCALES_VALUE.get(word.strip())


_SCALES_VALUE = {
    "": 1, "hundred": 100, "thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000,
    "mn": 1_000_000, "mln": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
    "bln": 1_000_000_000, "b": 1_000_000_000,
    # Indian English: "90 lakh shells" (9 million), "1.2 crore" (12 million)
    "lakh": 100_000, "lakhs": 100_000, "crore": 10_000_000, "crores": 10_000_000,
}


def _whole(number: float) -> int | float:
    return int(round(number)) if abs(number - round(number)) < 1e-9 else number


def _quantity(sentence: str, lowered: str, match: re.Match[str], *, as_range: bool) -> Quantity | None:
    """The amount ``match`` (of ``_QUANTITY_LOWER`` in ``lowered``, the sentence lowercased), or None if it is no count."""
    low_text, high_text = match.group("low"), match.group("high") if as_range else None
    if not high_text and len(low_text) == 4 and _YEAR.match(low_text):
        return None  # a year, the most common number in news: told apart before the look-backs
    low_start = match.start("low")
    if _NOT_COUNT_BEFORE_LOWER.search(lowered, max(0, low_start - _LOOK_BACK), low_start) \
            or _NOT_COUNT_AFTER_LOWER.match(lowered, match.end("low")):
        return None
    if not high_text and _DASH_DIGIT.match(sentence, match.end("low")):
        return None  # "KN-23-", "2024-25", a score: not a count
    low = parse_amount(low_text)
    if not low:
        return None
    if not isinstance(low, int) and not high_text:
        return None  # "3.2 Personnel", "version 1.5": a count of people or arms is whole unless scaled ("1.2 million")
    high = parse_amount(high_text) if high_text else None
    if high_text:
        join = match.group("join").strip().lower()
        lead = (match.group("lead") or "").lower().rsplit(None, 1)[-1:]  # "somewhere between": "between"
        lead = lead[0] if lead else ""
        if (join == "and" and lead != "between") or (join in ("to", "or") and lead == "between"):
            return None  # "11,000 and 3,000" are two figures, not a range ("one or two" is one)
        if _NOT_COUNT_AFTER_LOWER.match(lowered, match.end("high")):
            return None
        if high is None or _YEAR.match(high_text.strip()) and _YEAR.match(low_text.strip()):
            return None
        if low < high and low * 1000 <= high and not _LETTER.search(low_text):
            low = _whole(low * _shared_scale(high_text))  # "10-12 million"
        if not low < high:
            return None  # a score ("4-0"), a date or a model number, not a range
    start = match.start("lead") if match.group("lead") and high_text else match.start("low")
    qualifier, increment, start = _qualify_before(sentence, lowered, start)
    end = match.end() if high_text or not match.group("high") else match.end("low")
    if match.group("plus") and end == match.end():
        qualifier = Qualifier.AT_LEAST if "more" in match.group("plus") else Qualifier.MORE_THAN
    else:
        after = _QUALIFIER_AFTER_LOWER.match(lowered, end)
        if after:
            # "15,000 or so North Korean labourers": the words are the amount's, its noun comes after them
            qualifier, end = _QUALIFIER_NAMED[after.lastgroup], after.end()
    if _INCREMENT_AFTER_LOWER.match(lowered, end):
        increment = True
    if high is not None:
        qualifier = Qualifier.RANGE
    number_end = match.end("high") if high_text else match.end("low")
    return Quantity(
        value=low, value_max=high, qualifier=qualifier, increment=increment, start=start,
        end=end, number_start=match.start("low"), number_end=number_end,
        words=not _DIGIT.match(low_text),
    )


_LETTER = re.compile(r"[a-z]", re.IGNORECASE)
_SCALE_AT_END = re.compile(r"(hundred|thousand|million|billion|lakhs?|crores?|mln|bln|mn|bn|[mkb])\s*$", re.IGNORECASE)


def _shared_scale(high_text: str) -> int:
    found = _SCALE_AT_END.search(high_text)
    return _scale(found.group(1).lower()) or 1 if found else 1


def _union(*texts: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return None if None in texts else tuple(sorted({text for found in texts for text in found}))  # type: ignore[union-attr]


#: how every sign or word that qualifies an amount or adds it to another ends ("~", ">", "about",
#: "more than", "another"), to be found in the lowercased text before the amount's spaces
_TILDE_ENDINGS, _SIGN_ENDINGS = endings(_TILDE), endings(_SIGN)
_QUALIFIED_ENDINGS = _union(_TILDE_ENDINGS, _SIGN_ENDINGS, _QUALIFIER_BEFORE_LOWER.endings, _INCREMENT_BEFORE_LOWER.endings)
_QUALIFIED_BY_LAST = by_last(_QUALIFIED_ENDINGS) if _QUALIFIED_ENDINGS is not None else None
#: the characters "~", "c." and the signs (">", "&gt;") end with
_TILDE_LAST, _SIGN_LAST = (None if found is None else frozenset(text[-1] for text in found)
                           for found in (_TILDE_ENDINGS, _SIGN_ENDINGS))


def _qualify_before(sentence: str, lowered: str, start: int) -> tuple[Qualifier, bool, int]:
    """The qualifier and increment words right before ``start``, and where they begin (``lowered``: the sentence lowercased)."""
    qualifier, increment = Qualifier.EXACT, False
    # "~", "≈", "c." or "ca." ends where the spaces before the amount begin: only the last few
    # characters before them need a look
    window = max(0, start - _LOOK_BACK)
    spaces = before_spaces(sentence, window, start)
    if _QUALIFIED_BY_LAST is not None and not (
            spaces > window and lowered.endswith(_QUALIFIED_BY_LAST.get(lowered[spaces - 1], ()), window, spaces)):
        return qualifier, increment, start  # no word or sign that could qualify it ends before it: the common case
    # a sign ends where the spaces begin (a sign at most one space before the amount): looked for
    # only where the character there is one a sign can end with
    last = sentence[spaces - 1] if spaces > window else ""
    tilde = _TILDE.search(sentence, max(window, spaces - 3), start) if _TILDE_LAST is None or last in _TILDE_LAST else None
    if tilde:  # "~600", "c. 600"
        return Qualifier.ABOUT, False, tilde.start()
    sign = _SIGN.search(sentence, max(0, start - 5), start) if _SIGN_LAST is None or last in _SIGN_LAST else None
    if sign:
        return _QUALIFIER_NAMED[sign.lastgroup], False, sign.start()
    for _ in range(3):
        window = max(0, start - _LOOK_BACK)
        if qualifier is Qualifier.EXACT:  # one qualifier: once found, only increments are looked for
            found = _QUALIFIER_BEFORE_LOWER.search(lowered, window, start)
            if found:
                qualifier, start = _QUALIFIER_NAMED[found.lastgroup], found.start()
                continue
        found = _INCREMENT_BEFORE_LOWER.search(lowered, window, start)
        if found and not increment:
            # "apart from the soldiers, another 8,000 laborers": another kind, not more of the same
            besides = found.group("word") == "another" and _BESIDES_LOWER.search(lowered, 0, found.start())
            increment, start = not besides, found.start()
            if besides:
                break
            continue
        break
    return qualifier, increment, start
