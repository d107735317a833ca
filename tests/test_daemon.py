"""``monitor run``: the real scheduler in a subprocess against a scripted local site.

No sleeps: every wait polls the server's request log, the database or the
daemon's log file with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import load_config
from monitor.daemon import Daemon, digest_trigger
from monitor.errors import ConfigError
from monitor.testing import feed_xml, page_html, write_config

FAST_SCHEDULE = """
[schedule]
interval = 1
jitter_seconds = 0
max_backoff = "8s"
workers = 4
"""

WIDGET_PLUGIN = '''
import re

from monitor import Figure, hookimpl


@hookimpl
def detect(article):
    return [Figure(metric="widgets", value=int(m.group(1)), quote=m.group(0))
            for m in re.finditer(r"counted (\\d+) widgets", article.text)]
'''


class DaemonProcess:
    """``python -m monitor --config CONFIG run`` with its log in a file (a pipe could fill and block it)."""

    def __init__(self, config: Path, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                                         stdout=subprocess.DEVNULL, stderr=log)
        self.pid = self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 10) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


@pytest.fixture
def start_daemon(tmp_path, wait_until):
    """start_daemon(config) -> DaemonProcess, once it holds the lock and has scheduled its feeds."""
    started: list[DaemonProcess] = []

    def start(config: Path) -> DaemonProcess:
        daemon = DaemonProcess(config, tmp_path / f"daemon-{len(started)}.log")
        started.append(daemon)
        wait_until(lambda: "monitor run (pid" in daemon.log() or daemon.proc.poll() is not None,
                   timeout=30, what="the daemon's start-up line")
        assert daemon.proc.poll() is None, daemon.log()
        return daemon

    yield start
    for daemon in started:
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait()
        # shown by pytest only when the test failed: what the daemon said
        print(f"--- {daemon.log_path.name} (last 60 lines) ---")
        print("\n".join(daemon.log().splitlines()[-60:]))


def query(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(database, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def story_feed(number: int) -> bytes:
    return feed_xml([{"title": f"Story {number}", "guid": f"story-{number}", "description": "Nothing new."}])


@pytest.mark.slow
def test_every_feed_is_polled_and_a_failing_feed_backs_off_then_recovers(tmp_path, scripted_site, start_daemon,
                                                                          wait_until):
    paths = [f"/feed/{i}" for i in range(12)]
    for i, path in enumerate(paths):
        scripted_site.serve(path, story_feed(i))
    config = write_config(tmp_path, feeds=[scripted_site.url(p) for p in paths], extra=FAST_SCHEDULE)
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
    (failures, error, _, _), = query(database, sick_state, (scripted_site.url(sick),))
    assert (failures, error) == (0, None)
    assert daemon.stop() == 0


def widget_site(scripted_site, tmp_path: Path) -> tuple[Path, threading.Event]:
    """A feed of three articles whose second page hangs until the returned Event is set."""
    entries = []
    gate = None
    for number in (1, 2, 3):
        sentence = f"Inspectors counted {number} widgets at the port on Tuesday, officials said."
        body = page_html(f"Widgets {number}", [sentence, "The report was shared with the committee.",
                                               "Officials declined to comment further on the count."])
        path = f"/page/{number}"
        if number == 2:
            gate = scripted_site.block(path, body, headers={"Content-Type": "text/html; charset=utf-8"})
        else:
            scripted_site.serve(path, body, headers={"Content-Type": "text/html; charset=utf-8"})
        entries.append({"title": f"Widgets {number}", "link": scripted_site.url(path), "guid": f"widgets-{number}",
                        "description": sentence})
    scripted_site.serve("/feed", feed_xml(entries))
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "widgets.py").write_text(WIDGET_PLUGIN, encoding="utf-8")
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")],
                          extra='plugins_dir = "plugins"\n' + FAST_SCHEDULE)
    assert gate is not None
    return config, gate


@pytest.mark.slow
def test_sigterm_during_a_poll_finishes_the_article_and_a_restart_resumes(tmp_path, scripted_site, start_daemon,
                                                                          wait_until):
    config, gate = widget_site(scripted_site, tmp_path)
    database = tmp_path / "monitor.db"
    daemon = start_daemon(config)
    # the first article stored and the second one's page hanging: the second article is in hand
    wait_until(lambda: scripted_site.hits("/page/2") and query(database, "SELECT id FROM articles"),
               what="the first article stored and the second one's page in flight")
    daemon.signal(signal.SIGTERM)
    gate.set()
    assert daemon.proc.wait(timeout=10) == 0, daemon.log()

    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    pages = [scripted_site.url(f"/page/{n}") for n in (1, 2)]
    assert query(database, "SELECT url FROM articles ORDER BY id") == [(pages[0],), (pages[1],)]
    assert query(database, """SELECT a.url, f.value FROM articles a JOIN figures f ON f.article_id = a.id
                              ORDER BY a.id""") == [(pages[0], 1), (pages[1], 2)]

    restarted = start_daemon(config)
    wait_until(lambda: len(query(database, "SELECT id FROM articles")) == 3, what="the third article stored")
    assert restarted.stop() == 0
    # stored articles are not fetched again (page 3 may have been prefetched before the stop)
    assert [len(scripted_site.hits(f"/page/{n}")) for n in (1, 2)] == [1, 1]
    assert query(database, "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                           "(SELECT 1 FROM figures f WHERE f.article_id = a.id)") == [(0,)]


def test_check_while_the_daemon_runs_exits_75_naming_its_pid(tmp_path, scripted_site, start_daemon, run_monitor):
    scripted_site.serve("/feed", story_feed(1))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")], extra=FAST_SCHEDULE)
    daemon = start_daemon(config)

    result = run_monitor("--config", config, "check", timeout=30)

    assert result.returncode == 75, result.stderr
    assert f"pid {daemon.pid}, monitor run" in result.stderr
    assert daemon.stop() == 0
    assert run_monitor("--config", config, "check", "--all", timeout=30).returncode == 0


@pytest.mark.slow
def test_sighup_schedules_added_feeds_drops_removed_ones_and_survives_a_bad_config(
        tmp_path, scripted_site, start_daemon, run_monitor, wait_until):
    scripted_site.serve("/a", story_feed(1))
    scripted_site.serve("/b", story_feed(2))
    config = write_config(tmp_path, feeds=[scripted_site.url("/a")], extra=FAST_SCHEDULE)
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

    write_config(tmp_path, feeds=[scripted_site.url("/b")], extra=FAST_SCHEDULE)
    daemon.signal(signal.SIGHUP)
    wait_until(lambda: "removed from the schedule" in daemon.log(), what="feed a removed")
    polled = len(scripted_site.hits("/b"))
    wait_until(lambda: len(scripted_site.hits("/b")) >= polled + 1, what="feed b polled again")
    dropped = len(scripted_site.hits("/a"))
    wait_until(lambda: len(scripted_site.hits("/b")) >= polled + 3, what="feed b polled three more times")
    assert len(scripted_site.hits("/a")) == dropped
    assert daemon.stop() == 0


def test_immediate_digest_is_delivered_after_a_poll_that_raised_alerts(tmp_path, scripted_site, wait_until):
    config_path, gate = widget_site(scripted_site, tmp_path)
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


def test_a_cron_digest_schedule_adds_its_own_job(tmp_path, scripted_site, wait_until):
    config_path, gate = widget_site(scripted_site, tmp_path)
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
