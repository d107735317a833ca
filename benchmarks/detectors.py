"""Speed of the built-in detectors: articles per second per core, and their cost beside extraction.

For every page of the corpus ($MONITOR_CORPUS, default ../shared/corpus), time
trafilatura's extraction and then all built-in detectors together on the
extracted text, in one process. The target: detection costs less than a tenth
of extraction. Skipped, with a message, when the corpus is absent.

Usage: ``python benchmarks/detectors.py [--quick]``; ``run(corpus, quick)`` returns the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
QUICK_PAGES = 60


def run(corpus: Path, quick: bool = False) -> dict:
    """Timings over the corpus pages: extraction and detection, per page and in total."""
    import trafilatura

    from monitor.detect import detect_article
    from monitor.plugins import make_plugin_manager
    from monitor.records import Article

    pages = sorted(corpus.glob("pages/*/*.html"))
    if not pages:
        return {"skipped": f"no pages under {corpus}/pages"}
    if quick:
        pages = pages[:QUICK_PAGES]
    pm = make_plugin_manager(None, entry_points=False)
    texts, extract_seconds = [], 0.0
    for path in pages:
        raw = path.read_bytes()
        started = time.perf_counter()
        text = trafilatura.extract(raw) or ""
        extract_seconds += time.perf_counter() - started
        texts.append((path, text))
    detect_seconds, figures = 0.0, 0
    for path, text in texts:
        article = Article(url=path.as_uri(), text=text, extracted_from="page")
        started = time.perf_counter()
        figures += len(detect_article(pm, article).figures)
        detect_seconds += time.perf_counter() - started
    count = len(texts)
    seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    from monitor.toolkit.sentences import _syntok_spans

    started = time.perf_counter()
    for _ in range(20):
        _syntok_spans.cache_clear()  # each pass reads the articles afresh, as a new article would be
        for text in seeds:
            detect_article(pm, Article(url="seed:", text=text, extracted_from="file"))
    seed_ms = 1000 * (time.perf_counter() - started) / (20 * len(seeds))
    return {
        "on_topic_detect_ms_per_article": seed_ms,
        "pages": count,
        "characters": sum(len(t) for _, t in texts),
        "extract_ms_per_page": 1000 * extract_seconds / count,
        "detect_ms_per_page": 1000 * detect_seconds / count,
        "detect_articles_per_second_per_core": count / detect_seconds if detect_seconds else float("inf"),
        "detect_to_extract_ratio": detect_seconds / extract_seconds if extract_seconds else 0.0,
        "figures_found": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_PAGES} pages")
    args = parser.parse_args()
    corpus = Path(os.environ.get("MONITOR_CORPUS", DEFAULT_CORPUS))
    if not corpus.is_dir():
        print(f"skipped: no corpus at {corpus} (set MONITOR_CORPUS)", file=sys.stderr)
        return
    result = run(corpus, quick=args.quick)
    if "skipped" in result:
        print(f"skipped: {result['skipped']}", file=sys.stderr)
        return
    print(f"pages: {result['pages']} ({result['characters']:,} characters extracted)")
    print(f"extraction (trafilatura): {result['extract_ms_per_page']:.2f} ms/page")
    print(f"detection (all built-in detectors): {result['detect_ms_per_page']:.3f} ms/page, "
          f"{result['detect_articles_per_second_per_core']:,.0f} articles/s per core")
    print(f"detection / extraction: {result['detect_to_extract_ratio']:.3f} (target < 0.1)")
    print(f"on-topic articles (the seeds, every detector reading them): "
          f"{result['on_topic_detect_ms_per_article']:.2f} ms/article")
    print(f"figures found: {result['figures_found']}")


if __name__ == "__main__":
    main()
