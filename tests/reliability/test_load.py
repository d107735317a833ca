"""T1/T2 at a size the suite can afford: many feeds on loopback, 10 % failing in assorted ways.

The scenario and its server are benchmarks/load.py's (which measures 500 feeds
and reports time and memory); here only completion and correctness are checked.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hostile import query

ROOT = Path(__file__).resolve().parents[2]


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_forty_feeds_with_four_failing_complete_and_rerun_uses_304s(tmp_path):
    load = load_benchmark()
    kinds = load.feed_kinds(40)
    assert sorted(k for k in kinds if k != "ok") == ["drip", "error", "error", "reset"]
    server = load.LoadServer()
    try:
        config = load.write_config(tmp_path, f"http://127.0.0.1:{server.server_address[1]}", kinds)
        first = load.check(config)
        db = tmp_path / "monitor.db"
        assert first["exit"] == 1 and not first["traceback"]
        assert load.stored(db) == {"articles": 36 * load.ENTRIES_PER_FEED, "distinct_articles": 360,
                                   "failing_feeds": 4, "integrity": "ok"}
        errors = dict(query(db, "SELECT name, last_error FROM feeds WHERE consecutive_failures = 1"))
        assert sorted(name.split("-")[0] for name in errors) == ["drip", "error", "error", "reset"]
        assert all(errors[name].startswith("deadline exceeded") for name in errors if name.startswith("drip"))
        assert all(errors[name] == "HTTP 500" for name in errors if name.startswith("error"))
        assert all("reset" in errors[name] for name in errors if name.startswith("reset"))

        before = server.statuses.get(304, 0)
        rerun = load.check(config, "--all")
        assert rerun["exit"] == 1
        assert server.statuses.get(304, 0) - before == 36  # every good feed answered 304 to its ETag
        assert load.stored(db)["articles"] == 360
        assert dict(query(db, "SELECT name, consecutive_failures FROM feeds WHERE consecutive_failures > 0")) \
            == {name: 2 for name in errors}
    finally:
        server.close()
