"""Run the benchmarks and write benchmarks/results.md and benchmarks/results.json.

::

    .venv/bin/python -m benchmarks            # everything, under 15 minutes on 2 cores
    .venv/bin/python -m benchmarks --quick    # a smaller sample of each, under a minute
    .venv/bin/python -m benchmarks --only pipeline --only polling

The corpus is read from ``$MONITOR_CORPUS`` or ``../shared/corpus``; a
benchmark that needs it is skipped, with the reason, where it is absent.
Figures are measurements, never asserted: the exit status is 0 unless a
benchmark crashed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from .common import Result, Skipped, corpus_dir, machine
from .report import render_markdown

#: name → module in this package with ``run(*, quick) -> Result``
BENCHMARKS = {
    "pipeline": "pipeline",
    "detectors": "external",
    "segmenters": "external",
    "quality": "external",
    "polling": "polling",
    "load": "external",
    "memory": "memory",
    "startup": "startup",
    "profile": "profile",
}
HERE = Path(__file__).resolve().parent


def run_one(name: str, *, quick: bool) -> Result:
    """One benchmark's result; skipped or crashed ones carry the reason."""
    start = time.perf_counter()
    try:
        module = importlib.import_module(f".{BENCHMARKS[name]}", __package__)
        result = module.run(quick=quick) if BENCHMARKS[name] != "external" else module.run(name, quick=quick)
    except Skipped as exc:
        result = Result(name, name, "", skipped=str(exc))
    except Exception as exc:  # one broken benchmark must not lose the others' figures
        traceback.print_exc()
        result = Result(name, name, "", skipped=f"crashed: {exc.__class__.__name__}: {exc}")
    result.seconds = round(time.perf_counter() - start, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples: under a minute")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    parser.add_argument("--output", type=Path, default=HERE, help="folder for results.md and results.json")
    args = parser.parse_args(argv)
    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    started = datetime.now(UTC)
    machine_at_start = machine()  # the commit and load average the run began with
    results = []
    for name in names:
        print(f"[benchmarks] {name} …", file=sys.stderr, flush=True)
        result = run_one(name, quick=args.quick)
        status = f"skipped: {result.skipped}" if result.skipped else "done"
        print(f"[benchmarks] {name}: {status} ({result.seconds} s)", file=sys.stderr, flush=True)
        results.append(result)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "mode": "quick" if args.quick else "full",
        "corpus": str(corpus_dir()),
        "machine": machine_at_start,
        "benchmarks": [asdict(r) for r in results],
    }
    args.output.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (args.output / f"results{suffix}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (args.output / f"results{suffix}.md").write_text(render_markdown(report))
    print(f"[benchmarks] wrote {args.output / f'results{suffix}.md'} in {report['seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
