"""Which detectors' keywords a text names: every detector's, in one pass over it (and whether
it names a number word, for ``numbers.has_number``, in the same pass).

Every detector asks of every line with a number whether it names one of its keywords, so
seven detectors would read each line seven times. ``named(text)`` reads it once for all of
them: an Aho-Corasick automaton (ahocorasick_rs) finds every place where one of the keywords'
openings occurs (``casing.openings``: "troop", "soldier", "kill" ...), and a detector's
pattern is matched at those places only, until it has matched once. A case-sensitive
pattern ("North Korea", a subject's name) is found alike: the automaton finds its openings in
lowercase, and it is matched on the text as written. A pattern whose keywords have no such
openings is searched for as before. The answer has one bit per
detector (``register`` gives each its bit), and is the same as each pattern's ``search``.
Patterns asked of whole articles only (whether one names a subject) are left out of the
automaton that reads every line and sentence, and answered by ``named_in_article``.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick_rs

from .casing import INLINE_FLAGS, Quick, lowered, openings

__all__ = ["named", "named_in_article", "register"]


class _Index(NamedTuple):
    automaton: Any  # ahocorasick_rs.AhoCorasick of the openings, or None where there are none
    openings: tuple[tuple[int, tuple[tuple[int, Quick], ...]], ...]  # each opening's patterns: their bits, and each with its bit
    anchored: int  # the bits of the patterns the automaton finds
    searched: tuple[tuple[int, Quick], ...]  # the patterns without openings, each with its bit


#: every pattern registered, with its place (its bit's), its openings, worked out as it is
#: registered (as plugins load), and whether it is asked of whole articles only; plugins loaded
#: again (a new plugin manager runs their files afresh) register the same patterns, which keep their places
_patterns: dict[Quick, tuple[int, tuple[str, ...] | None, bool]] = {}
#: the automata of every pattern (``named_in_article``) and of those asked of lines too (``named``)
_index: _Index | None = None
_line_index: _Index | None = None
_lock = threading.Lock()


def register(pattern: Quick, *, of_articles: bool = False) -> int:
    """The bit of ``pattern`` (a detector's keywords, made ``quick``) in every ``named`` answer.

    ``of_articles``: the pattern is asked of whole articles only (whether one names a subject),
    so the automaton that reads every line and sentence (``named``) leaves its openings out, and
    only ``named_in_article`` answers for it.
    """
    global _index, _line_index
    with _lock:
        known = _patterns.get(pattern)
        if known is None:
            known = _patterns[pattern] = (len(_patterns), _openings(pattern), of_articles)
        elif known[2] and not of_articles:  # asked of lines too from now on
            known = _patterns[pattern] = (known[0], known[1], False)
        else:
            return 1 << known[0]
        _index = _line_index = None
        named.cache_clear()
        named_in_article.cache_clear()
        return 1 << known[0]


def _openings(pattern: Quick) -> tuple[str, ...] | None:
    """The lowercase texts the automaton finds where ``pattern`` may match (``casing.openings``), or None.

    A case-sensitive pattern's openings are lowercased as ``lowered`` lowercases the text, so
    that one opens wherever the pattern's does. An inline flag ("(?i:...)") could make a
    letter match in another case than the parser shows it: such a pattern is searched for.
    """
    if pattern.lowercase:
        return openings(pattern.pattern)
    if INLINE_FLAGS.search(pattern.pattern.pattern):
        return None
    found = openings(pattern.pattern)
    return None if found is None else tuple(dict.fromkeys(lowered(text) for text in found))


def _built(of_articles: bool) -> _Index:
    """The automaton of every registered pattern's openings (``of_articles``), or of those asked of
    lines too, made when first needed after a pattern is registered."""
    global _index, _line_index
    with _lock:
        built = _index if of_articles else _line_index
        if built is None:
            places: dict[str, list[tuple[int, Quick]]] = {}
            anchored, searched = 0, []
            for pattern, (place, found, article_only) in _patterns.items():
                if article_only and not of_articles:
                    continue
                bit = 1 << place
                if found is None:
                    searched.append((bit, pattern))
                    continue
                anchored |= bit
                for text in found:
                    places.setdefault(text, []).append((bit, pattern))
            automaton = ahocorasick_rs.AhoCorasick(list(places), implementation=ahocorasick_rs.Implementation.DFA) \
                if places else None
            patterns_of = tuple((sum(bit for bit, _ in patterns), tuple(patterns)) for patterns in places.values())
            built = _Index(automaton, patterns_of, anchored, tuple(searched))
            if of_articles:
                _index = built
            else:
                _line_index = built
        return built


@lru_cache(maxsize=4096)
def named(text: str) -> int:
    """The bits of the registered patterns that ``text`` names (as their ``search``), those asked
    of whole articles only left out (0); cached, as every detector asks of the same lines."""
    return _named(_line_index or _built(False), text)


@lru_cache(maxsize=16)
def named_in_article(text: str) -> int:
    """The bits of every registered pattern that ``text``, a whole article, names (as their ``search``); cached."""
    return _named(_index or _built(True), text)


def _named(index: _Index, text: str) -> int:
    found = 0
    for bit, pattern in index.searched:
        if pattern.search(text) is not None:
            found |= bit
    if index.automaton is not None:
        lowercase = lowered(text)
        for place, start, _ in index.automaton.find_matches_as_indexes(lowercase, overlapping=True):
            bits, patterns = index.openings[place]
            if not bits & ~found:
                continue  # every pattern with this opening has been found already
            for bit, pattern in patterns:
                if not found & bit and pattern.pattern.match(lowercase if pattern.lowercase else text, start) is not None:
                    found |= bit
            if (found & index.anchored) == index.anchored:
                break
    return found
