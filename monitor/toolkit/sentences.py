"""Sentence splitting for news text, with character offsets.

Every line break is a hard boundary (extracted articles put one paragraph, one
headline or one caption on each line); inside a line, sentences are found by
syntok, chosen by measurement over pysbd, blingfire, nupunkt and sentencex
(``benchmarks/segmenters.py``, ``docs/design-notes.md``): it keeps "U.S.", "U.N.",
"N. Korea", "Sept. 2024" and "No. 3" inside their sentences and splits after "p.m."
only where a sentence ends.

syntok is pure Python and costs about a microsecond a character, most of it in its
tokenizer, which is as much as all the detectors together. Most lines need none of
its judgement: every stop in them ends a plain word before a capitalised one ("troops.
The"), sits inside a token ("1.2", "U.N.Security") or comes before a lowercase word. ``_plain_spans`` splits
those lines as syntok would, by syntok's own rules and word lists, and hands every
other line (brackets, semicolons, an abbreviation before a bracket, "No. 3") to syntok itself;
``tests/test_toolkit.py`` checks that both agree on every line where the shortcut is taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple

from syntok import segmenter
from syntok._segmentation_states import State

__all__ = ["Sentence", "split_sentences"]

_LINE = re.compile(r"[^\n]+")
#: a line with no full stop, question or exclamation mark followed by more text is one sentence
_MAYBE_SEVERAL = re.compile(r"[.?!]['\"”’)\]]*\s+\S")


class Sentence(NamedTuple):
    """One sentence: its text (stripped) and where it starts in the whole text (a named tuple:
    one is made for every sentence read)."""

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
    if "\n" not in text and keep is None:
        return list(_line_sentences(text))
    return list(_iter_sentences(text, keep))


@lru_cache(maxsize=1024)
def _line_sentences(line: str) -> tuple[Sentence, ...]:
    """The sentences of one line; cached, as every detector reads the same lines."""
    return tuple(_iter_sentences(line, None))


def _iter_sentences(text: str, keep: Callable[[str], bool] | None) -> Iterator[Sentence]:
    for line in _LINE.finditer(text):
        body = line.group()
        if not body.strip() or (keep is not None and not keep(body)):
            continue
        spans = _syntok_spans(body) if _MAYBE_SEVERAL.search(body) else ((0, len(body)),)
        for start, end in spans:
            if end - start <= LONGEST:  # every sentence of news (no generator for one piece)
                yield _stripped(body[start:end], line.start() + start)
                continue
            for first, last in _within_reach(body, start, end):
                yield _stripped(body[first:last], line.start() + first)


#: the longest sentence the detectors read whole; news sentences are far shorter, and a page
#: that is one endless "sentence" is read in pieces, so the work per amount stays bounded
LONGEST = 1500


def _within_reach(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``LONGEST`` characters, cut at a space where there is one."""
    while end - start > LONGEST:
        cut = text.rfind(" ", start + LONGEST // 2, start + LONGEST)
        cut = cut if cut > start else start + LONGEST
        yield start, cut
        start = cut
    yield start, end


#: syntok's abbreviations are English, German and Spanish; these are also English words that
#: end sentences ("above the 500,000-barrel annual cap. Each tanker ..."), which it would not split
_ENGLISH_WORDS = frozenset(
    {"cap", "min", "max", "art", "alt", "col", "gen", "med", "lit", "mag", "vol", "tab", "tel", "sci", "nat", "dom", "mos"}
)
State.abbreviations = State.abbreviations - _ENGLISH_WORDS

_TERMINAL = re.compile(r"[.?!;]")
#: a short bracketed aside with no stop in it, "(MSMT)", which syntok reads past without a
#: thought, unless it follows a sentence's first word ("KYIV (Reuters) - ...") or another aside
#: follows it; or one that opens with a lowercase word, which it reads past stops and all
#: ("(incl. engineers)"), as it reads no sentence into a bracket that does not open with a
#: capitalised word (its tokens fewer than the fifty it looks through for the closing bracket)
_ASIDE = re.compile(r"[(\[](?:[\w ,'’/&-]{0,58}|[a-z][\w ,'’/&.-]{0,44})[)\]](?!\s*[(\[])")
#: a stop (and any closing quotes or brackets after it) right before a position, spaces aside
_AFTER_STOP = re.compile(r"[.?!;]['\"”’)\]]*\s*$")
#: what only syntok judges: other brackets, ellipses, other scripts' stops, runs of stops and a
#: stop glued to a comma and a word (".,the")
_NEEDS_SYNTOK = re.compile(
    # one class first, so that the search skips to it: a bracket or other sign, or a stop that another
    # stop or a glued comma or colon follows
    r"[()\[\]{}…‼‽⁇⁈⁉。﹒﹗！．？｡〈⦃⦅〘〚﴾﹙﹛﹝（［｛｟〉⦄⦆〙〛﴿﹚﹜﹞）］｝｠.?!;](?:(?<![.?!;])|[.?!;]|[,:](?=\S))"
)
_ENDS_LINE = re.compile(r"[.?!]['\"”’]?\s*$")
#: the token before a stop that syntok always splits after: a plain word, lowercase, capitalised
#: or in capitals, after a space or opening the line ("SpaceX" is "Space" "X" to it, so a capital
#: inside is refused; "Weil.,Identically" is one token), or a number of two digits or more, or in
#: groups of three ("20,000", one token to syntok), after other text. The tokens before a stop
#: below are read alike: after a space or opening the line.
_WORD_BEFORE = re.compile(
    r"(?<!\S)(?P<word>[A-Z]?[a-z]{2,}|[A-Z]{2,})$|(?<=\S )(?P<number>\d{2,}|\d{1,3}(?:,\d{3})+)$"
)
_PLAIN_WORD = re.compile(r"[A-Z]?[a-z]{2,}|[A-Z]{2,}")
_DIGITS = re.compile(r"\d{2,}|\d{1,3}(?:,\d{3})+")
#: what ends a token of syntok's right after a word or a number: no letter or digit before the
#: next space (signs after it are tokens of their own), or an apostrophe's tail or a hyphen before
#: a letter, which its tokenizer splits off ("Korea's", "Since-then"); a stop glued to more ("Since.report",
#: "14;14,000") keeps it one token, which is not the word
_TOKEN_ENDS = r"(?=[^\w\s]*(?:\s|$)|['’][A-Za-z]|-[A-Za-z0-9])"
#: after the stop: a closing quote, one space, an opening quote, then a capitalised word, a token of its own
_NEXT_WORD = re.compile(rf"['\"”’]? [\"“‘']?(?P<word>[A-Z](?:[a-z]*|[A-Z]*))\b{_TOKEN_ENDS}")
#: after the stop: one space, then a sign that opens no bracket and closes nothing ("- Of those",
#: "— The", "🔸 Troops", "==Kyodo"); quotes and brackets are read apart
_NEXT_SYMBOL = re.compile(r" (?=[^\w\s()\[\]{}!?.,;:'\"”’“‘«»‹›])")
#: a digit alone before a stop: "1. Troops"
_DIGIT_BEFORE = re.compile(r"(?<!\S)[0-9]$")
#: after the stop: a closing quote, one space, then a number alone ("... territories. 7 The Kremlin",
#: 'evade UN sanctions." 0 comments')
_NEXT_NUMBER = re.compile(r"(?P<quote>['\"”’]?) (?P<digits>[0-9]+)(?=\s|$)")
#: "U.S.", "U.N.": initials with their stops, one token to syntok
#: (found from their first stop, which the search skips to: a match starts one character before it,
#: at the first capital, which follows no letter or stop)
_INITIALS = re.compile(r"\.(?<=(?<![\w.])[A-Z]\.)(?:[A-Z]\.)+")
#: a capital letter or a roman numeral alone before a stop: "N. Korea", "II. How it began"
_LETTER_BEFORE = re.compile(
    r"(?<!\S)(?:[A-Z]|" + "|".join(sorted(State.roman_numerals, key=len, reverse=True)) + r")$"
)
#: a sentence so far whose first two tokens hold no stop or bracket ("- S. Korea", "troops said"):
#: syntok reads a sentence's first word by rules of its own, and keeps reading the next as one
#: while each is followed by a stop it does not split at ("U.S. troops"); from a second token that
#: is neither, it reads on as inside the sentence, and no stop it has not split at changes that
_PAST_FIRST_WORD = re.compile(r"\s*[^\s.?!;()\[\]{}]+\s+[^\s.?!;()\[\]{}]")
#: a month's abbreviation before a stop ("Oct."), and a number alone after it (" 14", not " 14th" or " 14,000")
_MONTH_BEFORE = re.compile(r"(?<!\S)(?:" + "|".join(sorted(State.months)) + r")$")
_NUMBER_AFTER = re.compile(r" [0-9]+(?=[^\w\s]*(?:\s|$))")
_NOT_PLAIN = State.abbreviations | State.months | State.roman_numerals
#: syntok's abbreviations that are no month and no roman numeral, which it reads by rules of their own
_ABBREVIATIONS = State.abbreviations - State.months - State.roman_numerals
#: an ellipsis after a word, before a lowercase one ("programs ... and gain"): syntok never ends
#: a sentence there, and the shortcut reads on past it
_ELLIPSIS = re.compile(r"(?:(?<=\w)|(?<=\w ))(?:\.\.\.|…)(?= [a-z])")
#: how far back from a stop its word is looked for (the searches end at the stop)
_WORD_WINDOW = 40


def _plain_spans(line: str) -> tuple[tuple[int, int], ...] | None:
    """syntok's sentences of ``line`` where every stop is plain, or None where syntok must judge."""
    if "(" in line:
        tagged = _tagged_spans(line)
        if tagged is not None:
            return tagged
    aside_spans = [aside.span() for aside in _ASIDE.finditer(line)] if "(" in line or "[" in line else []
    asides = [start for start, _ in aside_spans]
    # (a line with both is left to syntok as before)
    ellipses = [match.span() for match in _ELLIPSIS.finditer(line)] if not asides and ("..." in line or "…" in line) else []
    probe = _ASIDE.sub("", line) if asides else line
    for start, end in ellipses:
        probe = f"{probe[:start]}{' ' * (end - start)}{probe[end:]}"
    if _NEEDS_SYNTOK.search(probe):
        return None
    passed = {at for start, end in ellipses for at in range(start, end)}  # the stops of the ellipses
    ends = []
    initials = {match.end() - 1: match for match in _INITIALS.finditer(line)}
    inside = {at for match in initials.values() for at in range(match.start() - 1, match.end() - 1)}
    for start, end in aside_spans:
        if line.find(".", start, end) >= 0:
            # the stops of an aside ("(incl. engineers)"), which syntok reads past; but after a stop
            # it has not split at, it reads a bracket word by word
            if _AFTER_STOP.search(line, 0, start):
                return None
            inside.update(range(start, end))
    for stop in _TERMINAL.finditer(line):
        at = stop.start()
        if at in inside or at in passed:
            continue  # the "." of "U." in "U.S.", a dot of an ellipsis or in an aside
        after = line[at + 1: at + 3]
        if after[:1].isalnum() and line[at - 1: at].isalnum() and not _separates(line, at):
            continue  # "1.2 million", "U.N.Security", "Kentucky!â": a stop inside a token, no stop to syntok
        if after[:1] == " " and after[1:2].islower():
            continue  # syntok never splits before a lowercase word
        if _ENDS_LINE.match(line, at) or after in (", ", ": "):
            continue  # nor before a comma or a colon: "the U.S., Japan"
        following = _NEXT_WORD.match(line, at + 1)
        word, digits = _word_before(line, at)  # the token before the stop, read once for the cases below
        if after[:1] == " " and "A" <= after[1:2] <= "Z" and at not in initials and following is not None \
                and word is not None and word not in _NOT_PLAIN:
            # the most common stop, "troops. The", decided at once: after a plain word that is no
            # abbreviation, month or roman numeral (nor a capital alone: a word has two letters),
            # and before a capitalised word, none of the cases below can apply
            ends.append(at + 1)
            continue
        if at in initials and following is not None and _letter_follows(line, at):
            # "the U.S. Army" is one sentence, "... by the U.S. The report" two: syntok splits
            # after initials only before a word that opens sentences
            if following.group("word") in State.starters:
                ends.append(at + 1)
            continue
        if at in initials and after in (" (", " ["):
            continue  # nor before an aside: "the U.N. [Security Council] resolutions"
        letter = _LETTER_BEFORE.search(line, max(0, at - 5), at)
        if letter is not None and following is not None and _letter_follows(line, at):
            # "N. Korea", "II. How it began": an initial or a roman numeral ends a sentence only
            # before a word that opens sentences, and never as a sentence's first word
            opening = _sentence_so_far(line, ends, letter.start())
            if _BRACKET.search(opening) or (asides and not opening.strip()) or (
                    _TERMINAL.search(opening) and not _PAST_FIRST_WORD.match(opening)):
                # after a stop or bracket it has not split at, syntok may still be reading a
                # sentence's first word, and it reads an aside after one otherwise
                return None
            if opening.strip() and following.group("word") in State.starters:
                ends.append(at + 1)
            continue
        if letter is not None and following is None and _number_or_sign_follows(line, at):
            if _first_word_before_aside(line, ends, letter.start(), asides):
                return None
            continue  # "posted to X. 4 Children", "Annex II. - Troops": nor before a number or a sign
        if following is not None and line[at - 1: at] in ('"', "”") and line[at - 2: at - 1].isalnum() \
                and _letter_follows(line, at):
            ends.append(at + 1)  # 'words for "drone". One ...': after a closing quote, as after a plain word
            continue
        digit = _DIGIT_BEFORE.search(line, max(0, at - 2), at)
        if digit is not None and not _sentence_so_far(line, ends, digit.start()).strip():
            if asides:
                return None  # a sentence's first word: syntok reads an aside after it otherwise
            continue  # "1. Troops": a one-character sentence opening is never a sentence of its own
        month = _MONTH_BEFORE.search(line, max(0, at - 10), at)
        if month is not None and _NUMBER_AFTER.match(line, at + 1):
            if _first_word_before_aside(line, ends, month.start(), asides):
                return None
            continue  # "on Oct. 14": syntok never splits between a month's abbreviation and a number
        if word in _ABBREVIATIONS:
            # "4,700 incl. ~600 killed", "11 countries incl. US, Japan": after an abbreviation
            # syntok ends a sentence only before a word that opens sentences ("incl. The")
            if _first_word_before_aside(line, ends, at - len(word), asides):
                return None
            if following is not None and _letter_follows(line, at):
                if following.group("word") in State.starters:
                    ends.append(at + 1)
                continue
            if following is None and _number_or_sign_follows(line, at):
                continue
            return None
        number = _NEXT_NUMBER.match(line, at + 1)
        if number is not None:
            # after a plain word syntok ends a sentence before a number of one or two digits, and
            # reads a longer one as going on ("sent to the front. 7 The ..." / "in the year. 2024 ...")
            if word is None or word in _NOT_PLAIN or word in ("no", "No", "NO"):
                return None
            if len(number.group("digits")) <= 2:
                ends.append(number.start(0) + len(number.group("quote")))  # the closing quote stays with its sentence
            continue
        if following is None and _NEXT_SYMBOL.match(line, at + 1):
            # "in total. - Of those", "the deal. 🔸 Troops": syntok ends a sentence before a sign
            # after a plain word or a number, as before a capitalised word
            if word is None and digits is None or word in _NOT_PLAIN:
                return None
            ends.append(at + 1)
            continue
        if not _splits_here(word, digits, following):
            return None
        ends.append(at + 1 if line[at + 1] == " " else at + 2)  # the closing quote stays with its sentence
    for start in asides:
        opening = max((end for end in ends if end <= start), default=0)
        if not _PAST_FIRST_WORD.match(line, opening, start):
            # an aside after a sentence's first word (or after words each followed by a stop it
            # has not split at: "U.S. troops (2nd LD) Since"): syntok may end the sentence there
            return None
    spans, start = [], 0
    for end in (*ends, len(line)):
        piece = line[start:end]
        text = piece.strip()
        if text:
            lead = start + len(piece) - len(piece.lstrip())
            spans.append((lead, lead + len(text)))
        start = end
    return tuple(spans)


#: a news agency's tag opening a line ("(LEAD) N. Korea ...", "(2nd LD) Russia ..."), words in
#: brackets before a word, or closing it after a stop ("... after training. (END)")
_OPENING_TAG = re.compile(r"\s*\((?P<words>[A-Za-z0-9]+(?: [A-Za-z0-9]+)*)\) +(?=[A-Za-z0-9])")
_CLOSING_TAG = re.compile(r"[.?!] +\((?P<words>[A-Za-z0-9]+(?: [A-Za-z0-9]+)*)\)\s*$")
#: where syntok's tokenizer cuts a word in two: a lowercase letter before an uppercase one ("SpaceX")
_CASE_TURN = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _tagged_spans(line: str) -> tuple[tuple[int, int], ...] | None:
    """syntok's sentences of a line that opens or closes with a tag, as syntok reads them; None
    where the line has none, or the rest of it is syntok's call.

    A sentence that opens with a bracket is that bracket alone if the bracket is more than three
    tokens ("(2nd LD)": "(", "2nd", "LD", ")") and a lowercase word does not follow; otherwise
    the sentence goes on with the next word as its first ("(LEAD) N. Korea": "N." ends no
    sentence). After a stop that follows a plain word or a number, syntok ends a sentence
    before a bracket that ends the line ("training. (END)").
    """
    tag = _OPENING_TAG.match(line)
    if tag is not None:
        rest = _plain_spans(line[tag.end():])
        if rest is None:
            return None
        shifted = [(tag.end() + start, tag.end() + end) for start, end in rest]
        words = tag.group("words").split()
        if 2 + len(words) + sum(len(_CASE_TURN.findall(word)) for word in words) > 3 \
                and not line[tag.end()].islower():
            return ((tag.start("words") - 1, tag.end("words") + 1), *shifted)
        return ((tag.start("words") - 1, shifted[0][1]), *shifted[1:])
    tag = _CLOSING_TAG.search(line) if line.rstrip().endswith(")") else None
    if tag is None:
        return None
    word, number = _word_before(line, tag.start())
    if (word is None or word in _NOT_PLAIN) and number is None:
        return None
    before = _plain_spans(line[: tag.start() + 1])
    return None if before is None else (*before, (tag.start("words") - 1, tag.end("words") + 1))


def _separates(line: str, at: int) -> bool:
    """Whether syntok's tokenizer makes a token of its own of the stop ``at``, glued to the letters or
    digits on either side of it: only a "." "!" or "?" between a lowercase and an uppercase letter
    ("the war.The"); any other stop inside a word or a number ("1.2", "U.N.Security", "Kentucky!â")
    it leaves inside its token, where it ends no sentence. A ";" is a token of its own beside a
    letter ("troops;the"), not between digits ("1;2").
    """
    before, after = line[at - 1], line[at + 1]
    if line[at] == ";":
        return before.isalpha() or after.isalpha()
    return unicodedata.category(before) == "Ll" and unicodedata.category(after) == "Lu"


def _letter_follows(line: str, at: int) -> bool:
    """Whether a letter follows the stop ``at``, after at most one space (no quote or bracket between)."""
    return line[at + 1: at + 3].strip()[:1].isalpha()


def _sentence_so_far(line: str, ends: list[int], position: int) -> str:
    """The text of the sentence holding ``position`` up to it, the sentence starting at the last of ``ends``."""
    return line[ends[-1] if ends else 0: position]


def _first_word_before_aside(line: str, ends: list[int], position: int, asides: list[int]) -> bool:
    """Whether the token at ``position`` opens its sentence in a line with an aside: syntok reads an
    aside after a sentence's first word by rules of its own, so the line is its call."""
    return bool(asides) and not _sentence_so_far(line, ends, position).strip()


def _number_or_sign_follows(line: str, at: int) -> bool:
    """Whether a number alone (``_NEXT_NUMBER``) or a sign (``_NEXT_SYMBOL``) follows the stop ``at``."""
    return _NEXT_NUMBER.match(line, at + 1) is not None or _NEXT_SYMBOL.match(line, at + 1) is not None


def _splits_here(word: str | None, number: str | None, following: re.Match[str] | None) -> bool:
    """Whether syntok surely ends a sentence at a stop after ``word`` or ``number`` (``_word_before``),
    followed by ``following`` (``_NEXT_WORD``).

    It does after a plain word or a number; an abbreviation ("Gen. Kim", "Sept. The") or a
    number before a month ("page 12. Mar 3") is syntok's call.
    """
    if word is None and number is None or following is None or word in _NOT_PLAIN:
        return False
    return not (number and following.group("word") in State.months)


def _word_before(line: str, at: int) -> tuple[str | None, str | None]:
    """The plain word or the number of two digits or more right before ``at``, as ``_WORD_BEFORE``
    finds them (its groups ``word`` and ``number``; None, None where it finds neither).

    The match ends at ``at`` and holds no space, so it can only be the token before ``at``
    (the run of characters that are not spaces), whole: read at once, not searched for.
    """
    window = max(0, at - _WORD_WINDOW)
    if at == window or line[at - 1].isspace():
        return None, None  # no token ends at the stop
    token = line[window:at].rsplit(None, 1)[-1]
    start = at - len(token)
    if start == window and start and not line[start - 1].isspace():
        return None, None  # a token longer than the window, which the pattern cannot match whole
    if _PLAIN_WORD.fullmatch(token):
        return token, None
    if start >= 2 and line[start - 1] == " " and not line[start - 2].isspace() and _DIGITS.fullmatch(token):
        return None, token
    return None, None


_OPENING, _CLOSING = frozenset(State.opening_brackets), frozenset(State.closing_brackets)
_BRACKET = re.compile("[" + re.escape("".join(sorted(_OPENING | _CLOSING))) + "]")


def _plain_ends(line: str) -> list[int]:
    """Where ``line`` certainly ends a sentence: at plain stops outside any brackets.

    syntok starts afresh after every sentence it ends, so the text between two such ends
    is split by syntok alone exactly as it would be within the whole line.
    """
    ends, depth = [], 0
    initials = {match.end() - 1 for match in _INITIALS.finditer(line)}
    brackets = iter(_BRACKET.finditer(line))
    bracket = next(brackets, None)
    for stop in _TERMINAL.finditer(line):
        at = stop.start()
        while bracket is not None and bracket.start() < at:
            depth = depth + 1 if bracket.group() in _OPENING else max(depth - 1, 0)
            bracket = next(brackets, None)
        if depth or at in initials or line[at + 1: at + 2] != " ":
            continue
        if _splits_here(*_word_before(line, at), _NEXT_WORD.match(line, at + 1)):
            ends.append(at + 1)
    return ends


@lru_cache(maxsize=4096)
def _syntok_spans(line: str) -> tuple[tuple[int, int], ...]:
    """Where syntok's sentences lie in ``line``: split by ``_plain_spans`` where it can, else by syntok.

    A line that needs syntok somewhere is first cut at its plain sentence ends
    (``_plain_ends``), and syntok reads only the pieces that need it.
    """
    plain = _plain_spans(line)
    if plain is not None:
        return plain
    spans: list[tuple[int, int]] = []
    start = 0
    for end in (*_plain_ends(line), len(line)):
        piece = line[start:end]
        found = _plain_spans(piece)
        if found is None:
            found = _syntok_segmented(piece)
        spans.extend((start + first, start + last) for first, last in found)
        start = end
    return tuple(spans)


def _syntok_segmented(line: str) -> tuple[tuple[int, int], ...]:
    """Where syntok's sentences lie in ``line``, by syntok itself."""
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
