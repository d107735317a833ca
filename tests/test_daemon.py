"""``monitor run``: the real scheduler in a subprocess against a scripted local site.

No sleeps: every wait polls the server's request log, the database or the
daemon's log file with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import load_config
from monitor.daemon import Daemon, digest_trigger
from monitor.errors import ConfigError
from monitor.testing import feed_xml, write_config


def query(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(database, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def story_feed(number: int) -> bytes:
    return feed_xml([{"title": f"Story {number}", "guid": f"story-{number}", "description": "Nothing new."}])


@pytest.mark.slow
def test_every_feed_is_polled_and_a_failing_feed_backs_off_then_recovers(tmp_path, scripted_site, start_daemon,
                                                                          wait_until, fast_schedule):
    paths = [f"/feed/{i}" for i in range(12)]
    for i, path in enumerate(paths):
        scripted_site.serve(path, story_feed(i))
    config = write_config(tmp_path, feeds=[scripted_site.url(p) for p in paths], extra=fast_schedule)
    daemon = start_daemon(config)
    wait_until(lambda: all(len(scripted_site.hits(p)) >= 3 for p in paths), timeout=30,
               what="every feed polled three times")

    sick, database = paths[0], tmp_path / "monitor.db"
    sick_state = "SELECT consecutive_failures, last_error, last_fetched, next_due FROM feeds WHERE url = ?"
    scripted_site.serve(sick, b"down for maintenance", status=500)
    wait_until(lambda: len(scripted_site.hits(sick, status=500)) >= 5, timeout=40, what="five failed polls")
    failed = scripted_site.hits(sick, status=500)[:5]
    gaps = [later - earlier for earlier, later in zip(failed, failed[1:])]
    # backing off: about 1, 2, 4, 8 s apart (loose, as a loaded machine delays polls)
    assert gaps[-1] == max(gaps) and gaps[-1] > 2 * gaps[0], gaps
    # the fifth response may still be on its way into the database
    (failures, error, fetched, due), = wait_until(
        lambda: [row for row in query(database, sick_state, (scripted_site.url(sick),)) if row[0] >= 5],
        what="five failures recorded")
    assert error == "HTTP 500"
    backoff = datetime.fromisoformat(due) - datetime.fromisoformat(fetched)
    assert 7 <= backoff.total_seconds() <= 11  # capped at max_backoff, plus at most 25 % jitter

    healed = time.monotonic()
    scripted_site.serve(sick, story_feed(0))
    wait_until(lambda: len([t for t in scripted_site.hits(sick, status=200) if t > healed]) >= 3, timeout=40,
               what="the healed feed polled on its interval again")
    (failures, error, fetched, _), = query(database, sick_state, (scripted_site.url(sick),))
    timeline = [(round(t - healed, 2), status) for p, t, status in scripted_site.requests if p == sick]
    said = [line for line in daemon.log().splitlines() if scripted_site.url(sick) + ":" in line][-8:]
    if (failures, error) != (0, None):
        pytest.fail(f"failures not cleared: {failures}, {error!r}, last fetched {fetched}; requests {timeline}; "
                    "the daemon said:\n" + "\n".join(said))
    assert daemon.stop() == 0


@pytest.mark.slow
def test_sighup_schedules_added_feeds_drops_removed_ones_and_survives_a_bad_config(
        tmp_path, scripted_site, start_daemon, run_monitor, wait_until, fast_schedule):
    scripted_site.serve("/a", story_feed(1))
    scripted_site.serve("/b", story_feed(2))
    config = write_config(tmp_path, feeds=[scripted_site.url("/a")], extra=fast_schedule)
    daemon = start_daemon(config)
    wait_until(lambda: scripted_site.hits("/a"), what="feed a polled")

    added = run_monitor("--config", config, "feeds", "add", scripted_site.url("/b"), "--name", "B", timeout=30)
    assert added.returncode == 0, added.stderr
    daemon.signal(signal.SIGHUP)
    wait_until(lambda: len(scripted_site.hits("/b")) >= 2, what="the added feed polled twice")

    good_text = config.read_text(encoding="utf-8")
    config.write_text(good_text + "bogus_key = 1\n", encoding="utf-8")
    daemon.signal(signal.SIGHUP)
    wait_until(lambda: "reload failed" in daemon.log(), what="the failed reload logged")
    polled = len(scripted_site.hits("/b"))
    wait_until(lambda: len(scripted_site.hits("/b")) >= polled + 2, what="polling going on after a bad reload")
    assert [line for line in daemon.log().splitlines() if "reload failed" in line] == [
        line for line in daemon.log().splitlines() if "bogus_key" in line]
    assert len([line for line in daemon.log().splitlines() if "reload failed" in line]) == 1

    write_config(tmp_path, feeds=[scripted_site.url("/b")], extra=fast_schedule)
    daemon.signal(signal.SIGHUP)
    wait_until(lambda: "removed from the schedule" in daemon.log(), what="feed a removed")
    polled = len(scripted_site.hits("/b"))
    wait_until(lambda: len(scripted_site.hits("/b")) >= polled + 1, what="feed b polled again")
    dropped = len(scripted_site.hits("/a"))
    wait_until(lambda: len(scripted_site.hits("/b")) >= polled + 3, what="feed b polled three more times")
    assert len(scripted_site.hits("/a")) == dropped
    assert daemon.stop() == 0


def test_immediate_digest_is_delivered_after_a_poll_that_raised_alerts(tmp_path, scripted_site, wait_until, widget_site):
    config_path, gate = widget_site
    gate.set()
    daemon = Daemon(load_config(config_path))  # the real delivery: the file channel, into digest_dir
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        digests = wait_until(lambda: sorted((tmp_path / "digests").glob("*.md")), what="a digest file")
        assert daemon.scheduler.get_job("digest") is None  # immediate: no cron job
    finally:
        daemon.request_stop()
        runner.join(15)
    assert not runner.is_alive()
    text = digests[0].read_text(encoding="utf-8")
    assert "widgets" in text and scripted_site.url("/page/1") in text
    assert query(tmp_path / "monitor.db", "SELECT count(*) FROM alerts WHERE metric = 'widgets'")[0][0] >= 1


def test_a_cron_digest_schedule_adds_its_own_job(tmp_path, scripted_site, wait_until, widget_site):
    config_path, gate = widget_site
    gate.set()
    config_path.write_text(config_path.read_text(encoding="utf-8").replace(
        'plugins_dir = "plugins"', 'plugins_dir = "plugins"\n[digest]\nschedule = "0 7 * * *"\ntimezone = "Asia/Seoul"'),
        encoding="utf-8")
    daemon = Daemon(load_config(config_path))
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        job = wait_until(lambda: daemon.scheduler and daemon.scheduler.running and daemon.scheduler.get_job("digest"),
                         what="the digest job")
        assert job.next_run_time.astimezone(ZoneInfo("Asia/Seoul")).timetuple()[3:5] == (7, 0)
        wait_until(lambda: len(query(tmp_path / "monitor.db", "SELECT id FROM articles")) == 3, what="articles")
        assert not (tmp_path / "digests").exists() or not list((tmp_path / "digests").iterdir())
    finally:
        daemon.request_stop()
        runner.join(15)
    assert not runner.is_alive()


def test_cron_digest_schedule_runs_in_its_time_zone():
    from monitor.config import DigestConfig

    trigger = digest_trigger(DigestConfig(schedule="0 7 * * *", timezone="Asia/Seoul"))
    after = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # 09:00 in Seoul: the next 07:00 there is tomorrow's
    assert trigger.get_next_fire_time(None, after).astimezone(UTC) == datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    assert digest_trigger(DigestConfig(schedule="immediate")) is None
    with pytest.raises(ConfigError, match="digest.schedule"):
        digest_trigger(DigestConfig(schedule="at seven", timezone="UTC"))
    with pytest.raises(ConfigError, match="digest.schedule"):
        digest_trigger(DigestConfig(schedule="0 7 * * *", timezone="Mars/Olympus"))


def test_json_logs_are_one_object_per_line_with_the_feed(tmp_path, scripted_site, run_monitor):
    scripted_site.serve("/feed", story_feed(1))
    scripted_site.serve("/gone", b"", status=500)
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed"), scripted_site.url("/gone")])

    result = run_monitor("--config", config, "--log-format", "json", "check", timeout=60)

    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries), result.stderr
    polled = {e["feed"]: e for e in entries if "feed" in e}
    assert polled[scripted_site.url("/feed")]["articles"] == 1
    assert polled[scripted_site.url("/gone")]["error"] == "HTTP 500"
    assert polled[scripted_site.url("/gone")]["level"] == "WARNING"


def test_run_refuses_a_bad_digest_schedule_before_taking_the_lock(tmp_path, run_monitor):
    config = write_config(tmp_path, extra='[digest]\nschedule = "every morning"\n')
    result = run_monitor("--config", config, "run", timeout=30, env={"PYTHONWARNINGS": "ignore"})
    assert result.returncode == 2
    assert "digest.schedule" in result.stderr
    assert not os.path.exists(tmp_path / "monitor.db.lock.pid")


def test_contrib_files_match_what_the_readme_shows():
    root = Path(__file__).resolve().parent.parent
    unit = (root / "contrib" / "monitor.service").read_text(encoding="utf-8")
    for directive in ("Type=simple", "Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=",
                      "ExecReload=/bin/kill -HUP $MAINPID", " run\n"):
        assert directive in unit, directive
    cron_lines = [line for line in (root / "contrib" / "crontab").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(cron_lines) == 1 and cron_lines[0].split()[:5] == ["*/5", "*", "*", "*", "*"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "## Running it" in readme and cron_lines[0] in readme
