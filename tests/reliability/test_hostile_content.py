"""Bombs, hostile XML and HTML, bad encodings, odd feeds (RELIABILITY.md T3–T5, T11–T17, T38, T39)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile import (
    answer,
    billion_laughs_feed,
    error_lines,
    gzip_bomb,
    query,
    stream_forever,
    write_reliability_config,
)

from monitor.config import FetchConfig
from monitor.errors import ExtractError, FeedError, FetchError
from monitor.extract import extract_page
from monitor.fetch import Fetcher
from monitor.sources import check_xml_parser, parse_feed
from monitor.testing import feed_xml, page_html

HERE = Path(__file__).resolve().parent
TEN_MB = 10_000_000


def fetcher(**limits: object) -> Fetcher:
    return Fetcher(FetchConfig(**{"allow_private_addresses": True, "timeout_seconds": 10.0, **limits}))


def run_measured(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter that prints one JSON object; return it."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                            timeout=60, cwd=HERE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- decompression and size (T3, T4, T5, T13) -----------------------------------


@pytest.mark.slow
def test_gzip_bomb_is_capped_on_decoded_bytes_with_bounded_memory(httpserver):
    """T4: 2 MB of gzip claiming 2 GiB stops at the cap; the process grows by far less than 100 MB."""
    httpserver.expect_request("/bomb").respond_with_data(
        gzip_bomb(2048), headers={"Content-Encoding": "gzip"}, content_type="text/html")
    measured = run_measured("""
        import json, resource, sys
        from monitor.config import FetchConfig
        from monitor.errors import ResponseTooLarge
        from monitor.fetch import Fetcher
        with Fetcher(FetchConfig(allow_private_addresses=True, max_bytes=10_000_000)) as client:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            try:
                client.get(sys.argv[1])
                error = None
            except ResponseTooLarge as exc:
                error = str(exc)
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"error": error, "growth_kb": after - before}))
    """, httpserver.url_for("/bomb"))
    assert measured["error"].endswith("response too large (over 10,000,000 bytes decoded)")
    assert measured["growth_kb"] < 100 * 1024


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
def test_encodings_other_than_gzip_and_deflate_are_refused(httpserver, encoding):
    httpserver.expect_request("/x").respond_with_data(b"\x00" * 100, headers={"Content-Encoding": encoding})
    with fetcher() as client, pytest.raises(FetchError, match=f"unsupported content encoding '{encoding}'"):
        client.get(httpserver.url_for("/x"))
    assert "br" not in httpserver.log[0][0].headers["Accept-Encoding"]


def test_gzip_and_deflate_bodies_are_decoded(httpserver):
    import gzip
    import zlib

    page = page_html("Troops", ["North Korea sent 12,000 troops to Russia in October."])
    httpserver.expect_request("/gz").respond_with_data(gzip.compress(page), headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/df").respond_with_data(zlib.compress(page), headers={"Content-Encoding": "deflate"})
    with fetcher() as client:
        assert client.get(httpserver.url_for("/gz")).body == page
        assert client.get(httpserver.url_for("/df")).body == page


def test_a_gzip_body_of_several_members_is_decoded_whole(httpserver):
    import gzip

    head, tail = b"<html><body><p>First member. ", b"Second member.</p></body></html>"
    httpserver.expect_request("/multi").respond_with_data(gzip.compress(head) + gzip.compress(tail),
                                                          headers={"Content-Encoding": "gzip"})
    with fetcher() as client:
        assert client.get(httpserver.url_for("/multi")).body == head + tail


def test_fifty_megabyte_page_is_cut_at_the_cap_and_the_item_kept_with_its_summary(tmp_path, raw_server,
                                                                                run_monitor):
    """T3: the page fails with "response too large"; the entry is stored from the feed's summary."""
    page = raw_server(stream_forever(b"<p>" + b"troops " * 1000 + b"</p>\n"))
    feed = raw_server(answer(feed_xml([{"title": "Huge", "link": page.url("/huge"), "guid": "huge",
                                        "description": "Summary: 12,000 troops."}])))
    config = write_reliability_config(tmp_path, feeds=[{"name": "big", "url": feed.url("/feed")}],
                                      fetch={"fetch_pages": True})
    result = run_monitor("--config", config, "check")
    assert result.returncode == 0, result.stderr
    warnings = error_lines(result.stderr)
    assert any(f"article {page.url('/huge')}" in line and "response too large (over 10,000,000 bytes decoded)"
               in line for line in warnings), warnings
    assert query(tmp_path / "monitor.db", "SELECT text, extracted_from FROM articles") == [
        ("Summary: 12,000 troops.", "summary")]


def test_raw_gzip_served_as_html_is_not_inflated(tmp_path, httpserver, run_monitor):
    """T13: a still-compressed page (no Content-Encoding) never reaches trafilatura's own inflater."""
    httpserver.expect_request("/page").respond_with_data(gzip_bomb(200), content_type="text/html")
    httpserver.expect_request("/feed").respond_with_data(
        feed_xml([{"title": "Zip", "link": httpserver.url_for("/page"), "guid": "z", "description": "Short."}]),
        content_type="application/rss+xml")
    config = write_reliability_config(tmp_path, feeds=[{"name": "zip", "url": httpserver.url_for("/feed")}],
                                      fetch={"fetch_pages": True})
    result = run_monitor("--config", config, "check")
    assert result.returncode == 0, result.stderr
    assert any("binary or compressed data, not HTML" in line for line in error_lines(result.stderr))
    assert query(tmp_path / "monitor.db", "SELECT text, extracted_from FROM articles") == [("Short.", "summary")]


def test_compressed_bytes_are_refused_by_the_extractor():
    import gzip

    with pytest.raises(ExtractError, match="binary or compressed data"):
        extract_page(gzip.compress(page_html("T", ["text"] * 50)), url="https://example.com/a")


# --- hostile XML (T11, T12) -----------------------------------------------------


@pytest.mark.parametrize("layout", [{"one_line": False}, {"one_line": True}, {"one_line": True, "padding": 100_000}],
                         ids=["multi-line", "one-line", "after-100k-comment"])
def test_billion_laughs_is_never_expanded(layout):
    parsed = parse_feed(billion_laughs_feed(**layout), url="https://example.com/feed")
    assert [(e.title, e.summary) for e in parsed.entries] == [("&lol9;", "&lol9;")]
    assert parsed.problem is not None and "undefined entity" in parsed.problem


@pytest.mark.parametrize("body", [
    # a DOCTYPE the stripping pattern cannot take apart, with an entity in it
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x"> <!ELEMENT rss ANY> <!ATTLIST rss v CDATA "]">]>'
    b"<rss><channel><item><title>&a;</title></item></channel></rss>",
    b'<?xml version="1.0"?><!-- <rss> --><!DOCTYPE rss [<!ENTITY a "x">]><rss><channel/></rss>',
])
def test_entity_declarations_that_survive_stripping_are_refused(body):
    try:
        parsed = parse_feed(body, url="https://example.com/feed")
    except FeedError as exc:
        assert "declares XML entities" in str(exc) or "not a feed" in str(exc)
    else:
        assert all("x" != e.title for e in parsed.entries)


def test_billion_laughs_is_refused_quickly_with_bounded_memory():
    """T11 in a fresh process: every layout parsed, memory growth measured."""
    measured = run_measured("""
        import json, resource
        from hostile import billion_laughs_feed
        from monitor.sources import parse_feed
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for layout in ({"one_line": False}, {"one_line": True}, {"one_line": True, "padding": 100000}):
            parse_feed(billion_laughs_feed(**layout), url="https://example.com/feed")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"growth_kb": after - before}))
    """)
    assert measured["growth_kb"] < 150 * 1024


def test_external_entity_in_a_feed_is_not_resolved():
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<rss version="2.0"><channel><title>t</title><item><title>Leak &xxe;</title>'
            b"<link>https://example.com/x</link><description>&xxe;</description></item></channel></rss>")
    parsed = parse_feed(body, url="https://example.com/feed")
    assert "root:" not in repr(parsed)


def test_external_entity_in_article_html_is_not_resolved():
    page = (b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<html><body><article><h1>Title</h1><p>Pyongyang sent troops. &xxe; More text follows here "
            b"about the deployment of soldiers to the Kursk region in the autumn.</p></article></body></html>")
    try:
        article = extract_page(page, url="https://example.com/a")
    except ExtractError:
        return
    assert "root:" not in article.text


def test_expat_older_than_2_4_is_refused_at_start_up():
    from monitor.errors import SetupError

    check_xml_parser()  # the running interpreter's expat is recent enough
    with pytest.raises(SetupError, match=r"expat_2\.2\.10; monitor needs expat 2\.4\.0 or later"):
        check_xml_parser("expat_2.2.10")


# --- odd feeds (T14, T15, T16) --------------------------------------------------


@pytest.mark.slow
def test_feed_with_ten_thousand_entries_is_cut_at_the_cap_and_the_rest_reported(tmp_path, httpserver,
                                                                                run_monitor):
    entries = [{"title": f"Entry {i}", "guid": f"g{i}", "description": f"Text {i}."} for i in range(10_000)]
    httpserver.expect_request("/feed").respond_with_data(feed_xml(entries), content_type="application/rss+xml")
    config = write_reliability_config(tmp_path, feeds=[{"name": "huge", "url": httpserver.url_for("/feed")}],
                                      fetch={"max_entries_per_feed": 150})
    result = run_monitor("--config", config, "check")
    assert result.returncode == 0, result.stderr
    assert any("feed huge: 9850 entries over the cap of 150 were not processed" in line
               for line in error_lines(result.stderr))
    assert query(tmp_path / "monitor.db", "SELECT count(*), count(DISTINCT entry_key) FROM articles") == [(150, 150)]
    digest = run_monitor("--config", config, "digest", "--format", "text")
    assert "- huge: +9,850 more entries than fetch.max_entries_per_feed at its last poll, not read" in digest.stdout


def test_truncated_feed_keeps_its_valid_entries_with_a_warning():
    whole = feed_xml([{"title": f"T{i}", "link": f"https://example.com/{i}", "description": "d"} for i in range(3)])
    truncated = whole[: whole.rindex(b"</item>") + len(b"</item>")] + b"<item><title>Cut he"
    parsed = parse_feed(truncated, url="https://example.com/feed")
    assert [e.title for e in parsed.entries][:3] == ["T0", "T1", "T2"]
    assert parsed.problem is not None


def test_truncated_feed_without_entries_is_an_error():
    with pytest.raises(FeedError):
        parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x', url="https://example.com/f")


@pytest.mark.parametrize(("body", "reason"), [
    (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
     "not a feed"),
    (b'{"error": "rate limited", "code": 429}', "not a feed (JSON without an items list)"),
    (b"", "not a feed"),
])
def test_error_pages_served_as_rss_are_not_a_feed(body, reason):
    with pytest.raises(FeedError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_feed(body, url="https://example.com/feed", content_type="application/rss+xml")


# --- encodings (T17) --------------------------------------------------------------


def test_windows_1251_page_without_charset_is_extracted():
    text = "Пхеньян направил в Россию двенадцать тысяч военнослужащих. " * 8
    page = (f"<html><head><title>Новости</title></head><body><article><h1>Новости</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>").encode("cp1251")
    article = extract_page(page, url="https://example.com/ru")
    assert "Пхеньян направил в Россию" in article.text


def test_invalid_utf8_page_is_extracted_without_exception():
    page = page_html("Troops", ["North Korea sent 12,000 troops to Russia, officials said on Monday."] * 5)
    broken = page.replace(b"officials", b"offi\xff\xfe\xc3cials")
    article = extract_page(broken, url="https://example.com/bad")
    assert "12,000 troops" in article.text


# --- entry identity and first polls (T38, T39) -------------------------------------


def test_entry_without_guid_or_link_keeps_its_key_when_its_content_changes(tmp_path, httpserver, run_monitor):
    def feed(description: str, title: str) -> bytes:
        return feed_xml([{"title": title, "description": description}])

    config = write_reliability_config(tmp_path, feeds=[{"name": "nolink", "url": httpserver.url_for("/feed")}])
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        feed("12,000 troops were sent.", "Troops  sent"), content_type="application/rss+xml")
    assert run_monitor("--config", config, "check").returncode == 0
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        feed("12,000 troops were sent, officials said.", "troops sent "), content_type="application/rss+xml")
    assert run_monitor("--config", config, "check", "--all").returncode == 0
    assert query(tmp_path / "monitor.db", "SELECT count(*) FROM articles") == [(1,)]


def test_first_poll_of_a_new_feed_stores_its_back_catalogue_without_an_alert_flood(tmp_path, httpserver,
                                                                                   run_monitor, troops_entry):
    """T38: 200 old entries, each with a figure no alert has seen, plus two recent ones and an undated one."""
    from datetime import UTC, datetime, timedelta

    entry = troops_entry
    now = datetime.now(UTC)
    old = [entry(f"old-{i}", 20_000 + 10 * i, now - timedelta(days=30 + i)) for i in range(200)]
    recent = [entry("recent", 17_000, now - timedelta(hours=2)), entry("undated", 18_000, None),
              entry("recent-old-value", 20_000, now - timedelta(hours=1))]
    httpserver.expect_request("/feed").respond_with_data(feed_xml(recent + old), content_type="application/rss+xml")
    config = write_reliability_config(tmp_path, feeds=[{"name": "old", "url": httpserver.url_for("/feed")}],
                                      fetch={"max_entries_per_feed": 250})

    first = run_monitor("--config", config, "check")

    assert first.returncode == 0, first.stderr
    assert "feed old: first poll: 200 articles published before" in first.stderr
    assert "203 new articles, 203 figures (200 older articles of new feeds stored as background" in first.stderr
    database = tmp_path / "monitor.db"
    assert query(database, "SELECT count(*), count(DISTINCT entry_key) FROM articles") == [(203, 203)]
    assert query(database, "SELECT count(*) FROM figures WHERE metric = 'dprk_troops_to_russia'") == [(203,)]
    # the recent and the undated entries alert; the back catalogue does not, and as entries are read
    # oldest first, the recent 20,000 repeats old news
    assert query(database, "SELECT value FROM alerts ORDER BY value") == [(17_000,), (18_000,)]

    # later polls are not first polls: a new entry alerts even if old, one repeating an old value does not
    httpserver.clear()
    later = [entry("new", 25_000, now - timedelta(days=40)), entry("repeat", 20_010, now)]
    httpserver.expect_request("/feed").respond_with_data(feed_xml(later + recent + old),
                                                         content_type="application/rss+xml")
    assert run_monitor("--config", config, "check", "--all").returncode == 0
    assert query(database, "SELECT value FROM alerts ORDER BY value") == [(17_000,), (18_000,), (25_000,)]
    assert query(database, "SELECT count(*) FROM articles") == [(205,)]
