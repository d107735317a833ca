"""Shares of detection's cost as the benchmark pays it: right after an extraction.

Detection run right after an extraction (as ``benchmarks.detectors`` times it, and as the
pipeline runs it) costs a third more than the same detection run again, and not evenly:
a part that runs big regular expressions pays more than its share of a profile taken in a
loop. So each part of the toolkit is measured where it is paid. The on-topic articles
carried by real news pages are extracted and detected, round after round, with every cache
of the toolkit cleared before each detection; in every other article (alternating, so both
halves see the same articles) one part answers from memory what it worked out in an earlier
round. The part's share is the detection time that saves.

    .venv/bin/python -m benchmarks.shares              # about two minutes
    .venv/bin/python -m benchmarks.shares --rounds 20

A share is what making the part free would save, not the part's own time: the work it shares
with others (a lowercased line, say) moves to them. Exit status 0 with the table printed, 2
where the corpus is missing (said why). Times on a shared machine move from run to run; the
alternation keeps the comparison fair, not exact: the first row, where no part answers from
memory, shows how far a share may be off (two or three points in a run of 10 rounds).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from .common import corpus_dir


class _Switch:
    """Whether the part under measurement answers from memory."""

    on = False


def _remembered(function: Callable) -> Callable:
    """``function``, answering from memory (kept across rounds) while the switch is on."""
    memory: dict = {}

    @functools.wraps(function)
    def remembering(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not _Switch.on:
            return function(*args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())))
        if key not in memory:
            memory[key] = function(*args, **kwargs)
        return memory[key]

    return remembering


@contextmanager
def _replaced(owner: object, name: str, cached: bool) -> Iterator[None]:
    """``owner.name`` remembered while measured (inside its functools cache where it has one), then restored."""
    original = getattr(owner, name)
    if cached:
        replacement = functools.lru_cache(original.cache_info().maxsize)(_remembered(original.__wrapped__))
    else:
        replacement = _remembered(original)
    from .detectors import _caches

    setattr(owner, name, replacement)
    _caches.cache_clear()  # the caches cleared before each article are found again: the replacement's among them
    try:
        yield
    finally:
        setattr(owner, name, original)
        _caches.cache_clear()


def _parts() -> dict[str, list[tuple[object, str, bool]]]:
    """Each part measured: the functions it is answered by (owner, name, whether a functools cache)."""
    from monitor.toolkit import keywords, numbers, rules, sentences

    return {
        "none (how far a share may be off)": [],
        "sentence splitting (all)": [(sentences, "_line_sentences", True)],
        "  of which syntok": [(sentences, "_syntok_segmented", False)],
        "amounts (all)": [(numbers, "_quantities", True)],
        "  of which qualifiers before": [(numbers, "_qualify_before", False)],
        # the rules hold the module, so the one replacement serves every caller
        "keyword pass (keywords.named, named_in_article)": [(keywords, "named", True), (keywords, "named_in_article", True)],
        "rules' tests of a figure (Counted.accepts)": [(rules.Counted, "accepts", False)],
        "periods (find_period)": [(rules, "find_period", False)],
        "lines of an article (_lines)": [(rules, "_lines", True)],
    }


def _share(pm, items: list[tuple[str, str, bytes]], rounds: int) -> float:  # type: ignore[no-untyped-def]
    """The detection time saved (a fraction) where the part answers from memory."""
    from monitor.detect import detect_article
    from monitor.extract import extract_page

    from .detectors import _clear_caches

    spent = {False: 0.0, True: 0.0}
    for round_ in range(rounds + 1):  # the first round fills the memory, and is not counted
        for index, (_, name, body) in enumerate(items):
            _Switch.on = bool((index + round_) % 2)
            article = extract_page(body, url=f"https://news.example/{name}")
            _clear_caches()
            started = time.perf_counter()
            detect_article(pm, article)
            if round_:
                spent[_Switch.on] += time.perf_counter() - started
    _Switch.on = False
    return 1 - spent[True] / spent[False]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shares", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds counted for each part (default 10; an even number)")
    args = parser.parse_args(argv)
    if args.rounds < 2 or args.rounds % 2:
        parser.error("--rounds must be an even number, so that each article is read as often each way")
    corpus = corpus_dir()
    if not (corpus / "pages").is_dir():
        print(f"benchmarks.shares: no corpus pages at {corpus} (set MONITOR_CORPUS); nothing measured", file=sys.stderr)
        return 2
    from monitor.plugins import make_plugin_manager

    from .detectors import SHELLS, in_real_pages, on_topic_pages

    items = in_real_pages(corpus, on_topic_pages(), SHELLS)
    pm = make_plugin_manager()
    print(f"share of detection right after extraction, {len(items)} on-topic articles in real news pages:")
    for part, functions in _parts().items():
        with ExitStack() as replaced:
            for owner, name, cached in functions:
                replaced.enter_context(_replaced(owner, name, cached))
            share = _share(pm, items, args.rounds)
        print(f"  {part:<45} {100 * share:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
