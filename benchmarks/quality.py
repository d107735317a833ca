"""Detector quality on the labelled development set.

Runs ``monitor scan FILE... --json`` once over every file labelled in
``<dir>/labels.toml`` and compares what the detectors report with the labels:

* figures are matched per file as a multiset on (metric, value);
* optional labels count neither as misses when absent nor as false positives
  when found (nor as true positives);
* precision, recall and F1 per metric and overall (micro-averaged);
* qualifier accuracy (and, for information, increment and value_max agreement)
  on the matched required labels.

Usage::

    python benchmarks/quality.py [--dir tests/data/devset] [--json]

It is a measurement, not a test: the exit status is always 0.
``score(dir)`` returns the same numbers as a dict for a benchmarks runner.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "data" / "devset"
SCAN_TIMEOUT = 600  # seconds


# --------------------------------------------------------------------------- labels


def load_labels(directory: Path) -> dict[str, dict]:
    """``{file name: {"notes": str, "figures": [label, ...]}}`` from labels.toml."""
    with open(directory / "labels.toml", "rb") as fh:
        data = tomllib.load(fh)
    files = data.get("files", {})
    out: dict[str, dict] = {}
    for name, entry in files.items():
        figures = []
        for raw in entry.get("figures", []):
            figures.append({
                "metric": raw["metric"],
                "value": raw["value"],
                "value_max": raw.get("value_max"),
                "qualifier": raw.get("qualifier"),
                "increment": bool(raw.get("increment", False)),
                "optional": bool(raw.get("optional", False)),
                "period": raw.get("period"),
            })
        out[name] = {"notes": entry.get("notes", ""), "figures": figures}
    return out


# --------------------------------------------------------------------------- scanning


def monitor_executable() -> Path:
    """The ``monitor`` script of the venv this interpreter belongs to."""
    bindir = Path(sys.executable).parent
    for name in ("monitor", "monitor.exe"):
        candidate = bindir / name
        if candidate.exists():
            return candidate
    return bindir / "monitor"


def run_scan(paths: list[Path]) -> tuple[dict[str, list[dict]], str | None]:
    """Figures per file name from one ``monitor scan --json`` run, and an error line or None."""
    cmd = [str(monitor_executable()), "scan", *map(str, paths), "--json"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=SCAN_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {}, f"monitor scan could not run: {exc}"
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {}, f"monitor scan exited {proc.returncode} without JSON: " + " | ".join(tail)
    found: dict[str, list[dict]] = {}
    for doc in payload.get("documents", []):
        found[Path(doc.get("source", "")).name] = list(doc.get("figures", []))
    error = None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        error = f"monitor scan exited {proc.returncode}: " + " | ".join(tail)
    return found, error


# --------------------------------------------------------------------------- matching


def _same_value(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def match_file(labels: list[dict], figures: list[dict]) -> dict:
    """Pair a file's reported figures with its labels (multiset on (metric, value)).

    Within each (metric, value) group, required labels are served before
    optional ones, and same-qualifier pairs before the rest, so that neither
    the order of the findings nor an arbitrary pairing spoils the scores.
    """
    fig_used = [False] * len(figures)
    lab_used = [False] * len(labels)
    pairs: list[tuple[dict, dict]] = []

    def key_match(lab: dict, fig: dict) -> bool:
        return lab["metric"] == fig.get("metric") and _same_value(lab["value"], fig.get("value"))

    for optional in (False, True):
        for want_same_qualifier in (True, False):
            for i, lab in enumerate(labels):
                if lab_used[i] or lab["optional"] != optional:
                    continue
                for j, fig in enumerate(figures):
                    if fig_used[j] or not key_match(lab, fig):
                        continue
                    if want_same_qualifier and lab["qualifier"] != fig.get("qualifier"):
                        continue
                    lab_used[i] = fig_used[j] = True
                    pairs.append((lab, fig))
                    break
    false_positives = [fig for j, fig in enumerate(figures) if not fig_used[j]]
    misses = [lab for i, lab in enumerate(labels) if not lab_used[i] and not lab["optional"]]
    return {"pairs": pairs, "false_positives": false_positives, "misses": misses}


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4)}


def _ratio(good: int, total: int) -> dict:
    return {"correct": good, "total": total, "accuracy": round(good / total, 4) if total else None}


# --------------------------------------------------------------------------- scoring


def score(directory: Path | str = DEFAULT_DIR) -> dict:
    """Run the detectors over the labelled files in ``directory`` and score them."""
    directory = Path(directory)
    labels = load_labels(directory)
    names = sorted(labels)
    missing_files = [n for n in names if not (directory / n).is_file()]
    names = [n for n in names if n not in missing_files]
    unlabelled = sorted(
        p.name for p in directory.iterdir()
        if p.is_file() and p.name != "labels.toml" and p.name not in labels and not p.name.startswith(".")
    )
    found, error = run_scan([directory / n for n in names]) if names else ({}, None)

    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    qual_ok = qual_total = inc_ok = inc_total = vmax_ok = vmax_total = 0
    qual_confusion: dict[str, int] = defaultdict(int)
    optional_found = 0
    fp_list, miss_list, wrong_qualifiers, per_file = [], [], [], {}
    for name in names:
        result = match_file(labels[name]["figures"], found.get(name, []))
        tp = 0
        for lab, fig in result["pairs"]:
            if lab["optional"]:
                optional_found += 1
                continue
            tp += 1
            counts[lab["metric"]]["tp"] += 1
            if lab["qualifier"] is not None:
                qual_total += 1
                if lab["qualifier"] == fig.get("qualifier"):
                    qual_ok += 1
                else:
                    qual_confusion[f"{lab['qualifier']} -> {fig.get('qualifier')}"] += 1
                    wrong_qualifiers.append({"file": name, "metric": lab["metric"], "value": lab["value"],
                                             "expected": lab["qualifier"], "got": fig.get("qualifier"),
                                             "quote": fig.get("quote", "")})
            inc_total += 1
            inc_ok += lab["increment"] == bool(fig.get("increment"))
            vmax_total += 1
            vmax_ok += _same_value(lab["value_max"], fig.get("value_max"))
        for fig in result["false_positives"]:
            counts[str(fig.get("metric"))]["fp"] += 1
            fp_list.append({"file": name, "metric": fig.get("metric"), "value": fig.get("value"),
                            "value_max": fig.get("value_max"), "qualifier": fig.get("qualifier"),
                            "increment": fig.get("increment"), "detector": fig.get("detector"),
                            "quote": fig.get("quote", "")})
        for lab in result["misses"]:
            counts[lab["metric"]]["fn"] += 1
            miss_list.append({"file": name, "metric": lab["metric"], "value": lab["value"],
                              "value_max": lab["value_max"], "qualifier": lab["qualifier"],
                              "increment": lab["increment"]})
        per_file[name] = {"tp": tp, "fp": len(result["false_positives"]), "fn": len(result["misses"]),
                          "required": sum(not lab["optional"] for lab in labels[name]["figures"])}
    # every labelled metric appears, even with no findings yet
    for name in names:
        for lab in labels[name]["figures"]:
            if not lab["optional"]:
                counts[lab["metric"]]
    per_metric = {m: _prf(c["tp"], c["fp"], c["fn"]) for m, c in sorted(counts.items())}
    total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    clean = [n for n in names if per_file[n]["required"] == 0]
    return {
        "dir": str(directory),
        "files": len(names),
        "scan_error": error,
        "missing_files": missing_files,
        "unlabelled_files": unlabelled,
        "overall": _prf(total["tp"], total["fp"], total["fn"]),
        "per_metric": per_metric,
        "qualifier": {**_ratio(qual_ok, qual_total), "confusion": dict(sorted(qual_confusion.items()))},
        "increment": _ratio(inc_ok, inc_total),
        "value_max": _ratio(vmax_ok, vmax_total),
        "optional_found": optional_found,
        "no_figure_files": {"files": len(clean), "clean": sum(per_file[n]["fp"] == 0 for n in clean)},
        "per_file": per_file,
        "false_positives": fp_list,
        "misses": miss_list,
        "wrong_qualifiers": wrong_qualifiers,
    }


# --------------------------------------------------------------------------- report


def _fmt_value(value: object, value_max: object = None) -> str:
    def one(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return f"{v:,}" if isinstance(v, (int, float)) else str(v)

    return one(value) + (f"-{one(value_max)}" if value_max is not None else "")


def format_report(result: dict) -> str:
    lines = [f"Detector quality on {result['dir']} ({result['files']} files)"]
    if result["scan_error"]:
        lines.append(f"!! {result['scan_error']}")
    if result["missing_files"]:
        lines.append("!! labelled but absent: " + ", ".join(result["missing_files"]))
    if result["unlabelled_files"]:
        lines.append("!! present but unlabelled (not scored): " + ", ".join(result["unlabelled_files"]))
    o = result["overall"]
    lines.append("")
    lines.append(f"OVERALL  P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}   "
                 f"(tp {o['tp']}, fp {o['fp']}, fn {o['fn']}; optional found {result['optional_found']})")
    q, inc, vm = result["qualifier"], result["increment"], result["value_max"]
    acc = lambda r: "n/a" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
    lines.append(f"qualifier accuracy {acc(q)} ({q['correct']}/{q['total']})   "
                 f"increment {acc(inc)} ({inc['correct']}/{inc['total']})   "
                 f"value_max {acc(vm)} ({vm['correct']}/{vm['total']})")
    nf = result["no_figure_files"]
    lines.append(f"files that must yield nothing: {nf['clean']}/{nf['files']} clean")
    if q["confusion"]:
        lines.append("qualifier confusions: " + ", ".join(f"{k} x{v}" for k, v in q["confusion"].items()))
    lines.append("")
    lines.append(f"{'metric':34} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for metric, m in result["per_metric"].items():
        lines.append(f"{metric:34} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                     f"{m['tp']:4} {m['fp']:4} {m['fn']:4}")
    lines.append("")
    lines.append(f"FALSE POSITIVES ({len(result['false_positives'])})")
    for fp in result["false_positives"]:
        extra = f"{fp['qualifier']}" + (", increment" if fp.get("increment") else "")
        lines.append(f"- {fp['file']}: {fp['metric']} = {_fmt_value(fp['value'], fp['value_max'])} "
                     f"({extra}) [{fp.get('detector') or '?'}]")
        lines.append(f"    \"{' '.join(str(fp['quote']).split())}\"")
    lines.append("")
    lines.append(f"MISSES ({len(result['misses'])})")
    for miss in result["misses"]:
        extra = f"{miss['qualifier']}" + (", increment" if miss["increment"] else "")
        lines.append(f"- {miss['file']}: {miss['metric']} = {_fmt_value(miss['value'], miss['value_max'])} ({extra})")
    if result["wrong_qualifiers"]:
        lines.append("")
        lines.append(f"WRONG QUALIFIERS ({len(result['wrong_qualifiers'])})")
        for w in result["wrong_qualifiers"]:
            lines.append(f"- {w['file']}: {w['metric']} = {_fmt_value(w['value'])}: "
                         f"expected {w['expected']}, got {w['got']}")
            lines.append(f"    \"{' '.join(str(w['quote']).split())}\"")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the detectors on the labelled development set.")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder with the articles and labels.toml")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    args = parser.parse_args(argv)
    try:
        result = score(args.dir)
    except Exception as exc:  # a measurement never fails the caller  # noqa: BLE001
        print(f"cannot score {args.dir}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 0
    text = json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_report(result)
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        sys.stdout = None  # type: ignore[assignment]
    return 0


if __name__ == "__main__":
    sys.exit(main())
