"""Case-insensitive matching, made fast: lowercase patterns on lowercased text.

Python's regex engine tries a case-insensitive list of words at a position one word at a
time; a lowercase one, matched case-sensitively, it turns away by the first letter, and a
pattern that opens with a letter it skips to in one tight loop. So the toolkit runs its
case-insensitive patterns, lowercased by ``caseless``, on text lowercased by ``lowered``,
which keeps every offset: the same matches at the same places, two to four times as fast.
And as the engine skips to a pattern whose every alternative opens with a letter,
``letter_first`` rewrites a pattern that way (``quick`` does both).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "INLINE_FLAGS", "Ending", "Quick", "before_spaces", "by_last", "caseless", "ending", "endings", "letter_first", "lowered",
    "openings", "quick",
]

#: an inline flag ("(?-i:IT)"), whose meaning lowercasing would change
INLINE_FLAGS = re.compile(r"\(\?(?:[aiLmsux]+(?:-[imsx]+)?|-[imsx]+)[:)]")
#: the parts of a pattern: an escape and a group's name keep their case, the rest is lowercased
_PARTS = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[^\\(]+|\(")


def caseless(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern``, case-insensitive, for lowercased text, matched case-sensitively.

    Escapes and group names keep their case ("\\W" is not "\\w"). A pattern with an inline
    flag is refused (``ValueError``): lowercasing could change what it matches.
    """
    if INLINE_FLAGS.search(pattern.pattern):
        raise ValueError(f"an inline flag in {pattern.pattern!r}: lowercasing could change its meaning")
    source = _PARTS.sub(lambda part: part.group() if part.group()[0] in "\\(" else part.group().lower(), pattern.pattern)
    return re.compile(source, pattern.flags & ~re.IGNORECASE)


@lru_cache(maxsize=4096)
def lowered(text: str) -> str:
    """``text`` in lowercase, character for character, so that every offset in it is one in ``text``.

    Cached, as every detector reads the same lines and sentences (and the whole article); the
    cache is bounded by its number of texts, most of them lines and sentences.
    """
    lowercase = text.lower()
    if len(lowercase) == len(text):
        return lowercase
    return "".join(lower if len(lower := char.lower()) == 1 else char for char in text)  # "İ" is two in lowercase


def letter_first(source: str) -> str:
    """``source`` with every alternative opening with its first letter, where that can be done; else ``source``.

    The engine skips to a pattern whose every alternative opens with a literal character in one
    tight loop, and tries a pattern that opens with ``\\b`` or a lookbehind at every character.
    So ``\\b(?:to|for)\\s+kyiv|(?<!own\\s)\\bproduc`` is rewritten as
    ``t(?<!\\w.)o\\s+kyiv|f(?<!\\w.)or\\s+kyiv|p(?<!own\\s.)(?<!\\w.)roduc``: a ``\\b`` before a letter
    is "no word character before it", and a lookbehind moves past the letter with one character
    more. A group that opens an alternative is spread over its own alternatives, and the
    alternatives are grouped by their first letter ("d(?:ead|ied)").

    The rewritten pattern matches where and as the original does: at any place only the
    alternatives that open with its character can match, and they keep their order. Its groups
    are spread with their alternatives, so what a group matched is not to be read from it
    (``quick`` drops their names).
    """
    by_letter: dict[str, list[str]] = {}
    for alternative in _alternatives(source):
        rewritten = _opening_letters(alternative)
        if rewritten is None:
            return source
        for opened in rewritten:
            by_letter.setdefault(opened[0], []).append(opened[1:])
    # "d(?<!\w.)(?:ead|ied)": the engine tries one letter per group, not one per alternative
    return "|".join(_grouped(letter, rests) for letter, rests in by_letter.items())


def _grouped(letter: str, rests: list[str]) -> str:
    """``letter`` and the alternatives that follow it, their shared opening lookbehinds tested once."""
    if len(rests) == 1:
        return f"{letter}{rests[0]}"
    shared = ""
    while rests[0].startswith(("(?<!", "(?<=")):
        behind = rests[0][: _closing(rests[0], 0) + 1]
        if not all(rest.startswith(behind) for rest in rests):
            break
        shared += behind
        rests = [rest[len(behind):] for rest in rests]
    return f"{letter}{shared}(?:{'|'.join(rests)})"


def _opening_letters(alternative: str) -> list[str] | None:
    """``alternative`` as alternatives that each open with a letter (or a digit), or None."""
    position, behind = 0, []
    while True:  # the assertions before the first character, as lookbehinds after it
        if alternative.startswith(r"\b", position):
            behind.append(r"(?<!\w.)")
            position += 2
        elif alternative.startswith(("(?<!", "(?<="), position):
            end = _closing(alternative, position)
            behind.append(f"{alternative[position:end]}.)")
            position = end + 1
        else:
            break
    rest = alternative[position:]
    if rest[:1].isalnum() and rest[1:2] not in _QUANTIFIERS:
        return [f"{rest[0]}{''.join(behind)}{rest[1:]}"]
    letters = _LETTER_CLASS.match(rest)
    if letters is not None:  # "[Tt]he": one alternative per letter
        return [f"{letter}{''.join(behind)}{rest[letters.end():]}" for letter in letters.group(1)]
    opening = alternative[:position]
    if rest[:1].isalnum() and rest[1:2] == "?" and rest[2:3] not in ("?", "+"):
        # "J?SDF": with the letter and without it
        return _spread(opening, [rest[0], ""], rest[2:])
    if rest.startswith("(?:"):
        end = _closing(rest, 0)
        after = rest[end + 1:]
        if after[:1] == "?" and after[1:2] not in ("?", "+"):
            # "(?:Japan\s+)?Self-Defense": with the group and without it
            return _spread(opening, [*_alternatives(rest[3:end]), ""], after[1:])
        if after[:1] in _QUANTIFIERS:
            return None
        return _spread(opening, _alternatives(rest[3:end]), after)
    return None


def _spread(opening: str, heads: list[str], rest: str) -> list[str] | None:
    """``opening`` + each of ``heads`` + ``rest``, each opened with its letter, or None."""
    spread = []
    for head in heads:
        rewritten = _opening_letters(f"{opening}{head}{rest}")
        if rewritten is None:
            return None
        spread.extend(rewritten)
    return spread


_QUANTIFIERS = ("?", "*", "+", "{")
#: a class of a few letters, not repeated: "[Tt]"
_LETTER_CLASS = re.compile(r"\[([^\W\d_]{1,8})\](?![?*+{])")


class Quick(NamedTuple):
    """A pattern made fast (``quick``): it finds the matches the original finds, at the same places."""

    pattern: re.Pattern[str]
    lowercase: bool  # searched in the lowercased text

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.pattern.search(lowered(text) if self.lowercase else text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.pattern.match(lowered(text) if self.lowercase else text, pos, endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(lowered(text) if self.lowercase else text)


def quick(pattern: re.Pattern[str]) -> Quick:
    """``pattern`` made fast: lowercase where it is case-insensitive (``caseless``), its
    alternatives opened with their letters (``letter_first``). Its matches are the original's,
    at the same places, but in lowercase text where it is case-insensitive (read the original
    text at their offsets) and without their groups.

    Made once per pattern: the rules of the built-in plugins share half of theirs ("killed|dead|...").
    """
    if pattern not in _QUICK:
        _QUICK[pattern] = _made_quick(pattern)
    return _QUICK[pattern]


#: every pattern ``quick`` has made fast (a plain dict: bounded by the patterns plugins declare, and
#: kept when the toolkit's caches of text are cleared)
_QUICK: dict[re.Pattern[str], Quick] = {}


def _made_quick(pattern: re.Pattern[str]) -> Quick:
    source, lowercase = pattern.pattern, False
    if pattern.flags & re.IGNORECASE and not INLINE_FLAGS.search(source):
        source, lowercase = caseless(pattern).pattern, True
    if not _BACKREFERENCE.search(source):
        source = _GROUP_NAME.sub("(?:", source)  # what a group matched is not read, and it may be spread
    flags = pattern.flags & ~re.IGNORECASE if lowercase else pattern.flags
    try:
        return Quick(re.compile(letter_first(source), flags), lowercase)
    except re.error:  # a group spread twice under one name or number: the pattern as it was
        return Quick(re.compile(source, flags), lowercase)


def openings(pattern: re.Pattern[str], longest: int = 8) -> tuple[str, ...] | None:
    """Texts of which every match of ``pattern`` opens with one, or None where a match may open otherwise.

    ``troop|service\\s*member|\\bmen\\b`` gives ``("men", "troop", "service")``: a search for
    those (as an automaton finds them all in one pass) and ``pattern.match`` where one opens finds
    what ``pattern.search`` finds. None where an alternative opens with a class, a repeat or fewer
    than two known characters, or where ``pattern`` is case-insensitive (``quick`` makes it
    lowercase). Each text is cut at ``longest`` characters; none opens another.
    """
    return _texts(pattern, longest, backwards=False, shortest=2)


def endings(pattern: re.Pattern[str], longest: int = 8) -> tuple[str, ...] | None:
    """Texts of which every match of ``pattern`` ends with one, spaces at its end left aside, or None.

    For a pattern anchored at the end of a window before an amount ("more than" in "more than
    11,000"): where the text before the window's end, its spaces stripped, ends with none of
    them (``str.endswith`` takes them all at once), the pattern cannot match there.
    ``(?:more|greater)\\s+than|\\bover|Number\\s+)\\s*$`` gives ``("over", "than", "number")``.
    """
    return _texts(pattern, longest, backwards=True, shortest=1)


class Ending(NamedTuple):
    """A pattern that matches only at the end of its window ("more than" right before "11,000"),
    searched only where the window, its spaces at the end left aside, ends with one of its
    ``endings``: most windows are turned away by one ``str.endswith``, where the engine would
    try the pattern at every character of the window."""

    pattern: re.Pattern[str]
    endings: tuple[str, ...] | None
    lowercase: bool  # searched in the lowercased text
    by_last: dict[str, tuple[str, ...]] | None = None  # ``endings`` by their last character (``by_last``)

    def search(self, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        if self.lowercase:
            text = lowered(text)
        end = len(text) if end is None else end
        if self.by_last is not None:
            # the window without its spaces at the end (as ``before_spaces`` finds them), tested
            # against the endings that end with its last character
            window = text[start:end].rstrip()
            if not window or not window.endswith(self.by_last.get(window[-1], ())):
                return None
        return self.pattern.search(text, start, end)


def by_last(texts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``texts`` grouped by their last character: a text ends with one of them only if it ends with
    one of those that end as it does, which one ``str.endswith`` of a few tells."""
    grouped: dict[str, list[str]] = {}
    for text in texts:
        grouped.setdefault(text[-1], []).append(text)
    return {last: tuple(group) for last, group in grouped.items()}


def before_spaces(text: str, start: int, end: int) -> int:
    """Where the spaces that end ``text[start:end]`` begin (``end`` where it ends with none)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def ending(pattern: re.Pattern[str]) -> Ending:
    """``pattern`` (which matches only at the end of its window: "...\\s+$") made fast, as
    ``Ending``; lowercase on the lowercased text where it is case-insensitive (``caseless``)."""
    lowercase = bool(pattern.flags & re.IGNORECASE) and not INLINE_FLAGS.search(pattern.pattern)
    if lowercase:
        pattern = caseless(pattern)
    found = endings(pattern)
    return Ending(pattern, found, lowercase, None if found is None else by_last(found))


def _texts(pattern: re.Pattern[str], longest: int, *, backwards: bool, shortest: int) -> tuple[str, ...] | None:
    if pattern.flags & re.IGNORECASE:
        return None
    try:  # the parser is the standard library's own, not a public module: without it, no texts
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        found = {text for text, _ in _openings(parsed, longest, backwards=backwards)}
    except (ImportError, AttributeError, re.error):
        return None
    if any(len(text) < shortest for text in found):
        return None
    kept: list[str] = []
    for text in sorted(found, key=lambda text: (len(text), text)):  # "troop" covers "troops"
        if not (text.endswith(tuple(kept)) if backwards else text.startswith(tuple(kept))):
            kept.append(text)
    return tuple(kept)


#: how many texts are followed at once; past that, each is cut where it has got to
_MOST_OPENINGS = 400


def _openings(items, longest: int, *, backwards: bool = False, at_end: bool = True) -> set[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """The texts every match of the parsed ``items`` opens (or, ``backwards``, ends) with, cut at
    ``longest``: each with whether it may go on (a text stops at a class or after a repeat, and
    may be ""). Read backwards, spaces at the end of the whole pattern (``at_end``: nothing
    follows ``items``) are left aside."""
    from re import _constants as c  # type: ignore[attr-defined]

    texts = {("", True)}
    for op, value in reversed(list(items)) if backwards else items:
        if not any(going_on for _, going_on in texts):
            break
        # backwards, whether nothing but spaces follows this item in the whole pattern
        last = backwards and at_end and texts == {("", True)}
        if op is c.LITERAL:
            after = {(chr(value), True)}
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # "\\b", a lookbehind: no character of its own
            after = {("", True)}
        elif last and _spaces(op, value, c):
            after = {("", True)}  # "than\\s+$": read before the spaces
        elif op is c.SUBPATTERN:
            after = _openings(value[-1], longest, backwards=backwards, at_end=last)
        elif op is c.ATOMIC_GROUP:
            after = _openings(value, longest, backwards=backwards, at_end=last)
        elif op is c.BRANCH:
            after = set().union(*(_openings(branch, longest, backwards=backwards, at_end=last) for branch in value[1]))
        elif op is c.IN and len(value) <= 8 and all(kind is c.LITERAL for kind, _ in value):
            after = {(chr(char), True) for _, char in value}  # "[34]", "[$€£]"
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, repeated = value
            inner = _openings(repeated, longest, backwards=backwards, at_end=last)
            if low == high == 1:
                after = inner
            elif low == 0 and high == 1:  # "s?", "(?:Japan\\s+)?": without it, or with it
                after = {("", True)} | inner
            else:  # what follows a repeat is not followed
                after = ({("", True)} if low == 0 else set()) | {(text, False) for text, _ in inner}
        else:  # a class, any character, a back reference: where the texts stop
            after = {("", False)}
        texts = {(text, False) for text, going_on in texts if not going_on} | {
            (joined[-longest:] if backwards else joined[:longest], more and len(joined) < longest)
            for text, going_on in texts if going_on for tail, more in after
            for joined in ((tail + text) if backwards else (text + tail),)
        }
        if len(texts) > _MOST_OPENINGS:
            return {(text, False) for text, _ in texts}
    return texts


def _spaces(op, value, c) -> bool:  # type: ignore[no-untyped-def]
    """Whether the parsed item matches spaces only: "\\s", "\\s+", "\\s*", " "."""
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return all(_spaces(*item, c) for item in value[2])
    if op is c.LITERAL:
        return chr(value).isspace()
    return op is c.IN and all(
        kind is c.CATEGORY and char is c.CATEGORY_SPACE or kind is c.LITERAL and chr(char).isspace()
        for kind, char in value
    )


_GROUP_NAME = re.compile(r"(?<!\\)\(\?P<\w+>")
_BACKREFERENCE = re.compile(r"\(\?P=|\\\d")


def _alternatives(source: str) -> list[str]:
    """The top-level alternatives of ``source``."""
    found, start, depth = [], 0, 0
    for position, char in _syntax(source):
        if char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            found.append(source[start:position])
            start = position + 1
    found.append(source[start:])
    return found


def _closing(source: str, opening: int) -> int:
    """Where the group opened at ``opening`` closes."""
    depth = 0
    for position, char in _syntax(source, opening):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position
    raise ValueError(f"unbalanced group in {source!r}")


def _syntax(source: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The characters of ``source`` from ``start`` that may be its syntax, with their places: none escaped, none in a class."""
    position = start
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = _class_end(source, position) + 1
            continue
        yield position, char
        position += 1


def _class_end(source: str, opening: int) -> int:
    """Where the character class opened at ``opening`` closes ("[]a]" and "[^]a]" hold a "]")."""
    position = opening + 1
    if source[position: position + 1] == "^":
        position += 1
    if source[position: position + 1] == "]":
        position += 1
    while position < len(source) and source[position] != "]":
        position += 2 if source[position] == "\\" else 1
    return position
