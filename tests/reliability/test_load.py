"""T1/T2 and T40 at a size the suite can afford: many feeds on loopback, 10 % failing in assorted ways.

The scenario and its server are benchmarks/load.py's (which measures 500 feeds
and reports time and memory); here only completion and correctness are checked.
The server is loaded with TCP_NODELAY on its connections: its head and body go
out in two writes, which Nagle's algorithm and delayed ACKs would otherwise
hold 40 ms a feed.
"""

from __future__ import annotations

import importlib.util
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hostile import answer, query

from monitor.testing import feed_xml

ROOT = Path(__file__).resolve().parents[2]


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Handler.disable_nagle_algorithm = True
    return module


FIGURE_FEED = feed_xml([{"title": "Troops", "link": "https://news.example/troops", "guid": "troops",
                         "description": "Pyongyang has sent 15,000 troops to Russia, officials said."}])


def edited(config: Path, *changes: tuple[str, str], append: str = "") -> Path:
    """The load config with ``changes`` made (each must apply) and ``append`` added.

    The total deadline is always cut from 2 s to 1 s, so that dripping feeds are cut off sooner.
    """
    text = config.read_text(encoding="utf-8")
    for old, new in [("timeout_seconds = 2\n", "timeout_seconds = 1\n"),
                     ("read_timeout_seconds = 1.5\n", "read_timeout_seconds = 0.8\n"), *changes]:
        assert old in text
        text = text.replace(old, new)
    config.write_text(text + append, encoding="utf-8")
    return config


def with_email_and_a_figure(config: Path, smtp_sink, figure_feed: str) -> Path:
    """The load config, delivering by email to ``smtp_sink``, plus one feed whose entry raises an alert."""
    return edited(config, ('channels = ["file"]', 'channels = ["email"]'),
                  append=f'[[feeds]]\nname = "figure"\nurl = "{figure_feed}"\n' + smtp_sink.config())


@pytest.mark.slow
def test_forty_feeds_with_four_failing_complete_and_rerun_uses_304s_and_sends_nothing(tmp_path, smtp_sink,
                                                                                     raw_server):
    load = load_benchmark()
    kinds = load.feed_kinds(40)
    assert sorted(k for k in kinds if k != "ok") == ["drip", "error", "error", "reset"]
    server = load.LoadServer()
    try:
        config = with_email_and_a_figure(
            load.write_config(tmp_path, f"http://127.0.0.1:{server.server_address[1]}", kinds), smtp_sink,
            raw_server(answer(FIGURE_FEED)).url("/figure"))
        first = load.check(config)
        db = tmp_path / "monitor.db"
        assert first["exit"] == 1 and not first["traceback"], first
        assert len(smtp_sink.messages) == 1  # the first run mails the alert
        assert "15,000" in smtp_sink.parsed()[0]["Subject"]
        assert load.stored(db) == {"articles": 361, "distinct_articles": 361,
                                   "failing_feeds": 4, "integrity": "ok"}
        errors = dict(query(db, "SELECT name, last_error FROM feeds WHERE consecutive_failures = 1"))
        assert sorted(name.split("-")[0] for name in errors) == ["drip", "error", "error", "reset"]
        assert all(errors[name].startswith("deadline exceeded") for name in errors if name.startswith("drip"))
        assert all(errors[name] == "HTTP 500" for name in errors if name.startswith("error"))
        assert all("reset" in errors[name] for name in errors if name.startswith("reset"))

        before = dict(server.statuses)
        digests = query(db, "SELECT key, status FROM digests")
        rerun = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "-v", "check", "--all"],
                               capture_output=True, text=True, timeout=60, check=False)
        assert rerun.returncode == 1, rerun.stderr
        assert "Traceback" not in rerun.stderr
        # every good feed answered 304 to its ETag, and none was fetched in full
        assert server.statuses.get(304, 0) - before.get(304, 0) == 36
        assert server.statuses.get(200, 0) - before.get(200, 0) == kinds.count("drip")
        # 0 new items, 0 mail (the figure feed, which has no validators, is fetched again: nothing new)
        assert "41 feeds polled, 0 new articles, 0 figures; 4 failed" in rerun.stderr
        assert "delivery: nothing to deliver" in rerun.stderr
        assert len(smtp_sink.messages) == 1
        assert query(db, "SELECT key, status FROM digests") == digests
        assert load.stored(db)["articles"] == 361
        assert dict(query(db, "SELECT name, consecutive_failures FROM feeds WHERE consecutive_failures > 0")) \
            == {name: 2 for name in errors}
    finally:
        server.close()


@pytest.mark.slow
def test_hundred_feeds_with_ten_failing_complete_under_a_one_gib_address_space_limit(tmp_path):
    """T40: ``ulimit -v 1G`` (RLIMIT_AS, set in the child before exec) and the run completes as without it."""
    limit = 1 << 30
    load = load_benchmark()
    # the limit is in force in a process started this way: 2 GiB cannot be had
    probe = subprocess.run([sys.executable, "-c", "bytearray(2 << 30)"], capture_output=True, text=True,
                           timeout=30, check=False,
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert probe.returncode == 1 and "MemoryError" in probe.stderr
    kinds = load.feed_kinds(100)
    assert Counter(kinds) == {"ok": 90, "error": 4, "reset": 2, "drip": 2, "html": 2}
    server = load.LoadServer()
    try:
        config = edited(load.write_config(tmp_path, f"http://127.0.0.1:{server.server_address[1]}", kinds))
        run = load.check(config, address_space=limit)
    finally:
        server.close()
    assert run["exit"] == 1 and not run["traceback"], run  # 1: some feeds failed; each was recorded
    db = tmp_path / "monitor.db"
    assert load.stored(db) == {"articles": 900, "distinct_articles": 900, "failing_feeds": 10, "integrity": "ok"}
    errors = dict(query(db, "SELECT name, last_error FROM feeds WHERE consecutive_failures = 1"))
    assert Counter(name.split("-")[0] for name in errors) == {"error": 4, "reset": 2, "drip": 2, "html": 2}
    assert all("not a feed" in errors[name] for name in errors if name.startswith("html"))
    assert run["peak_rss_mb"] < 512, run
