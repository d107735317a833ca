"""Polling at scale: ``run_check`` over N generated feeds on a local server process.

Each feed has 10 entries; pages are not fetched (``fetch_pages = false``), so
this measures the feed side: (a) the first poll (fetch, parse, store the
entries), (b) a poll where nothing changed (every feed answers 304 to its
ETag). Parse calls are counted by wrapping ``monitor.sources.parse_feed`` in
this process. CPU is this process's; the server's own CPU is reported apart.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .common import Result, Target
from .server import PageServer


def _poll(config, *, now: datetime, server: PageServer) -> dict:
    from monitor import pipeline
    from monitor.fetch import Fetcher
    from monitor.plugins import make_plugin_manager
    from monitor.store import open_store

    calls = {"parse_feed": 0}
    original = pipeline.parse_feed

    def counted(*args, **kwargs):
        calls["parse_feed"] += 1
        return original(*args, **kwargs)

    pipeline.parse_feed = counted
    pm = make_plugin_manager(config.plugins_dir)
    db = open_store(config.database)
    before = server.stats()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with Fetcher(config.fetch) as fetcher:
            run = pipeline.run_check(config, fetcher=fetcher, db=db, pm=pm, now=now, all_feeds=True)
    finally:
        pipeline.parse_feed = original
        db.close()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = server.stats()
    feeds = len(config.feeds)
    return {
        "feeds": feeds, "wall_s": round(wall, 2), "requests": after["requests"] - before["requests"],
        "answered_304": after["not_modified"] - before["not_modified"],
        "feeds_parsed": calls["parse_feed"], "articles": sum(f.new_articles for f in run.feeds),
        "failed": sum(f.failed for f in run.feeds),
        "ms_wall_per_feed": round(1000 * wall / feeds, 3), "ms_cpu_per_feed": round(1000 * cpu / feeds, 3),
        "server_ms_cpu_per_feed": round(1000 * (after["cpu_seconds"] - before["cpu_seconds"]) / feeds, 3),
    }


def poll_twice(count: int, server: PageServer, folder: Path) -> list[dict]:
    from monitor.config import load_config
    from monitor.testing import write_config

    feeds = [{"url": f"{server.url}/gen/{n}.xml"} for n in range(count)]
    path = write_config(folder, feeds=feeds, extra="")
    path.write_text(path.read_text().replace("[fetch]\n", "[fetch]\nfetch_pages = false\n", 1))
    config = load_config(path)
    now = datetime.now(UTC)
    first = {"poll": "first", **_poll(config, now=now, server=server)}
    again = {"poll": "all 304", **_poll(config, now=now + timedelta(hours=1), server=server)}
    return [first, again]


def round_trip_ms(server: PageServer, *, count: int = 500) -> float:
    """Median-free mean of a bare conditional GET answered 304, through our Fetcher."""
    from monitor.config import FetchConfig
    from monitor.fetch import Fetcher

    with Fetcher(FetchConfig(allow_private_addresses=True)) as fetcher:
        fetcher.get(f"{server.url}/gen/0.xml", etag='"g0"')
        start = time.perf_counter()
        for _ in range(count):
            fetcher.get(f"{server.url}/gen/0.xml", etag='"g0"')
        return 1000 * (time.perf_counter() - start) / count


def run(*, quick: bool) -> Result:
    result = Result("polling", "Polling at scale", __doc__.split("\n\n", 1)[1])
    sizes = (100, 500) if quick else (1000, 10_000)
    rows = []
    with PageServer() as server, tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        rtt = round_trip_ms(server, count=100 if quick else 1000)
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            rows += poll_twice(size, server, folder)
    result.tables.append(("feeds polled by one `run_check`", rows))
    result.tables.append(("one conditional GET answered 304 (Fetcher, keep-alive), the floor of a poll",
                          [{"ms_per_request": round(rtt, 3)}]))
    small = rows[1]
    parsed = sum(r["feeds_parsed"] for r in rows if r["poll"] == "all 304")
    result.targets.append(Target("feeds parsed in an all-304 poll", "0", parsed, parsed == 0))
    requests_per_feed = max(r["requests"] / r["feeds"] for r in rows if r["poll"] == "all 304")
    result.targets.append(Target("requests per feed in an all-304 poll", "1", round(requests_per_feed, 3),
                                 requests_per_feed == 1))
    per_rtt = small["ms_wall_per_feed"] / rtt
    result.targets.append(Target("all-304 poll: wall per feed / one bare round-trip", "about 1 (<= 3)",
                                 round(per_rtt, 2), per_rtt <= 3,
                                 "the rest is the store: due check, state read and one commit per feed"))
    result.targets += linear_targets(rows, sizes)
    return result


def linear_targets(rows: list[dict], sizes: tuple[int, int]) -> list[Target]:
    """Cost per feed at the larger size over the smaller, in CPU (wall time on a shared machine
    moves with other jobs; the tables keep it)."""
    targets = []
    for poll, at in (("all 304", 1), ("first", 0)):
        small, large = rows[at], rows[at + 2]
        growth = large["ms_cpu_per_feed"] / small["ms_cpu_per_feed"]
        wall = large["ms_wall_per_feed"] / small["ms_wall_per_feed"]
        targets.append(Target(f"{poll} poll, CPU per feed, {sizes[1]:,} / {sizes[0]:,} feeds (linear: 1.0)",
                              "<= 1.25", round(growth, 3), growth <= 1.25, f"wall per feed: {wall:.2f}"))
    return targets
