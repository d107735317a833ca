"""Benchmarks written beside the stages they measure, folded into the one report.

``detectors.run(corpus, quick)``, ``segmenters.measure(quick)`` (or ``run``),
``quality.score(dir)`` and ``load.run(quick)`` return dicts; each is imported
only when asked for, and reported "not available" when its module is missing.
"""

from __future__ import annotations

import importlib

from .common import Result, Skipped, Target, corpus_dir

TITLES = {
    "detectors": "Detectors: speed per core, and cost beside extraction",
    "segmenters": "Sentence segmenters compared",
    "quality": "Detector quality on the development set",
    "load": "Load test",
}


def _module(name: str):
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"benchmarks.{name}", "benchmarks"):
            raise Skipped(f"not available (benchmarks/{name}.py is not there yet)") from None
        raise


def run(name: str, *, quick: bool) -> Result:
    module = _module(name)
    if name == "detectors":
        if not (corpus_dir() / "pages").is_dir():
            raise Skipped(f"no corpus at {corpus_dir()} (set MONITOR_CORPUS)")
        found = module.run(corpus_dir(), quick)
    elif name == "segmenters":
        found = module.run(quick=quick) if hasattr(module, "run") else module.measure(quick=quick)
    elif name == "quality":
        found = module.score()
    else:
        found = module.run(quick=quick)
    if isinstance(found, dict) and "skipped" in found:
        raise Skipped(str(found["skipped"]))
    result = Result(name, TITLES[name], (module.__doc__ or "").strip().split("\n\n")[0], data=found)
    result.tables.extend(tables(name, found))
    if name == "detectors":
        detector_targets(result, found)
    elif name == "segmenters":
        result.notes.append(f"cases: hand-written hard cases split exactly right, of {len(module.CASES)}; "
                            f"seed_sentences: sentences quoted from the seeds that come out whole, "
                            f"of {len(module.SEED_SENTENCES)}")
        missing = [n for n, row in found.items() if row.get("skipped")]
        if missing:
            result.notes.append(f"**not compared, not installed: {', '.join(missing)}** "
                                "(`pip install -e '.[bench]'` installs them; see the skipped column)")
    return result


#: per benchmark, nested results shown side by side in one table: caption -> keys (one row each)
GROUPS = {
    "load": {"runs (each `monitor check` a subprocess; peak RSS is that child's own)":
             ("first_poll", "rerun_unchanged", "first_poll_ulimit_v_1g")},
    "quality": {"on the matched required labels: qualifier accuracy, increment and value_max agreement":
                ("qualifier", "increment", "value_max")},
}
#: captions for nested results shown alone
CAPTIONS = {
    "on_topic": "on-topic articles: extraction and detection of the same pages",
    "on_topic_by_source": "on-topic articles by source",
    "on_topic_in_real_pages": "the same on-topic articles carried by real news pages (their paragraphs replaced)",
    "on_topic_profile": "profile of detection on the on-topic articles (cProfile, one pass): top functions by own "
                        "time; shares are of the profiled time, which cProfile inflates",
    "on_topic_profile_project": "profile of detection on the on-topic articles: the project's functions by "
                                "cumulative time (nested: shares overlap)",
    "overall": "overall precision, recall and F1 (micro-averaged)",
    "no_figure_files": "labelled files with no figure: how many are clean (no false positive)",
}
#: longest table written from a list of rows; the whole list stays in results.json
MAX_ROWS = 40


def tables(name: str, found: dict) -> list[tuple[str, list[dict]]]:
    """``found`` as captioned tables: its scalars, then one table per nested result.

    A dict of dicts (one row per key, segmenters' whole result among them), a flat dict
    (one row), a list of dicts (one row each), or a group of flat dicts named in ``GROUPS``.
    Lists of scalars go into the figures row as text; nothing nested is dropped.
    """
    if found and all(isinstance(v, dict) for v in found.values()):
        return [("results", _rows(found))]
    out: list[tuple[str, list[dict]]] = []
    scalars = {k: _cell_value(v) for k, v in found.items()
               if not isinstance(v, dict | list) or (isinstance(v, list) and not any(isinstance(x, dict) for x in v))}
    grouped = {key for keys in GROUPS.get(name, {}).values() for key in keys}
    for key in grouped:
        if key in found and found[key] is None:
            scalars[key] = "not run"
    if scalars:
        out.append(("figures", [scalars]))
    for caption, keys in GROUPS.get(name, {}).items():
        rows = [{"": key, **_flat(found[key])} for key in keys if isinstance(found.get(key), dict)]
        if rows:
            out.append((caption, rows))
    for key, value in found.items():
        if key in grouped or key in scalars:
            continue
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            out.append((CAPTIONS.get(key, key), _rows(value)))
        elif isinstance(value, dict):
            out.append((CAPTIONS.get(key, key), [_flat(value)] if value else []))
        elif isinstance(value, list):
            rows = [_flat(v) if isinstance(v, dict) else {"value": _cell_value(v)} for v in value]
            caption = CAPTIONS.get(key, key)
            if len(rows) > MAX_ROWS:
                caption += f" (first {MAX_ROWS} of {len(rows)}; all in results.json)"
            out.append((caption, rows[:MAX_ROWS]))
    return out


def detector_targets(result: Result, found: dict) -> None:
    if "detect_to_extract_ratio" in found:
        ratio = found["detect_to_extract_ratio"]
        result.targets.append(Target(
            "detection time / extraction time, corpus pages", "< 0.10", round(ratio, 4), ratio < 0.1,
            f"{found.get('detect_articles_per_second_per_core', 0):,.0f} articles/s per core; "
            f"{found.get('figures_found', 0)} figures found: mostly off-topic pages, flattering"))
    on_topic = found.get("on_topic")
    if isinstance(on_topic, dict) and "detect_to_extract_ratio" in on_topic:
        ratio = on_topic["detect_to_extract_ratio"]
        for name, pages, what in (
            ("on-topic articles (same pages)", on_topic, "pages of"),
            ("the same articles in real news pages", found.get("on_topic_in_real_pages"), "corpus news pages of"),
        ):
            if isinstance(pages, dict) and "detect_to_extract_ratio" in pages:
                share = pages["detect_to_extract_ratio"]
                result.targets.append(Target(
                    f"detection time / extraction time, {name}", "< 0.10", round(share, 4), share < 0.1,
                    f"{pages.get('pages', 0)} {what} {pages.get('html_kb_per_page', 0)} kB HTML: "
                    f"{pages.get('detect_ms_per_page', 0):.2f} ms of detection beside "
                    f"{pages.get('extract_ms_per_page', 0):.1f} ms of extraction, {pages.get('figures_found', 0)} figures found"))
        beside = on_topic.get("detect_ms_over_corpus_page_extract_ms")
        if beside is not None:
            result.targets.append(Target(
                "on-topic detection time / extraction time of a corpus page", "< 0.10", round(beside, 4),
                beside < 0.1, "an estimate for a real on-topic page: its detection beside a typical page's "
                "extraction"))
        top = found.get("on_topic_profile") or []
        project = found.get("on_topic_profile_project") or []
        if top:
            result.notes.append(
                f"on-topic detection takes {on_topic['detect_ms_per_page']:.2f} ms per article, "
                f"{ratio:.2f}x the extraction of the same page; the profile's top costs by own time: "
                + "; ".join(f"{r['function']} {r['own_share']:.0%} (from {r['main_callers']})" for r in top[:3])
                + (". By cumulative time: " + "; ".join(f"{r['function']} {r['cumulative_share']:.0%}"
                                                        for r in project[:6]) if project else ""))


def _rows(value: dict) -> list[dict]:
    return [{"": k, **_flat(v)} for k, v in value.items()]


def _flat(value: dict) -> dict:
    """One row: scalars as they are, nested dicts kept (the table shows them as ``k: v`` text)."""
    return {k: _cell_value(v) for k, v in value.items()}


def _cell_value(value: object) -> object:
    if isinstance(value, dict):
        return {k: _cell_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return ", ".join(str(_round(v)) for v in value) if value else "none"
    return _round(value)


def _round(value: object) -> object:
    return round(value, 4) if isinstance(value, float) else value
