"""Feeds management: ``monitor feeds add``, ``feeds import FILE.opml``, ``feeds export``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.config import FeedConfig, load_config
from monitor.errors import OPMLError
from monitor.opml import OutlineFeed, parse_opml, render_opml
from monitor.testing import write_config

# As a feed reader exports it: categories as nested outlines, a feed listed twice, odd whitespace.
READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head>
    <title>Subscriptions in Reader</title>
    <dateCreated>Sat, 07 Mar 2026 09:12:44 +0000</dateCreated>
  </head>
  <body>
    <outline text="Korea" title="Korea">
      <outline text="Yonhap" title="Yonhap News" type="rss"
               xmlUrl="https://en.yna.co.kr/RSS/northkorea.xml" htmlUrl="https://en.yna.co.kr/"/>
      <outline text="NK News" type="rss" xmlUrl="https://www.nknews.org/feed/" htmlUrl="https://www.nknews.org/"/>
      <outline text="Think tanks">
        <outline text="38 North" title="38 North: Informed Analysis
            of North Korea" type="rss" xmlUrl="https://www.38north.org/feed/" htmlUrl="https://www.38north.org"/>
      </outline>
    </outline>
    <outline text="Ukraine" title="Ukraine">
      <outline text="Kyiv Independent" title="The Kyiv Independent" type="rss"
               xmlUrl="https://kyivindependent.com/rss/" htmlUrl="https://kyivindependent.com/"/>
      <outline text="Yonhap (again)" type="rss" xmlUrl="https://en.yna.co.kr/RSS/northkorea.xml"/>
    </outline>
    <outline text="ISW &amp; friends" title="ISW &amp; friends" type="rss" xmlUrl="https://www.understandingwar.org/rss.xml"/>
  </body>
</opml>
"""

EXPECTED = [
    ("https://en.yna.co.kr/RSS/northkorea.xml", "Yonhap News"),
    ("https://www.nknews.org/feed/", "NK News"),
    ("https://www.38north.org/feed/", "38 North: Informed Analysis of North Korea"),
    ("https://kyivindependent.com/rss/", "The Kyiv Independent"),
    ("https://www.understandingwar.org/rss.xml", "ISW & friends"),
]


def test_parse_reads_nested_outlines_with_their_categories():
    feeds = parse_opml(READER_EXPORT)
    assert [(f.url, f.title) for f in feeds] == EXPECTED
    assert feeds[2] == OutlineFeed(url="https://www.38north.org/feed/",
                                   title="38 North: Informed Analysis of North Korea", category="Korea/Think tanks")


def test_import_adds_every_feed_of_a_reader_export_and_keeps_the_comments(tmp_path, run_cli):
    config = write_config(tmp_path, extra="# the analysts' deployment: keep this comment")
    opml = tmp_path / "subscriptions.opml"
    opml.write_bytes(READER_EXPORT)

    result = run_cli("--config", config, "feeds", "import", opml)

    assert result.exit_code == 0, result.output
    assert "added 5 feeds" in result.output
    assert [(f.url, f.name) for f in load_config(config).feeds] == EXPECTED
    assert "# the analysts' deployment: keep this comment" in config.read_text(encoding="utf-8")

    again = run_cli("--config", config, "feeds", "import", opml)
    assert "added 0 feeds" in again.output and "5 were already there" in again.output
    assert len(load_config(config).feeds) == 5


def test_export_then_import_round_trips(tmp_path, run_cli):
    source = tmp_path / "a"
    source.mkdir()
    config = write_config(source, feeds=[{"url": url, "name": name} for url, name in EXPECTED])
    exported = run_cli("--config", config, "feeds", "export")
    assert exported.exit_code == 0
    assert exported.output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')

    target = tmp_path / "b"
    target.mkdir()
    fresh = write_config(target)
    (target / "feeds.opml").write_text(exported.output, encoding="utf-8")
    assert run_cli("--config", fresh, "feeds", "import", target / "feeds.opml").exit_code == 0
    assert [(f.url, f.name) for f in load_config(fresh).feeds] == EXPECTED


def test_render_escapes_names_and_urls():
    text = render_opml([FeedConfig(url="https://example.com/rss?a=1&b=2", name='Tom & "Jerry" <news>')],
                       title="monitor feeds", now=datetime(2026, 3, 7, tzinfo=UTC))
    assert parse_opml(text.encode()) == [
        OutlineFeed(url="https://example.com/rss?a=1&b=2", title='Tom & "Jerry" <news>')]


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://example.com/feed"/></body></opml>',
    b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml version="2.0"><body/></opml>',
])
def test_doctype_and_entities_are_refused(document):
    with pytest.raises(OPMLError, match="DOCTYPE"):
        parse_opml(document)


def test_import_of_a_file_that_is_not_opml_exits_2_and_changes_nothing(tmp_path, run_cli):
    config = write_config(tmp_path)
    before = config.read_text(encoding="utf-8")
    for name, body in {"rss.opml": b"<rss version='2.0'><channel/></rss>", "broken.opml": b"<opml><body>"}.items():
        (tmp_path / name).write_bytes(body)
        result = run_cli("--config", config, "feeds", "import", tmp_path / name)
        assert result.exit_code == 2
        assert name in result.output
    assert config.read_text(encoding="utf-8") == before


def test_add_appends_a_feed_with_its_interval(tmp_path, run_cli):
    config = write_config(tmp_path, feeds=["https://example.com/one.xml"])

    result = run_cli("--config", config, "feeds", "add", "https://example.com/two.xml", "--name", "Two",
                     "--interval", "2h")

    assert result.exit_code == 0, result.output
    assert load_config(config).feeds[1] == FeedConfig(url="https://example.com/two.xml", name="Two",
                                                      interval=7200.0)
    again = run_cli("--config", config, "feeds", "add", "https://example.com/two.xml")
    assert again.exit_code == 0 and "already in" in again.output
    assert len(load_config(config).feeds) == 2


def test_add_refuses_a_bad_url_or_interval_and_leaves_the_file_alone(tmp_path, run_cli):
    config = write_config(tmp_path)
    before = config.read_text(encoding="utf-8")

    bad_url = run_cli("--config", config, "feeds", "add", "ftp://example.com/feed")
    bad_interval = run_cli("--config", config, "feeds", "add", "https://example.com/feed", "--interval", "often")

    assert bad_url.exit_code == 2 and "not an http(s) URL" in bad_url.output and "unchanged" in bad_url.output
    assert bad_interval.exit_code == 2 and "--interval" in bad_interval.output
    assert config.read_text(encoding="utf-8") == before


def test_add_to_a_config_with_an_inline_feeds_array_rolls_back(tmp_path, run_cli):
    config = tmp_path / "config.toml"
    config.write_text('feeds = [{url = "https://example.com/a.xml"}]\n', encoding="utf-8")

    result = run_cli("--config", config, "feeds", "add", "https://example.com/b.xml")

    assert result.exit_code == 2
    assert config.read_text(encoding="utf-8") == 'feeds = [{url = "https://example.com/a.xml"}]\n'
