"""Edges of one poll: a first poll cut short, a 304 after a truncated feed, undated entries' order,
hostile values that once escaped the feed's error handling."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from werkzeug import Request, Response

from monitor.config import load_config
from monitor.fetch import Fetcher, parse_retry_after
from monitor.pipeline import poll_feed
from monitor.plugins import make_plugin_manager
from monitor.sources import parse_feed
from monitor.store import feed_state, open_store
from monitor.testing import feed_xml, write_config

NOW = datetime.now(UTC)


def poll(config, db, pm, *, stop: threading.Event | None = None):
    with Fetcher(config.fetch) as fetcher:
        return poll_feed(config.feeds[0], config=config, fetcher=fetcher, db=db, pm=pm, now=NOW, stop=stop)


def test_a_first_poll_cut_short_stays_a_first_poll(httpserver, tmp_path, troops_entry):
    old = [troops_entry(f"old-{i}", 20_000 + 100 * i, NOW - timedelta(days=30 + i)) for i in range(5)]
    httpserver.expect_request("/feed.xml").respond_with_data(feed_xml(old), content_type="application/rss+xml")
    config = load_config(write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")]))
    db, pm = open_store(config.database), make_plugin_manager()
    stop = threading.Event()
    stop.set()  # stopped before its first article

    assert poll(config, db, pm, stop=stop).stopped
    assert feed_state(db, config.feeds[0].url).last_success is None

    outcome = poll(config, db, pm)
    assert (outcome.new_articles, outcome.background) == (5, 5)
    assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0  # old news, still


def test_a_304_keeps_the_note_of_entries_over_the_cap(httpserver, tmp_path):
    body = feed_xml([{"title": f"E{i}", "guid": f"g{i}", "description": "d"} for i in range(30)])

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"})

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    path = write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")])
    path.write_text(path.read_text().replace("[fetch]\n", "[fetch]\nmax_entries_per_feed = 10\n"))
    config = load_config(path)
    db, pm = open_store(config.database), make_plugin_manager()
    assert poll(config, db, pm).skipped_entries == 20
    assert poll(config, db, pm).status == "not modified"
    assert feed_state(db, config.feeds[0].url).skipped_entries == 20


def test_undated_entries_are_stored_oldest_first_after_the_dated_ones(httpserver, tmp_path, troops_entry):
    # feeds list the newest first: "c" is the newest undated entry
    entries = [troops_entry("c", 13_000, None), troops_entry("dated", 12_500, NOW - timedelta(hours=1)),
               troops_entry("b", 14_000, None), troops_entry("a", 15_000, None)]
    httpserver.expect_request("/feed.xml").respond_with_data(feed_xml(entries), content_type="application/rss+xml")
    config = load_config(write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")]))
    db = open_store(config.database)
    poll(config, db, make_plugin_manager())
    keys = [row[0].rsplit("/", 1)[-1] for row in db.execute("SELECT url FROM articles ORDER BY id")]
    assert keys == ["dated", "a", "b", "c"]


def test_hostile_dates_and_retry_after_values_are_ignored_not_raised():
    json_feed = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
                 b'{"id": "1", "url": "https://example.com/1", "content_text": "x",'
                 b' "date_published": "0001-01-01T00:00:00+01:00"}]}')
    [entry] = parse_feed(json_feed, url="https://example.com/feed.json", content_type="application/feed+json").entries
    assert entry.published is None
    assert parse_retry_after("\u00b2") is None and parse_retry_after("120") == 120.0


def test_first_poll_stop_leaves_no_success_in_the_file(httpserver, tmp_path, troops_entry):
    """The same, read back by another connection: nothing recorded means the next run is a first poll."""
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed_xml([troops_entry("x", 20_000, NOW - timedelta(days=40))]), content_type="application/rss+xml")
    config = load_config(write_config(tmp_path, feeds=[httpserver.url_for("/feed.xml")]))
    stop = threading.Event()
    stop.set()
    poll(config, open_store(config.database), make_plugin_manager(), stop=stop)
    with sqlite3.connect(config.database) as conn:
        assert conn.execute("SELECT last_success FROM feeds").fetchall() == [(None,)]


def test_a_feeds_scripts_and_style_sheets_are_no_part_of_a_summary() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Troops</title>'
            b"<link>https://news.example/a</link><description><![CDATA[<p>North Korea sent troops.</p>"
            b"<script>location.href='https://evil.example/'</script><style>p {color: red}</style>"
            b"<!-- tracking --><p>More followed.</p>]]></description></item></channel></rss>")
    summary = parse_feed(body, url="https://news.example/feed").entries[0].summary
    assert summary == "North Korea sent troops.\nMore followed."


def test_a_relative_content_location_is_resolved_against_the_feeds_url() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Troops</title>'
            b"<link>/world/troops</link></item></channel></rss>")
    entry = parse_feed(body, url="https://news.example/feeds/latest", content_location="/rss/world.xml").entries[0]
    assert entry.link == "https://news.example/world/troops"


def test_a_feed_over_the_cap_keeps_its_newest_entries_whichever_order_it_lists_them_in() -> None:
    items = "".join(f"<item><title>Story {day}</title><link>https://news.example/{day}</link>"
                    f"<pubDate>{day:02d} Nov 2026 08:00:00 GMT</pubDate></item>" for day in range(1, 8))
    oldest_first = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    parsed = parse_feed(oldest_first, url="https://news.example/feed", max_entries=3)
    assert [entry.title for entry in parsed.entries] == ["Story 5", "Story 6", "Story 7"]
    assert parsed.skipped == 4
    newest_first = oldest_first.replace(items.encode(), "".join(reversed(
        [f"<item><title>Story {d}</title><link>https://news.example/{d}</link><pubDate>{d:02d} Nov 2026 08:00:00 GMT"
         f"</pubDate></item>" for d in range(1, 8)])).encode())
    assert [e.title for e in parse_feed(newest_first, url="https://news.example/feed", max_entries=3).entries] == [
        "Story 7", "Story 6", "Story 5"]


def test_a_json_feed_over_the_cap_keeps_its_newest_items() -> None:
    items = ",".join(f'{{"id": "{d}", "url": "https://news.example/{d}", "title": "Story {d}", '
                     f'"date_published": "2026-11-{d:02d}T08:00:00Z"}}' for d in range(1, 6))
    body = f'{{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{items}]}}'.encode()
    parsed = parse_feed(body, url="https://news.example/feed.json", max_entries=2)
    assert [entry.title for entry in parsed.entries] == ["Story 4", "Story 5"]
    assert parsed.skipped == 3


def test_a_tag_that_only_starts_like_a_script_keeps_the_text_after_it() -> None:
    from monitor.sources import html_to_text

    assert html_to_text("<p>3 < 4 and <script-free> words</p>") == "3 < 4 and words"
