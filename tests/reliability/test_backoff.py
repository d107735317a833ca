"""T36, T37 and 410 Gone: failing feeds back off (capped, with jitter), honour Retry-After, and recover."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.config import load_config
from monitor.pipeline import next_poll
from monitor.testing import feed_xml, write_config

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def feed_row(tmp_path: Path) -> tuple:
    db = sqlite3.connect(tmp_path / "monitor.db")
    return db.execute("SELECT last_status, consecutive_failures, next_due, disabled, last_error FROM feeds").fetchone()


def test_backoff_grows_with_failures_is_capped_and_resets(tmp_path):
    config = load_config(write_config(tmp_path, feeds=["https://a.example/feed"],
                                      extra='[schedule]\ninterval = "10m"\nmax_backoff = "24h"\n'))
    feed = config.feeds[0]
    rng = random.Random(7)
    delays = [(next_poll(config, feed, now=NOW, failures=n, rng=rng) - NOW).total_seconds() for n in range(1, 12)]
    assert delays[0] >= 600 and all(later >= earlier * 1.5 for earlier, later in zip(delays[:5], delays[1:6]))
    assert max(delays) <= 86400 * 1.25 and delays[-1] >= 86400
    assert (next_poll(config, feed, now=NOW, failures=0) - NOW).total_seconds() == 600


def test_retry_after_is_honoured_up_to_a_week(tmp_path):
    config = load_config(write_config(tmp_path, feeds=["https://a.example/feed"],
                                      extra='[schedule]\ninterval = "1m"\n'))
    feed = config.feeds[0]
    for asked, waited in ((3600, 3600), (86400 * 3, 86400 * 3), (86400 * 3650, 86400 * 7)):
        due = next_poll(config, feed, now=NOW, failures=1, retry_after=asked, rng=random.Random(1))
        assert (due - NOW).total_seconds() == waited


def test_retry_after_on_429_puts_the_next_poll_an_hour_away(httpserver, tmp_path, run_cli):
    httpserver.expect_request("/feed.xml").respond_with_data("slow down", status=429,
                                                             headers={"Retry-After": "3600"})
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")],
                          extra='[schedule]\ninterval = "1m"\n')
    before = datetime.now(UTC)
    assert run_cli("--config", config, "check").exit_code == 1
    status, failures, next_due, disabled, error = feed_row(tmp_path)
    assert (status, failures, disabled, error) == ("error", 1, 0, "HTTP 429")
    assert datetime.fromisoformat(next_due) >= before + timedelta(seconds=3600 - 1)
    assert run_cli("--config", config, "check").exit_code == 0  # not due: nothing polled
    assert len(httpserver.log) == 1


def test_a_gone_feed_is_disabled_and_reported_then_a_healed_feed_recovers(httpserver, tmp_path, run_cli):
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=410)
    config = write_config(tmp_path, feeds=[httpserver.url_for("/gone.xml")])
    assert run_cli("--config", config, "check", "--all").exit_code == 1
    status, failures, _, disabled, error = feed_row(tmp_path)
    assert (status, failures, disabled) == ("error", 1, 1) and "gone" in error
    assert run_cli("--config", config, "check").exit_code == 0  # disabled: not polled again
    assert len(httpserver.log) == 1

    httpserver.clear()
    httpserver.expect_request("/gone.xml").respond_with_data(
        feed_xml([{"title": "Back", "link": "https://example.com/back", "description": "We are back."}]),
        content_type="application/rss+xml")
    config_text = config.read_text() + '\n'
    config.write_text(config_text.replace("allow_private_addresses = true",
                                          "allow_private_addresses = true\nfetch_pages = false"))
    assert run_cli("--config", config, "check", "--all").exit_code == 0
    status, failures, _, disabled, error = feed_row(tmp_path)
    assert (status, failures, disabled, error) == ("ok", 0, 0, None)  # polled again with --all: re-enabled
