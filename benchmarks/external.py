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
    result = Result(name, TITLES[name], (module.__doc__ or "").strip().split("\n\n")[0])
    scalars = {k: v for k, v in found.items() if not isinstance(v, dict | list)}
    if scalars:
        result.tables.append(("figures", [{k: _round(v) for k, v in scalars.items()}]))
    for key, value in found.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            result.tables.append((key, [{"": k, **{c: _round(x) for c, x in v.items() if not isinstance(x, list | dict)}}
                                        for k, v in value.items()]))
    if name == "detectors" and "detect_to_extract_ratio" in found:
        ratio = found["detect_to_extract_ratio"]
        result.targets.append(Target("detection time / extraction time", "< 0.10", round(ratio, 4), ratio < 0.1,
                                     f"{found.get('detect_articles_per_second_per_core', 0):,.0f} articles/s "
                                     "per core"))
    return result


def _round(value: object) -> object:
    return round(value, 4) if isinstance(value, float) else value
