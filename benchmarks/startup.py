"""Start-up: ``monitor --help`` and ``monitor check`` with nothing due, against ``python -c pass``.

Each command runs repeatedly as a fresh process (hyperfine-style); the figure
is the median wall time from ``time.perf_counter`` around ``subprocess.run``.
``check`` runs against a config with one feed polled just before, so nothing is
due: what is left is imports, config, lock, store and the due check.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import ROOT, Result, Target, median


def timed(command: list[str], *, runs: int) -> float:
    subprocess.run(command, capture_output=True, cwd=ROOT, check=False)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
    return median(times)


def nothing_due_config(folder: Path) -> Path:
    from monitor.config import load_config
    from monitor.store import ensure_feed, open_store, record_feed_success
    from monitor.testing import write_config

    url = "http://127.0.0.1:9/feed.xml"
    path = write_config(folder, feeds=[url])
    db = open_store(load_config(path).database)
    ensure_feed(db, url)
    now = datetime.now(UTC)
    record_feed_success(db, url, now=now, status="ok", etag=None, last_modified=None,
                        next_due=now.replace(year=now.year + 1))
    db.close()
    return path


def run(*, quick: bool) -> Result:
    result = Result("startup", "Start-up", __doc__.split("\n\n", 1)[1])
    runs = 3 if quick else 15
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        config = nothing_due_config(Path(tmp))
        base = timed([python, "-c", "pass"], runs=runs)
        commands = {
            "python -c pass": base,
            "monitor --help": timed([python, "-m", "monitor", "--help"], runs=runs),
            "monitor check (nothing due)": timed([python, "-m", "monitor", "--config", str(config), "check"],
                                                 runs=runs),
        }
        modules = subprocess.run(
            [python, "-c", "import sys, monitor.cli; print(sorted(m for m in ('trafilatura', 'feedparser', "
             "'apscheduler', 'httpx') if m in sys.modules))"], capture_output=True, text=True, cwd=ROOT).stdout
    result.tables.append((f"median of {runs} runs", [
        {"command": name, "ms": round(1000 * seconds, 1), "ratio_to_python": round(seconds / base, 2)}
        for name, seconds in commands.items()]))
    result.notes.append(f"heavy libraries imported by `monitor --help`'s module: {modules.strip() or '?'}")
    help_ratio = commands["monitor --help"] / base
    check_ratio = commands["monitor check (nothing due)"] / base
    result.targets.append(Target("`monitor --help` / `python -c pass`", "reported (no target)", round(help_ratio, 2),
                                 True))
    result.targets.append(Target("`monitor check`, nothing due / `python -c pass`", "reported (no target)",
                                 round(check_ratio, 2), True))
    return result
