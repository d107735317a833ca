"""Speed of the built-in detectors: articles per second per core, and their cost beside extraction.

Extraction is the pipeline's own: ``monitor.extract.extract_page`` (trafilatura's
``bare_extraction`` with ``fast=True``), and detection is ``detect_article`` with
every built-in plugin, on the text extracted, in one process. The target: detection
costs less than a tenth of extraction. It is measured twice:

* on the corpus pages ($MONITOR_CORPUS, default ../shared/corpus): real pages, but
  nearly all off the story, so the detectors find almost nothing and stop early:
  this ratio flatters them;
* on on-topic articles, the ones the monitor exists for: the HTML pages of the
  labelled development set (tests/data/devset), its text articles and the seeds
  rendered to a plain HTML article page, each extracted and then detected. These
  pages are small (a few kB of markup around the text, where a real news page
  carries 100 kB or more), so extraction is cheap and the ratio is the
  unflattering end; detection per on-topic article beside the extraction of a
  typical corpus page is given as well;
* on the same on-topic articles carried by real news pages (the corpus's
  article-extraction-benchmark pages, their own paragraphs replaced by the article's,
  their navigation, sidebars and scripts kept): the page an on-topic article comes
  in. The figures found there are counted, to show the article was extracted whole.

Detection on the on-topic articles is profiled with cProfile (the top costs by own
time, and the project's functions by cumulative time). Skipped, with a message,
when the corpus is absent.

Usage: ``python -m benchmarks.detectors [--quick]`` (as a module: beside benchmarks/profile.py a
script would shadow the standard library's ``profile``); ``run(corpus, quick)`` returns the numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import html
import importlib
import os
import pkgutil
import pstats
import re
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEVSET = ROOT / "tests" / "data" / "devset"
QUICK_PAGES = 60
#: passes over the on-topic articles (each one extracted and detected afresh every pass)
ROUNDS, QUICK_ROUNDS = 5, 1
PROFILE_ROWS = 10


def _clear_caches() -> None:
    """Forget what the toolkit caches (sentence splits, amounts), so that every article is read as a new one."""
    for cache in _caches():
        cache.cache_clear()


@functools.cache
def _caches() -> tuple:
    """The toolkit's functools caches, found once (the modules are listed on disk)."""
    import monitor.toolkit

    found = []
    for info in pkgutil.iter_modules(monitor.toolkit.__path__):
        module = importlib.import_module(f"monitor.toolkit.{info.name}")
        found.extend(value for value in vars(module).values() if hasattr(value, "cache_clear"))
    return tuple(found)


def article_page(text: str) -> bytes:
    """A plain HTML article page for a text article: its first paragraph is the title."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    title = paragraphs[0].strip("[]") if paragraphs else ""
    body = "\n".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in paragraphs[1:])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head>\n<body><header><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></header>\n"
            f"<main><article><h1>{html.escape(title)}</h1>\n{body}\n</article></main>\n"
            f"<footer><p>&copy; News</p></footer></body></html>\n").encode()


def on_topic_pages() -> list[tuple[str, str, bytes]]:
    """(source, name, HTML) of every on-topic article: devset files with a required figure, and the seeds."""
    pages = []
    if (DEVSET / "labels.toml").is_file():
        with open(DEVSET / "labels.toml", "rb") as fh:
            labels = tomllib.load(fh).get("files", {})
        for name, entry in sorted(labels.items()):
            path = DEVSET / name
            if not path.is_file() or not any(not f.get("optional") for f in entry.get("figures", [])):
                continue
            if path.suffix == ".html":
                pages.append(("devset HTML pages", name, path.read_bytes()))
            else:
                pages.append(("devset text articles, rendered to HTML", name,
                              article_page(path.read_text(encoding="utf-8"))))
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        pages.append(("seeds, rendered to HTML", path.name, article_page(path.read_text(encoding="utf-8"))))
    return pages


#: real news pages to carry the on-topic articles: the article-extraction-benchmark's, whose
#: extracted body is known (truth/bodies.json), so the article container can be found
SHELL_DIR = "pages/aeb"
SHELLS, QUICK_SHELLS = 40, 10


def _body_container(tree):  # type: ignore[no-untyped-def]
    """The element holding most of a page's paragraph text: where its article sits."""
    best, best_len = None, 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        length = sum(len(p.text_content()) for p in element if isinstance(p.tag, str) and p.tag == "p")
        if length > best_len:
            best, best_len = element, length
    return best if best_len >= 500 else None


def in_real_pages(corpus: Path, items: list[tuple[str, str, bytes]], shells: int) -> list[tuple[str, str, bytes]]:
    """``items`` (on-topic article pages) each carried by a real news page of the corpus.

    The page's own paragraphs are replaced by the article's headline and paragraphs; its
    navigation, sidebars, scripts and footers stay, so extraction costs what it costs on a
    real page of that outlet. The pages are taken in turn, so each article gets another one.
    """
    import lxml.html

    pages = []
    for path in sorted((corpus / SHELL_DIR).glob("*.html")):
        try:
            tree = lxml.html.fromstring(path.read_bytes())
        except (ValueError, lxml.etree.ParserError):
            continue
        if _body_container(tree) is not None:
            pages.append(path)
        if len(pages) == shells:
            break
    carried = []
    for index, (_, name, body) in enumerate(items):
        if not pages:
            break
        article = lxml.html.fromstring(body)
        paragraphs = [p for p in article.iter("p", "h1", "li")]
        tree = lxml.html.fromstring(pages[index % len(pages)].read_bytes())
        container = _body_container(tree)
        for old in [p for p in container if isinstance(p.tag, str) and p.tag == "p"]:
            container.remove(old)
        for new in paragraphs:
            copy = lxml.html.fragment_fromstring(lxml.html.tostring(new, encoding="unicode"))
            container.append(copy)
        carried.append(("on-topic articles in real news pages", name, lxml.html.tostring(tree, encoding="utf-8")))
    return carried


def _timed(pm, items: list[tuple[str, str, bytes]], rounds: int) -> dict:
    """Extraction and detection of ``items`` (source, name, HTML), ``rounds`` times; per source and in all."""
    from monitor.detect import detect_article
    from monitor.errors import ExtractError
    from monitor.extract import extract_page

    per_source: dict[str, dict] = {}
    articles = []
    for _ in range(rounds):
        for source, name, body in items:
            row = per_source.setdefault(source, {"pages": 0, "html_bytes": 0, "characters": 0, "extract_s": 0.0,
                                                 "detect_s": 0.0, "figures_found": 0, "failed": 0})
            started = time.perf_counter()
            try:
                article = extract_page(body, url=f"https://news.example/{name}")
            except ExtractError:
                row["failed"] += 1
                continue
            row["extract_s"] += time.perf_counter() - started
            _clear_caches()
            started = time.perf_counter()
            detection = detect_article(pm, article)
            row["detect_s"] += time.perf_counter() - started
            row["pages"] += 1
            row["html_bytes"] += len(body)
            row["characters"] += len(article.text)
            row["figures_found"] += len(detection.figures)
            if len(articles) < len(items):
                articles.append(article)
    return {"per_source": per_source, "articles": articles}


def _summary(rows: list[dict], rounds: int) -> dict:
    pages = sum(r["pages"] for r in rows)
    extract_s, detect_s = sum(r["extract_s"] for r in rows), sum(r["detect_s"] for r in rows)
    return {
        "pages": pages // rounds,
        "extraction_failed": sum(r["failed"] for r in rows) // rounds,
        "html_kb_per_page": round(sum(r["html_bytes"] for r in rows) / pages / 1000, 1) if pages else 0.0,
        "characters_per_page": round(sum(r["characters"] for r in rows) / pages) if pages else 0,
        "extract_ms_per_page": 1000 * extract_s / pages if pages else float("nan"),
        "detect_ms_per_page": 1000 * detect_s / pages if pages else float("nan"),
        "detect_to_extract_ratio": detect_s / extract_s if extract_s else float("nan"),
        "figures_found": sum(r["figures_found"] for r in rows) // rounds,
    }


def profile_detection(pm, articles: list) -> tuple[list[dict], list[dict], float]:
    """cProfile of one detection pass: top functions by own time, project functions by cumulative time."""
    from monitor.detect import detect_article

    profiler = cProfile.Profile()
    for article in articles:
        _clear_caches()
        profiler.enable()
        detect_article(pm, article)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt or float("nan")

    def where(key: tuple) -> str:
        filename, line, function = key
        if not line:  # a built-in: "<method 'search' of 're.Pattern' objects>" -> "re.Pattern.search (built-in)"
            method = re.fullmatch(r"<method '(\w+)' of '([\w.]+)' objects>", function)
            named = re.fullmatch(r"<built-in method ([\w.]+)>", function)
            name = f"{method[2]}.{method[1]}" if method else named[1] if named else function.strip("<>")
            return f"{name} (built-in)"
        parts = Path(filename).parts
        if "site-packages" in parts:
            filename = "/".join(parts[parts.index("site-packages") + 1:])
        elif filename.startswith(str(ROOT) + "/"):
            filename = filename[len(str(ROOT)) + 1:]
        elif len(parts) > 1 and parts[-2].startswith("python3"):
            filename = parts[-1]
        return f"{filename}:{line} {function}"

    entries = [(key, value) for key, value in stats.stats.items()]  # key -> (cc, nc, tt, ct, callers)
    own = sorted(entries, key=lambda kv: kv[1][2], reverse=True)[:PROFILE_ROWS]
    project = [kv for kv in entries if kv[0][0].startswith((str(ROOT / "monitor") + "/", str(ROOT / "plugins") + "/"))
               and not kv[0][0].endswith("monitor/detect.py")]
    cumulative = sorted(project, key=lambda kv: kv[1][3], reverse=True)[:PROFILE_ROWS]

    def row(key: tuple, value: tuple) -> dict:
        calls, _, own_s, cum_s, callers = value
        # the callers that spent the most of this function's own time: where a built-in is called from
        top = sorted(callers.items(), key=lambda kv: kv[1][2], reverse=True)[:3]
        return {"function": where(key), "calls": calls, "own_ms_per_article": 1000 * own_s / len(articles),
                "cumulative_ms_per_article": 1000 * cum_s / len(articles), "own_share": own_s / total,
                "cumulative_share": cum_s / total,
                "main_callers": "; ".join(f"{where(k)} {v[2] / own_s:.0%}" for k, v in top) if own_s else ""}

    return [row(*kv) for kv in own], [row(*kv) for kv in cumulative], 1000 * total / len(articles)


def run(corpus: Path, quick: bool = False) -> dict:
    """Timings over the corpus pages and the on-topic articles: extraction and detection, and a profile."""
    from monitor.plugins import make_plugin_manager

    paths = sorted(corpus.glob("pages/*/*.html"))
    if not paths:
        return {"skipped": f"no pages under {corpus}/pages"}
    if quick:
        paths = paths[:QUICK_PAGES]
    pm = make_plugin_manager(None, entry_points=False)
    corpus_rows = _timed(pm, [("corpus", p.name, p.read_bytes()) for p in paths], 1)["per_source"]
    whole = _summary(list(corpus_rows.values()), 1)
    rounds = QUICK_ROUNDS if quick else ROUNDS
    topical = _timed(pm, on_topic_pages(), rounds)
    on_topic = _summary(list(topical["per_source"].values()), rounds)
    on_topic["detect_ms_over_corpus_page_extract_ms"] = on_topic["detect_ms_per_page"] / whole["extract_ms_per_page"]
    by_source = {source: {k: v for k, v in _summary([row], rounds).items()}
                 for source, row in topical["per_source"].items()}
    shelled = _timed(pm, in_real_pages(corpus, on_topic_pages(), QUICK_SHELLS if quick else SHELLS), rounds)
    in_pages = _summary(list(shelled["per_source"].values()), rounds)
    own, cumulative, profiled_ms = profile_detection(pm, topical["articles"])
    detect_s = whole["detect_ms_per_page"] * whole["pages"] / 1000
    return {
        "extraction": "monitor.extract.extract_page: trafilatura bare_extraction, fast=True",
        "pages": whole["pages"],
        "extraction_failed": whole["extraction_failed"],
        "characters": whole["characters_per_page"] * whole["pages"],
        "extract_ms_per_page": whole["extract_ms_per_page"],
        "detect_ms_per_page": whole["detect_ms_per_page"],
        "detect_articles_per_second_per_core": whole["pages"] / detect_s if detect_s else float("inf"),
        "detect_to_extract_ratio": whole["detect_to_extract_ratio"],
        "figures_found": whole["figures_found"],
        "on_topic": on_topic,
        "on_topic_by_source": by_source,
        "on_topic_in_real_pages": in_pages,
        "on_topic_rounds": rounds,
        "on_topic_profiled_ms_per_article": profiled_ms,
        "on_topic_profile": own,
        "on_topic_profile_project": cumulative,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_PAGES} pages, one pass")
    args = parser.parse_args()
    corpus = Path(os.environ.get("MONITOR_CORPUS", DEFAULT_CORPUS))
    if not corpus.is_dir():
        print(f"skipped: no corpus at {corpus} (set MONITOR_CORPUS)", file=sys.stderr)
        return
    result = run(corpus, quick=args.quick)
    if "skipped" in result:
        print(f"skipped: {result['skipped']}", file=sys.stderr)
        return
    print(f"corpus pages: {result['pages']} ({result['characters']:,} characters extracted)")
    print(f"  extraction ({result['extraction']}): {result['extract_ms_per_page']:.2f} ms/page")
    print(f"  detection (all built-in detectors): {result['detect_ms_per_page']:.3f} ms/page, "
          f"{result['detect_articles_per_second_per_core']:,.0f} articles/s per core, "
          f"{result['figures_found']} figures")
    print(f"  detection / extraction: {result['detect_to_extract_ratio']:.3f} (target < 0.1)")
    t = result["on_topic"]
    print(f"on-topic articles: {t['pages']} ({t['html_kb_per_page']} kB of HTML per page), "
          f"{t['figures_found']} figures")
    print(f"  extraction {t['extract_ms_per_page']:.2f} ms/page, detection {t['detect_ms_per_page']:.2f} ms/page")
    print(f"  detection / extraction: {t['detect_to_extract_ratio']:.3f} (target < 0.1); beside a corpus "
          f"page's extraction: {t['detect_ms_over_corpus_page_extract_ms']:.3f}")
    t = result["on_topic_in_real_pages"]
    print(f"the same articles in real news pages: {t['pages']} ({t['html_kb_per_page']} kB of HTML per page), "
          f"{t['figures_found']} figures")
    print(f"  extraction {t['extract_ms_per_page']:.2f} ms/page, detection {t['detect_ms_per_page']:.2f} ms/page")
    print(f"  detection / extraction: {t['detect_to_extract_ratio']:.3f} (target < 0.1)")
    print("profile of on-topic detection, by own time:")
    for row in result["on_topic_profile"]:
        print(f"  {row['own_share']:6.1%}  {row['own_ms_per_article']:7.3f} ms  {row['function']}")


if __name__ == "__main__":
    main()
