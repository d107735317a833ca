"""Profile of the pipeline's stages, and the two switches measured before choosing.

1. cProfile over ``check_once`` (one process) on a sample of corpus pages,
   cumulative time per stage.
2. feedparser with HTML sanitising and relative-URI resolution on (its
   defaults) and off (what ``monitor.sources`` does: the page is extracted
   anyway), over every corpus feed.
3. trafilatura default vs. ``fast=True`` (no fallback extractors; what
   ``monitor.extract`` uses, chosen on these figures): speed, and
   bag-of-words F1 against ``truth/bodies.json`` (words split on ``\\w+``,
   CJK, Thai and Burmese by character), as the corpus README describes.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from .common import Result, Skipped, corpus_dir, corpus_pages
from .server import PageServer

STAGES = {
    "extract (trafilatura)": ("monitor/extract.py", "extract_page"),
    "fetch page (httpx, in prefetch threads: not on this thread)": ("monitor/pipeline.py", "fetch_page"),
    "waiting for a prefetched page": ("concurrent/futures/_base.py", "result"),
    "detect (plugins)": ("monitor/detect.py", "detect_article"),
    "store (SQLite)": ("monitor/store.py", "save_article"),
    "parse feed (feedparser)": ("monitor/sources.py", "parse_feed"),
    "plugin manager": ("monitor/plugins.py", "make_plugin_manager"),
}
_WORD = re.compile(r"[\u0E00-\u0E7F\u1000-\u109F\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF]|\w+")


def stage_profile(paths: list[str]) -> tuple[list[dict], float]:
    from .pipeline import run_pipeline

    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp, \
            PageServer(corpus_dir(), paths) as server:
        profiler = cProfile.Profile()
        profiler.enable()
        seconds, _ = run_pipeline(server.url, len(server.chunks), processes=1, folder=Path(tmp))
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for stage, (file, function) in STAGES.items():
        cumulative = sum(v[3] for (path, _, name), v in stats.items() if path.endswith(file) and name == function)
        rows.append({"stage": stage, "seconds": round(cumulative, 3), "share": f"{cumulative / seconds:.1%}"})
    return rows, seconds


def feedparser_switches(repeat: int) -> list[dict]:
    import feedparser

    feeds = [p.read_bytes() for p in sorted((corpus_dir() / "feeds").rglob("*"))
             if p.is_file() and p.suffix in (".xml", ".rss", ".atom", ".rdf", "")]
    rows = []
    for label, switch in (("on (feedparser defaults)", True), ("off (monitor.sources)", False)):
        start = time.perf_counter()
        for _ in range(repeat):
            for body in feeds:
                feedparser.parse(body, sanitize_html=switch, resolve_relative_uris=switch)
        seconds = time.perf_counter() - start
        rows.append({"sanitize + resolve URIs": label, "feeds": len(feeds) * repeat,
                     "ms_per_feed": round(1000 * seconds / (len(feeds) * repeat), 3)})
    rows[1]["speed-up"] = round(rows[0]["ms_per_feed"] / rows[1]["ms_per_feed"], 2)
    return rows


def bag_f1(found: str, truth: str) -> float:
    a, b = Counter(_WORD.findall(found.lower())), Counter(_WORD.findall(truth.lower()))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def fast_mode(limit: int | None) -> list[dict]:
    import trafilatura

    truth = json.loads((corpus_dir() / "truth" / "bodies.json").read_text(encoding="utf-8"))
    items = sorted(truth.items())[:limit] if limit else sorted(truth.items())
    pages = [((corpus_dir() / path).read_bytes(), entry) for path, entry in items
             if (corpus_dir() / path).is_file()]
    rows = []
    for label, fast in (("default (with fallbacks)", False), ("fast=True", True)):
        scores, start = [], time.perf_counter()
        for body, entry in pages:
            document = trafilatura.bare_extraction(body, url=entry.get("url"), with_metadata=True,
                                                   include_comments=False, include_tables=True, fast=fast)
            scores.append(bag_f1((document.text or "") if document else "", entry.get("body") or ""))
        seconds = time.perf_counter() - start
        rows.append({"trafilatura": label, "pages": len(pages), "ms_per_page": round(1000 * seconds / len(pages), 2),
                     "mean_f1": round(sum(scores) / len(scores), 4),
                     "pages_f1_below_0.5": sum(s < 0.5 for s in scores)})
    return rows


def run(*, quick: bool) -> Result:
    result = Result("profile", "Profile and the switches it points at", __doc__.split("\n\n", 1)[1])
    if not (corpus_dir() / "pages").is_dir():
        raise Skipped(f"no corpus at {corpus_dir()} (set MONITOR_CORPUS)")
    rows, seconds = stage_profile(corpus_pages(limit=20 if quick else 120))
    result.tables.append((f"cProfile, `check_once` in one process ({seconds:.1f} s under the profiler; "
                          "cumulative, fetch runs in prefetch threads and may overlap)", rows))
    result.tables.append(("feedparser switches, every corpus feed", feedparser_switches(1 if quick else 5)))
    result.tables.append(("trafilatura fast mode, pages with a known body", fast_mode(25 if quick else None)))
    return result
