"""What every benchmark shares: the corpus, the machine, the results' shape."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_FOLDERS = ("aeb", "readability", "newspaper4k", "trafilatura")
LIBRARIES = ("trafilatura", "feedparser", "httpx", "lxml", "sqlite-utils", "pluggy", "justext")


def corpus_dir() -> Path:
    """The shared corpus: ``$MONITOR_CORPUS``, else ``../shared/corpus`` beside the project."""
    return Path(os.environ.get("MONITOR_CORPUS") or ROOT.parent / "shared" / "corpus")


def corpus_pages(*, limit: int | None = None) -> list[str]:
    """Corpus-relative paths of the article pages, in a fixed order spread over the folders."""
    root = corpus_dir() / "pages"
    if not root.is_dir():
        return []
    by_folder = [sorted(f"pages/{d}/{p.name}" for p in (root / d).iterdir() if p.is_file())
                 for d in PAGE_FOLDERS if (root / d).is_dir()]
    paths: list[str] = []
    # interleave the folders so that a quick run's first pages are a fair sample
    for index in range(max(map(len, by_folder), default=0)):
        paths.extend(folder[index] for folder in by_folder if index < len(folder))
    return paths[:limit] if limit else paths


class Skipped(Exception):
    """A benchmark that cannot run here (no corpus, a module not landed yet)."""


@dataclass
class Target:
    """One acceptance target: what, the goal, the figure reached, met or not."""

    name: str
    goal: str
    value: float
    met: bool
    note: str = ""


@dataclass
class Result:
    """One benchmark's tables, targets and notes, for results.md and results.json."""

    name: str
    title: str
    what: str
    tables: list[tuple[str, list[dict]]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None
    #: the benchmark's own numbers as it returned them, nested as they are (results.json only)
    data: dict | None = None


def machine() -> dict:
    """CPU model, cores, OS, Python and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "libraries": versions,
        "commit": _git_commit(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10,
                              check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _git_commit() -> str:
    """``git rev-parse --short HEAD`` now, plus "with uncommitted changes" where tracked files differ."""
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    return commit


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pin_to(cpus: set[int]) -> set[int] | None:
    """Run this process on ``cpus`` only; returns the previous set (None where unsupported)."""
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, cpus)
        return before
    except (AttributeError, OSError):
        return None


def unpin(before: set[int] | None) -> None:
    if before is not None:
        os.sched_setaffinity(0, before)


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """This process's current resident set size (``VmRSS``), in MB; NaN without Linux ``/proc``."""
    found = _status_mb("VmRSS")
    return float("nan") if found is None else found


def peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``, else ``ru_maxrss``), in MB.

    The peak since the process began, or since the last successful ``reset_peak_rss()``.
    """
    found = _status_mb("VmHWM")
    if found is not None:
        return found
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Start ``VmHWM`` afresh from the current RSS (Linux >= 4.0); False where that is not possible.

    Benchmarks share one process, so without this the peak would be an earlier benchmark's.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False
