"""The daemon under faults: SIGTERM mid-poll (T30), ``check`` beside a running daemon (T29), a host
suspended or a clock jumped past several polls (T35).

The daemon is the real ``monitor run`` in a subprocess; waits poll its log, the
server's request log or the database, with a deadline.
"""

from __future__ import annotations

import signal
import time

import pytest
from hostile import query

from monitor.testing import feed_xml, write_config


@pytest.mark.slow
def test_sigterm_during_a_poll_finishes_the_article_and_a_restart_resumes(tmp_path, scripted_site, start_daemon,
                                                                          wait_until, widget_site):
    config, gate = widget_site
    database = tmp_path / "monitor.db"
    daemon = start_daemon(config)
    # the first article stored and the second one's page hanging: the second article is in hand
    wait_until(lambda: scripted_site.hits("/page/2") and query(database, "SELECT id FROM articles"),
               what="the first article stored and the second one's page in flight")
    daemon.signal(signal.SIGTERM)
    gate.set()
    assert daemon.proc.wait(timeout=10) == 0, daemon.log()

    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    # no partial file: digests are written to a temporary name and renamed
    assert [p.name for p in (tmp_path / "digests").glob("*") if p.name.startswith(".")] == []
    assert [p.suffix for p in sorted((tmp_path / "digests").glob("*"))] == [".html", ".md"]
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


def test_check_while_the_daemon_runs_exits_75_naming_its_pid(tmp_path, scripted_site, start_daemon, run_monitor,
                                                             fast_schedule):
    scripted_site.serve("/feed", feed_xml([{"title": "Story", "guid": "story-1", "description": "Nothing new."}]))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")], extra=fast_schedule)
    daemon = start_daemon(config)

    result = run_monitor("--config", config, "check", timeout=30)

    assert result.returncode == 75, result.stderr
    assert f"pid {daemon.pid}, monitor run" in result.stderr
    assert daemon.stop() == 0
    assert run_monitor("--config", config, "check", "--all", timeout=30).returncode == 0




@pytest.mark.slow
def test_a_suspended_host_gets_one_coalesced_poll_per_feed_and_says_so(tmp_path, scripted_site, start_daemon,
                                                                         wait_until, fast_schedule):
    """T35: SIGSTOP stands in for a suspended host (or a clock jumped forward): the wall clock runs on
    while the scheduler sleeps. On waking, each feed is polled once, not once per missed interval."""
    paths = ["/feed/a", "/feed/b"]
    for path in paths:
        scripted_site.serve(path, feed_xml([{"title": "Story", "guid": f"story{path}", "description": "Nothing."}]))
    config = write_config(tmp_path, feeds=[scripted_site.url(p) for p in paths],
                          extra=fast_schedule.replace("interval = 1", "interval = 2"))
    daemon = start_daemon(config)
    polled = [f"feed {scripted_site.url(p)}: ok" for p in paths]
    wait_until(lambda: all(daemon.log().count(line) >= 2 for line in polled), what="two polls of each feed done")

    daemon.signal(signal.SIGSTOP)
    suspended = time.monotonic()
    polls_before = {p: len(scripted_site.hits(p)) for p in paths}
    # the host sleeps through three intervals (a stopped process cannot poll, so this wait cannot race it)
    wait_until(lambda: time.monotonic() - suspended > 7, timeout=10, what="three intervals asleep")
    daemon.signal(signal.SIGCONT)
    woke = time.monotonic()

    wait_until(lambda: daemon.log().count("coalesced into one poll") >= len(paths), what="the catch-up logged")
    for path in paths:
        line, = [line for line in daemon.log().splitlines() if "coalesced into one poll" in line and path in line]
        missed = int(line.split(": ")[1].split()[0])
        assert 2 <= missed <= 4, line
    # each feed's next poll is on its interval again: the first two polls after waking are ~2 s apart,
    # not a burst of catch-up runs
    wait_until(lambda: all(len([t for t in scripted_site.hits(p) if t > woke]) >= 2 for p in paths),
               what="two polls of each feed after waking")
    for path in paths:
        first, second = [t for t in scripted_site.hits(path) if t > woke][:2]
        assert second - first > 1, (path, second - first)
        assert len(scripted_site.hits(path)) > polls_before[path]
    assert daemon.stop() == 0
