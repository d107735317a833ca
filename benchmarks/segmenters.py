"""Sentence segmenters compared on news text: correctness on hard cases and the seeds, and speed.

Compares syntok (alone, and as the monitor runs it: ``monitor.toolkit.split_sentences``, which
splits plain lines itself as syntok would), pysbd, blingfire, nupunkt and sentencex on

* hand-written news sentences with abbreviations ("U.S.", "U.N.", "N. Korea",
  "Sept.", "No. 3", "Gen.", "p.m.") whose correct split is known;
* the seeds: every sentence quoted by FIGURES.md must come out whole;
* speed: characters per second over the corpus pages extracted with trafilatura
  ($MONITOR_CORPUS, default ../shared/corpus; the speed part is skipped without it).

syntok is a dependency of the project; the others come with the ``bench``
extra (``pip install -e '.[bench]'``). A candidate that is not installed is listed
as skipped, with the reason, rather than silently left out.

Usage: ``python benchmarks/segmenters.py [--quick]``; prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES: list[list[str]] = [
    ["The U.S. and the U.N. said N. Korea sent 11,000 troops in Sept. 2024.", "It was the largest deployment."],
    ["It ranked No. 3 on the list.", "Gen. Kim said so."],
    ["The report, released at 3 p.m. Thursday, was new.", "Mr. Lee agreed."],
    ["S. Korea's spy agency said 1,500 troops left on Oct. 8.", "More followed."],
    ["The U.N. Security Council cap is 500,000 barrels.", "Russia ignored it."],
    ["Russia supplied 1.2 million barrels, the report said.", "Pyongyang denied it."],
    ["\"We will continue,\" the statement said.", "Seoul agreed."],
    ["Approx. 600 were killed, acc. to the NIS.", "About 4,700 were wounded."],
    ["Lt. Gen. Kim Young-bok met U.S. Amb. Smith on Jan. 5.", "They talked."],
    ["The MSMT (est. Oct. 2024) has 11 members.", "It met in Seoul."],
    # plain stops the faster segmenters miss or misplace
    ["Russia sent more than the 500,000-barrel annual cap.", "Each tanker carries 8,000 barrels."],
    ["The MSMT said it had 11 members.", "Their report ran to 29 pages."],
    ["Pyongyang sent troops in 2024.", "Officials said so."],
    ["The losses rose to 4,700 in April.", "The agency said so."],
]
SEED_SENTENCES = [
    "Since November 2024, Moscow has transferred at least one Pantsir mobile air defense system and one "
    "Pantsir-class combat vehicle to Pyongyang, the Multilateral Sanctions Monitoring Team (MSMT) said in "
    "its first report on the sanctions enforcement.",
    "The panel was disbanded in March of the same year due to Russia’s veto.",
    "Besides South Korea and the U.S., nine other countries have joined the mechanism — Australia, Britain, "
    "Canada, France, Germany, Italy, Japan, Netherlands and New Zealand.",
    "The UNSC sanctions cap North Korea’s annual imports of refined petroleum at 500,000 barrels.",
    "The report stated that North Korea sent over 11,000 troops to Russia in 2024, with an additional 3,000 "
    "soldiers dispatched recently.",
    "Under U.N. Security Council sanctions, North Korea can procure no more than 500,000 barrels of refined "
    "petroleum per year.",
    "Russia has also provided the North with missile performance data and technical support to enhance "
    "Pyongyang’s missile guidance capabilities, in a clear violation of U.N.Security Council (UNSC) resolutions "
    "against Pyongyang, which Russia itself voted for as a permanent UNSC member.",
    "Russia has provided N. Korea with Pantsir air defense system, jammers since troop deployment: report",
]


#: every segmenter the comparison is meant to cover
CANDIDATES = ("monitor", "syntok", "pysbd", "blingfire", "nupunkt", "sentencex")
INSTALL_HINT = "pip install -e '.[bench]'"


#: why each candidate that cannot be imported was skipped, filled by ``segmenters()``
UNAVAILABLE: dict[str, str] = {}


def segmenters() -> dict[str, Callable[[str], list[str]]]:
    """The segmenters that can be imported, each as text -> sentences (see ``CANDIDATES``)."""
    found: dict[str, Callable[[str], list[str]]] = {}
    UNAVAILABLE.clear()
    # the monitor's own: syntok, with its English word list and the shortcut for plain lines
    # (imported first: it changes syntok's word list for the raw syntok row below too, so that
    # row measures syntok's speed as the monitor runs it, not another word list)
    from monitor.toolkit import split_sentences

    found["monitor"] = lambda text: [s.text for s in split_sentences(text)]
    try:
        from syntok import segmenter as syntok_segmenter

        def syntok_split(text: str) -> list[str]:
            # the text between each sentence's first and last token: joining the tokens would
            # rewrite some of it ("don’t" comes back as "donot")
            return [text[s[0].offset: s[-1].offset + len(s[-1].value)]
                    for p in syntok_segmenter.analyze(text) for s in p if s]

        found["syntok"] = syntok_split
    except ImportError as exc:
        UNAVAILABLE["syntok"] = _reason(exc)
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        found["pysbd"] = lambda text: [s.strip() for s in seg.segment(text)]
    except ImportError as exc:
        UNAVAILABLE["pysbd"] = _reason(exc)
    try:
        import blingfire

        found["blingfire"] = lambda text: [s for s in blingfire.text_to_sentences(text).split("\n") if s]
    except ImportError as exc:  # blingfire imports numpy without declaring it
        UNAVAILABLE["blingfire"] = _reason(exc)
    try:
        import nupunkt

        found["nupunkt"] = lambda text: [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]
    except ImportError as exc:
        UNAVAILABLE["nupunkt"] = _reason(exc)
    try:
        import sentencex

        found["sentencex"] = lambda text: [s.strip() for s in sentencex.segment("en", text) if s.strip()]
    except ImportError as exc:
        UNAVAILABLE["sentencex"] = _reason(exc)
    return found


def _reason(exc: ImportError) -> str:
    return f"cannot import {exc.name or exc}: {INSTALL_HINT}"


def corpus_texts(corpus: Path, limit: int | None) -> list[str]:
    """The text of the corpus pages, extracted with trafilatura."""
    import trafilatura

    texts = []
    for path in sorted(corpus.glob("pages/*/*.html"))[:limit]:
        text = trafilatura.extract(path.read_bytes())
        if text:
            texts.append(text)
    return texts


#: a stop that ends a sentence beyond doubt: a lowercase word of four letters or more, the stop,
#: then a capitalised word and a lowercase one ("... the annual cap. Each tanker carries")
_PLAIN_STOP = re.compile(r"(?<![\w.'’-])[a-z]{4,}\.(?= [A-Z][a-z]+ [a-z])")


def _plain_stops_split(split: Callable[[str], list[str]], texts: list[str]) -> float:
    """The share of the corpus's plain stops (``_PLAIN_STOP``) at which ``split`` ends a sentence."""
    found = ended = 0
    for text in texts:
        for line in text.splitlines():
            stops = [match.end() for match in _PLAIN_STOP.finditer(line)]
            if not stops:
                continue
            ends, position = set(), 0
            for sentence in split(line):
                at = line.find(sentence, position)
                if at >= 0:
                    position = at + len(sentence)
                    ends.add(position)
            found += len(stops)
            ended += sum(stop in ends for stop in stops)
    return ended / found if found else float("nan")


def measure(quick: bool = False) -> dict[str, dict[str, float | str]]:
    """Per segmenter: hard cases right, seed sentences whole, characters per second.

    A candidate that is not installed has a row ``{"skipped": reason}`` instead.
    """
    corpus = Path(os.environ.get("MONITOR_CORPUS", ROOT.parent / "shared" / "corpus"))
    texts = corpus_texts(corpus, 40 if quick else None) if corpus.is_dir() else []
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    results: dict[str, dict[str, float | str]] = {}
    installed = segmenters()
    for name in CANDIDATES:
        if name not in installed:
            results[name] = {"skipped": UNAVAILABLE.get(name, INSTALL_HINT)}
            continue
        split = installed[name]
        cases_right = sum(split(" ".join(case)) == case for case in CASES)
        seed_sentences = {s for line in seeds.splitlines() for s in split(line)}
        whole = sum(sentence in seed_sentences for sentence in SEED_SENTENCES)
        row = {"cases": cases_right, "seed_sentences": whole}
        if texts:
            row["plain_stops_split"] = _plain_stops_split(split, texts)
            chars = sum(len(t) for t in texts)
            started = time.perf_counter()
            for text in texts:
                for line in text.splitlines():
                    split(line)
            elapsed = time.perf_counter() - started
            row["chars_per_second"] = chars / elapsed
            row["ms_per_page"] = 1000 * elapsed / len(texts)
        results[name] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the first 40 corpus pages")
    args = parser.parse_args()
    results = measure(quick=args.quick)
    print(f"| segmenter | hard cases right (of {len(CASES)}) | seed sentences whole (of {len(SEED_SENTENCES)}) "
          "| plain stops split | chars/s | ms/page |")
    print("|---|---|---|---|---|---|")
    for name, row in results.items():
        if "skipped" in row:
            print(f"| {name} | skipped ({row['skipped']}) | | | | |")
            continue
        speed = (f"{row['plain_stops_split']:.1%} | {row['chars_per_second']:,.0f} | {row['ms_per_page']:.2f}"
                 if "chars_per_second" in row else "- | - | -")
        print(f"| {name} | {row['cases']} | {row['seed_sentences']} | {speed} |")


if __name__ == "__main__":
    main()
