"""``monitor check`` end to end: a real HTTP server, a real SQLite file, the real CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

from werkzeug import Request, Response

from monitor.testing import feed_xml, monitor_command, page_html, write_config

PARAGRAPHS = [
    "Since November 2024, Moscow has transferred a Pantsir air defense system to Pyongyang, "
    "the Multilateral Sanctions Monitoring Team (MSMT) said in its first report.",
    "The report, compiled by eleven countries, describes munitions shipments by rail and sea.",
    "Officials in Seoul said the findings matched their own intelligence assessments.",
]


def conditional_feed(body: bytes, *, etag: str = '"v1"'):
    """A handler that answers 304 when the client sends the current ETag."""

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    return handler


def serve_articles(httpserver, count: int, *, prefix: str = "/news") -> bytes:
    entries = []
    for n in range(count):
        path = f"{prefix}/{n}"
        httpserver.expect_request(path).respond_with_data(
            page_html(f"Story {n}", [f"Dispatch number {n} from the Korean peninsula.", *PARAGRAPHS]),
            content_type="text/html; charset=utf-8")
        entries.append({"title": f"Story {n}", "link": httpserver.url_for(path),
                        "description": f"Summary {n}"})
    return feed_xml(entries)


def test_check_stores_articles_then_uses_conditional_get(httpserver, tmp_path, run_cli):
    httpserver.expect_request("/feed.xml").respond_with_handler(conditional_feed(serve_articles(httpserver, 3)))
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])

    first = run_cli("--config", config, "check")
    assert first.exit_code == 0, first.output
    db = sqlite3.connect(tmp_path / "monitor.db")
    rows = db.execute("SELECT title, text, extracted_from FROM articles ORDER BY id").fetchall()
    # undated entries are read in the reverse of the feed's order: feeds list the newest first
    assert [r[0] for r in rows] == ["Story 2", "Story 1", "Story 0"]
    assert all("Pantsir air defense system" in r[1] and r[2] == "page" for r in rows)
    mentions = db.execute("SELECT entity, sum(count) FROM mentions GROUP BY entity ORDER BY entity").fetchall()
    assert mentions == [("MSMT", 6), ("Pantsir", 3)]

    second = run_cli("--config", config, "check", "--all")
    assert second.exit_code == 0, second.output
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    feed_requests = [req for req, _ in httpserver.log if req.path == "/feed.xml"]
    assert [req.headers.get("If-None-Match") for req in feed_requests] == [None, '"v1"']
    assert [resp.status_code for req, resp in httpserver.log if req.path == "/feed.xml"] == [200, 304]
    assert db.execute("SELECT last_status, etag FROM feeds").fetchone() == ("not modified", '"v1"')


def test_check_polls_only_due_feeds_unless_all(httpserver, tmp_path, run_cli):
    httpserver.expect_request("/feed.xml").respond_with_handler(conditional_feed(serve_articles(httpserver, 1)))
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])
    assert run_cli("--config", config, "check").exit_code == 0
    assert run_cli("--config", config, "check").exit_code == 0  # not due: 30 minutes later
    assert sum(req.path == "/feed.xml" for req, _ in httpserver.log) == 1


def test_failing_feeds_are_named_and_the_good_one_is_processed(httpserver, tmp_path, run_monitor):
    httpserver.expect_request("/good.xml").respond_with_data(serve_articles(httpserver, 2),
                                                             content_type="application/rss+xml")
    httpserver.expect_request("/broken.xml").respond_with_data("oops", status=500)
    httpserver.expect_request("/html.xml").respond_with_data(
        "<html><body><h1>Welcome</h1><p>No feed here.</p></body></html>", content_type="text/html")
    config = write_config(tmp_path, feeds=[
        {"url": httpserver.url_for("/broken.xml"), "name": "Broken"},
        {"url": httpserver.url_for("/good.xml"), "name": "Good"},
        {"url": httpserver.url_for("/html.xml"), "name": "NotXML"},
    ])
    result = run_monitor("--config", config, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line for line in lines if "feed Broken" in line] == [
        next(line for line in lines if "feed Broken failed: HTTP 500" in line)]
    assert len([line for line in lines if "feed NotXML failed: not a feed" in line]) == 1
    db = sqlite3.connect(tmp_path / "monitor.db")
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    states = dict(db.execute("SELECT name, last_status FROM feeds"))
    assert states == {"Broken": "error", "Good": "ok", "NotXML": "error"}


def test_unfetchable_page_falls_back_to_the_summary(httpserver, tmp_path, run_cli):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(feed_xml([
        {"title": "Lost page", "link": httpserver.url_for("/gone"),
         "description": "<p>The MSMT says a Pantsir went north.</p>"},
    ]), content_type="application/rss+xml")
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])
    assert run_cli("--config", config, "check").exit_code == 0
    db = sqlite3.connect(tmp_path / "monitor.db")
    assert db.execute("SELECT text, extracted_from FROM articles").fetchall() == [
        ("The MSMT says a Pantsir went north.", "summary")]


def test_sigkill_while_writing_leaves_no_half_article(httpserver, tmp_path):
    count = 60
    httpserver.expect_request("/feed.xml").respond_with_data(serve_articles(httpserver, count),
                                                             content_type="application/rss+xml")
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])
    database = tmp_path / "monitor.db"
    process = subprocess.Popen(monitor_command("--config", config, "-q", "check"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(database, timeout=1) as db:
                stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:
            stored = 0
        if stored >= 3:
            break
    assert process.poll() is None, "the check finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    rerun = subprocess.run(monitor_command("--config", config, "-q", "check", "--all"), capture_output=True,
                           text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (count, count)
    # every article has its mentions: none was stored without what was detected in it
    assert db.execute("""SELECT count(*) FROM articles a
                         WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id)""").fetchone() == (0,)


def test_a_check_with_nothing_due_loads_no_detector_and_no_extractor(httpserver, tmp_path):
    """The common cron run stays light: plugins are loaded only when an article or the baseline needs them."""
    import sys

    httpserver.expect_request("/feed.xml").respond_with_data(
        feed_xml([{"title": "Quiet", "guid": "q1", "description": "Nothing to report."}]),
        content_type="application/rss+xml")
    config = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])
    assert subprocess.run(monitor_command("--config", config, "check"), capture_output=True).returncode == 0
    requests = len(httpserver.log)
    probe = ("import sys\nfrom monitor.cli import cli\n"
             f"try:\n    cli(['--config', {str(config)!r}, 'check'])\nexcept SystemExit as exit:\n"
             "    print(exit.code, sorted({m.split('.')[0] for m in sys.modules\n"
             "                             if m.startswith(('monitor.toolkit', 'syntok', 'trafilatura', 'jinja2'))}))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split(maxsplit=1) == ["0", "[]\n"], result.stderr
    assert len(httpserver.log) == requests  # the second check polled nothing


def test_check_delivers_on_the_digest_schedule_not_at_every_run(monitor_feed_server, tmp_path):
    """cron runs ``check`` every few minutes; with ``digest.schedule = "0 7 * * *"`` the digest goes out
    once per scheduled time, with everything pending then."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from monitor.config import load_config
    from monitor.pipeline import check_once

    def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
        return datetime(2026, 1, day, hour, minute, tzinfo=UTC)

    def add(troops: int, when: datetime) -> None:
        monitor_feed_server.add_article(f"{troops} troops", [f"North Korea has sent {troops:,} troops to Russia."],
                                        published=format_datetime(when - timedelta(minutes=5), usegmt=True))

    feed = monitor_feed_server.feed_url()
    config = load_config(write_config(tmp_path, feeds=[feed], extra='[digest]\nschedule = "0 7 * * *"\n'))
    digests = tmp_path / "digests"

    def sent() -> int:
        return len(list(digests.glob("*.md"))) if digests.exists() else 0

    add(15_000, at(6))
    assert check_once(config, now=at(6), all_feeds=True).delivery is not None  # yesterday's 07:00 is owed
    assert sent() == 1
    add(16_000, at(6, 30))
    assert check_once(config, now=at(6, 30), all_feeds=True).delivery is None  # waits for 07:00
    assert sent() == 1
    assert check_once(config, now=at(7, 5), all_feeds=True).delivery is not None
    assert sent() == 2 and "16,000" in max(digests.glob("*.md"), key=lambda p: p.stat().st_mtime).read_text()
    assert check_once(config, now=at(7, 10), all_feeds=True).delivery is None
    assert check_once(config, now=at(7, 5, day=11), all_feeds=True).delivery is not None  # nothing new: no file
    assert sent() == 2


def test_a_bad_digest_schedule_or_time_zone_stops_check_too(tmp_path, run_cli):
    for extra in ('[digest]\nschedule = "every morning"\n', '[digest]\ntimezone = "Mars/Olympus"\n'):
        config = write_config(tmp_path, extra=extra)
        result = run_cli("--config", config, "check")
        assert result.exit_code == 2, result.output
        assert "digest.schedule" in result.output or "digest.timezone" in result.output
