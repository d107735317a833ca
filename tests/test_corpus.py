"""Corpus tier: real pages and feeds nobody here wrote, read from ../shared/corpus (or $MONITOR_CORPUS).

Every page goes through ``extract_page`` once, and every page that gives an article through
the built-in detectors once; the tests of this module share those results. Every feed goes
through ``parse_feed``; the ones whose test needs HTTP headers are served with them from
127.0.0.1 and fetched by the ``Fetcher`` first, as a poll does. What to expect comes from the
corpus itself: ``MANIFEST.tsv`` and the truth and cases files.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import FetchConfig, load_config
from monitor.detect import detect_article
from monitor.errors import ExtractError, FeedError
from monitor.extract import extract_page
from monitor.fetch import Fetcher
from monitor.pipeline import article_for_entry
from monitor.plugins import make_plugin_manager
from monitor.records import Article, Detection
from monitor.sources import FeedEntry, ParsedFeed, parse_feed
from monitor.testing import write_config

pytestmark = pytest.mark.corpus

ON_TOPIC = "North Korea has sent 11,000 troops to Russia, officials said."
#: the figure ON_TOPIC reports: the only one a real page with ON_TOPIC added should give
PLANTED = ("dprk_troops_to_russia", 11000)
#: the built-in detectors that report figures (``mentions`` only tags entities)
FIGURE_DETECTORS = {"casualties", "fuel", "msmt", "munitions", "pantsir", "troops", "workers"}
LOCAL = FetchConfig(allow_private_addresses=True)  # the test server is on 127.0.0.1


# --- what the corpus says about itself --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Listed:
    """One line of MANIFEST.tsv: ``kind`` "page/truth-body,large" is kind "page", two tags."""

    kind: str
    tags: frozenset[str]
    check: str
    topics: frozenset[str]

    @property
    def feedparser_entries(self) -> int:
        """How many entries feedparser 6.0.14 found when the corpus was assembled."""
        return int(re.search(r"\bentries=(\d+)", self.check).group(1))


def read_manifest(root: Path) -> dict[str, Listed]:
    header, *lines = (root / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        row = dict(zip(header.split("\t"), line.split("\t"), strict=True))
        kind, _, tags = row["kind"].partition("/")
        topics = row["topic"]
        listed[row["path"]] = Listed(kind=kind, tags=frozenset(filter(None, tags.split(","))),
                                     check=row["check"], topics=frozenset(filter(None, topics.split(","))))
    return listed


def links_out(entry: FeedEntry) -> bool:
    return (entry.link or "").startswith(("http://", "https://"))


# --- the work the tests share: computed by the first test that needs it -----------------------


@pytest.fixture(scope="module")
def _done() -> dict[str, object]:
    """The results computed so far in this module (``corpus``, which skips, is per test, hence no
    module-scoped fixture that needs it: the per-test fixtures below compute once and keep it here)."""
    return {}


@pytest.fixture
def listed(corpus: Path, _done: dict) -> dict[str, Listed]:
    if "manifest" not in _done:
        _done["manifest"] = read_manifest(corpus)
    return _done["manifest"]


@pytest.fixture
def pages(corpus: Path, listed: dict[str, Listed], _done: dict) -> dict[str, Article | Exception]:
    """Every corpus page (by its corpus path) through ``extract_page``: an Article, or what it raised."""
    if "pages" not in _done:
        outcomes: dict[str, Article | Exception] = {}
        for path in sorted(p for p, item in listed.items() if item.kind.startswith("page")):
            try:
                body = (corpus / path).read_bytes()
                outcomes[path] = extract_page(body, url=f"https://corpus.example/{path}")
            except Exception as exc:  # kept for the test to name  # noqa: BLE001
                outcomes[path] = exc
        _done["pages"] = outcomes
    return _done["pages"]


@pytest.fixture
def plugin_manager(_done: dict):
    if "pm" not in _done:
        _done["pm"] = make_plugin_manager(None, entry_points=False)
    return _done["pm"]


@pytest.fixture
def detections(pages: dict, plugin_manager, _done: dict) -> dict[str, Detection]:
    """What the built-in detectors find on every page that gives an article."""
    if "detections" not in _done:
        _done["detections"] = {path: detect_article(plugin_manager, article)
                               for path, article in pages.items() if isinstance(article, Article)}
    return _done["detections"]


@pytest.fixture
def planted(pages: dict, plugin_manager, _done: dict) -> dict[tuple[str, str], Detection]:
    """What they find on every such page with ON_TOPIC added as its "first" or its "last" paragraph."""
    if "planted" not in _done:
        found = {}
        for path, article in pages.items():
            if isinstance(article, Article):
                for where, text in (("first", f"{ON_TOPIC}\n\n{article.text}"),
                                    ("last", f"{article.text}\n\n{ON_TOPIC}")):
                    changed = dataclasses.replace(article, text=text)
                    found[path, where] = detect_article(plugin_manager, changed)
        _done["planted"] = found
    return _done["planted"]


@pytest.fixture
def feeds(corpus: Path, listed: dict[str, Listed], httpserver,
          _done: dict) -> dict[str, ParsedFeed | Exception]:
    """Every corpus feed through ``parse_feed``: a ParsedFeed, or what it raised.

    A feed whose test gives HTTP headers (feedparser's cases.json) is served with them, fetched,
    and parsed with the Content-Type and Content-Location fetched, as ``start_poll`` does.
    """
    if "feeds" not in _done:
        cases = json.loads((corpus / "feeds" / "feedparser" / "cases.json").read_text(encoding="utf-8"))
        outcomes: dict[str, ParsedFeed | Exception] = {}
        with Fetcher(LOCAL) as fetcher:
            for path in sorted(p for p, item in listed.items()
                               if p.startswith("feeds/") and item.kind != "feed-index"):
                body = (corpus / path).read_bytes()
                given = cases.get(path, {}).get("headers", {})
                headers = {key.lower(): value for key, value in given.items()}
                try:
                    if headers:
                        content_type = headers.pop("content-type", "application/xml")
                        httpserver.expect_request(f"/{path}").respond_with_data(
                            body, content_type=content_type, headers=headers)
                        got = fetcher.get(httpserver.url_for(f"/{path}"))
                        outcomes[path] = parse_feed(got.body, url=got.url, content_type=got.content_type,
                                                    content_location=got.content_location)
                    else:
                        outcomes[path] = parse_feed(body, url=f"https://corpus.example/{path}")
                except Exception as exc:  # kept for the test to name  # noqa: BLE001
                    outcomes[path] = exc
        _done["feeds"] = outcomes
    return _done["feeds"]


# --- pages: extraction ------------------------------------------------------------------------


def test_every_page_gives_an_article_or_an_extract_error(pages):
    assert len(pages) == 362  # the README's count: a listing that finds nothing must not pass
    unexpected = {path: f"{type(exc).__name__}: {exc}" for path, exc in pages.items()
                  if isinstance(exc, Exception) and not isinstance(exc, ExtractError)}
    assert unexpected == {}
    # every real page has article text (measured: 355 of 355); only odd/ ones may give none
    refused = {path: str(exc) for path, exc in pages.items()
               if isinstance(exc, ExtractError) and not path.startswith("pages/odd/")}
    assert refused == {}
    assert all(article.text.strip() for article in pages.values() if isinstance(article, Article))


# words as the corpus README counts them: \w+, but Chinese, Japanese kana, Thai and Burmese by character
_BY_CHARACTER = "\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_BY_CHARACTER}]|[^\W{_BY_CHARACTER}]+")


def overlap(text: str, truth: str) -> tuple[float, float]:
    """(precision, recall) of ``text``'s bag of words against ``truth``'s."""
    got, want = Counter(_WORD.findall(text.casefold())), Counter(_WORD.findall(truth.casefold()))
    common = sum((got & want).values())
    return common / max(1, sum(got.values())), common / max(1, sum(want.values()))


def test_extracted_bodies_share_most_words_with_the_truth(corpus, pages):
    truth = json.loads((corpus / "truth" / "bodies.json").read_text(encoding="utf-8"))
    assert len(truth) == 217
    scores = {path: overlap(pages[path].text if isinstance(pages[path], Article) else "", expected["body"])
              for path, expected in truth.items()}
    f1 = {path: 2 * p * r / (p + r) if p + r else 0.0 for path, (p, r) in scores.items()}
    worst = [(path, round(f1[path], 2)) for path in sorted(f1, key=f1.get)[:8]]
    # "shares most words": most extracted words are the truth's, and most of the truth's are extracted.
    # Measured (trafilatura 2.3.1, fast=True): 212 of 217 pages (97.7 %). Of the other five, aeb
    # f6ac15a4 keeps a whole comment thread (precision 0.07), aeb d48aeb9c (Wired) too little (recall 0.35).
    shared = [path for path, (p, r) in scores.items() if p >= 0.5 and r >= 0.5]
    assert len(shared) >= 0.95 * len(truth), worst
    # measured: mean F1 0.960 (aeb 0.962, readability 0.970, newspaper4k 0.913);
    # F1 >= 0.8 on 209 pages (96.3 %)
    assert sum(f1.values()) / len(f1) >= 0.93, worst
    assert sum(value >= 0.8 for value in f1.values()) >= 0.92 * len(f1), worst


def test_extracted_pages_keep_the_article_and_drop_the_boilerplate(corpus, pages):
    snippets = json.loads((corpus / "truth" / "snippets.json").read_text(encoding="utf-8"))
    found = wanted = absent = unwanted = 0
    for path, expected in snippets.items():
        text = pages[path].text if isinstance(pages[path], Article) else ""
        wanted += len(expected.get("with", []))
        found += sum(snippet in text for snippet in expected.get("with", []))
        unwanted += len(expected.get("without", []))
        absent += sum(snippet not in text for snippet in expected.get("without", []))
    assert (len(snippets), wanted, unwanted) == (134, 370, 409)
    # measured: 339 of 370 article snippets found (91.6 %; 349 without fast=True), 372 of 409
    # boilerplate snippets left out (91.0 %)
    assert found >= 0.88 * wanted
    assert absent >= 0.87 * unwanted


# --- pages: the odd ones ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["miniflux-utf8.html", "miniflux-utf8-meta-after-1024.html",
                                  "miniflux-iso-8859-1.html", "miniflux-iso-8859-1-meta-after-1024.html"])
def test_a_pages_declared_charset_is_honoured_wherever_it_is_declared(corpus, pages, name):
    article = pages[f"pages/odd/{name}"]
    assert isinstance(article, Article)
    assert article.text == "Café"
    raw = (corpus / "pages" / "odd" / name).read_bytes()
    charset = re.search(rb'<meta charset="([^"]+)"', raw).group(1).decode()
    assert article.title == re.search(rb"<title>(.*?)</title>", raw).group(1).decode(charset)  # "Frédéric"


def test_an_iso_8859_1_page_served_without_a_charset_reads_cafe(corpus, httpserver):
    """httpx's ``response.text`` gives "Caf\\ufffd" here; the fetched bytes go to trafilatura instead."""
    with Fetcher(LOCAL) as fetcher:
        for name in ("miniflux-iso-8859-1.html", "miniflux-iso-8859-1-meta-after-1024.html"):
            httpserver.expect_request(f"/{name}").respond_with_data(
                (corpus / "pages" / "odd" / name).read_bytes(), content_type="text/html")
            got = fetcher.get(httpserver.url_for(f"/{name}"))
            assert got.content_type == "text/html"
            assert extract_page(got.body, url=got.url).text == "Café"


def test_a_meta_refresh_is_not_followed_the_page_or_else_the_summary_is_read(corpus, pages, httpserver,
                                                                              tmp_path):
    google = "pages/odd/newspaper4k-google_meta_refresh.html"
    ap = "pages/odd/newspaper4k-ap_meta_refresh.html"
    assert isinstance(pages[google], ExtractError) and "yields no article text" in str(pages[google])
    assert isinstance(pages[ap], Article) and "Orlando" in pages[ap].text and len(pages[ap].text) > 1000
    # as an entry's link: the page's own text, or the entry's summary when the page has none
    config = load_config(write_config(tmp_path))
    articles = {}
    with Fetcher(config.fetch) as fetcher:
        for path in (google, ap):
            httpserver.expect_request(f"/{path}").respond_with_data((corpus / path).read_bytes(),
                                                                    content_type="text/html; charset=utf-8")
            entry = FeedEntry(key=path, link=httpserver.url_for(f"/{path}"), title="Headline",
                              summary="The feed's own summary.", published=None)
            articles[path] = article_for_entry(entry, fetcher=fetcher, config=config,
                                               feed_url=httpserver.url_for("/feed.xml"))
    assert (articles[google].extracted_from, articles[google].text) == ("summary", "The feed's own summary.")
    assert (articles[ap].extracted_from, articles[ap].text) == ("page", pages[ap].text)


def test_a_gzip_body_is_inflated_by_fetch_and_refused_by_extract_while_compressed(corpus, pages, httpserver):
    path = "pages/odd/trafilatura-webpage.html.gz"
    raw = (corpus / path).read_bytes()
    assert isinstance(pages[path], ExtractError) and "binary or compressed" in str(pages[path])
    httpserver.expect_request("/encoded").respond_with_data(raw, content_type="text/html",
                                                            headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/mislabelled").respond_with_data(raw, content_type="text/html")
    with Fetcher(LOCAL) as fetcher:
        encoded = fetcher.get(httpserver.url_for("/encoded"))
        mislabelled = fetcher.get(httpserver.url_for("/mislabelled"))
    assert encoded.body == gzip.decompress(raw)
    article = extract_page(encoded.body, url=encoded.url)
    assert article.title == "Could Manchin Actually Leave The Democratic Party?"
    assert "Manchin" in article.text and len(article.text) > 2000
    assert mislabelled.body == raw  # no Content-Encoding: nothing inflates it, and extract refuses it
    with pytest.raises(ExtractError, match="binary or compressed"):
        extract_page(mislabelled.body, url=mislabelled.url)


# --- pages: detection -------------------------------------------------------------------------


def test_no_figure_on_pages_that_do_not_mention_north_korea(detections, listed, plugin_manager):
    assert FIGURE_DETECTORS <= {impl.plugin_name for impl in plugin_manager.hook.detect.get_hookimpls()}
    off_topic = [path for path in detections if "north-korea" not in listed[path].topics]
    assert len(off_topic) == 353  # of the 360 pages that give an article, 7 mention North Korea
    figures = {path: [(f.metric, f.value, f.quote[:160]) for f in detections[path].figures]
               for path in off_topic if detections[path].figures}
    assert figures == {}
    assert {path: d.failed_plugins for path, d in detections.items() if d.failed_plugins} == {}


@pytest.mark.parametrize("where", ["first", "last"])
def test_an_on_topic_paragraph_added_to_a_real_page_is_found(planted, where):
    """The detectors are not blind on real pages, so the test above is not empty."""
    assert len(planted) == 2 * 360
    missed = [path for (path, at), found in planted.items()
              if at == where and PLANTED not in {(f.metric, f.value) for f in found.figures}]
    assert missed == []


def stray_figures(planted: dict, where: str) -> dict[str, list]:
    """Per page, the figures other than the planted one when ON_TOPIC is its ``where`` paragraph."""
    stray = {path: [(f.metric, f.value, f.quote[:160])
                    for f in found.figures if (f.metric, f.value) != PLANTED]
             for (path, at), found in planted.items() if at == where}
    return {path: figures for path, figures in stray.items() if figures}


def test_an_on_topic_last_paragraph_makes_no_other_number_of_a_real_page_a_figure(planted):
    assert stray_figures(planted, "last") == {}


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "detector false positive: when an article's first paragraph names North Korea, the subject and context it "
    "lends can still make an unrelated number right after it a figure: 3 of 360 real pages (from 12 before "
    "generic nouns needed their context close by and disasters' dead were refused), e.g. \"WeWork's 12,000 "
    "employees\" -> dprk_workers_to_russia in the sentence right after the planted one, \"three fatalities at a "
    "fuel plant\" (Bolivia) -> dprk_killed"))
def test_an_on_topic_first_paragraph_makes_no_other_number_of_a_real_page_a_figure(planted):
    assert stray_figures(planted, "first") == {}


# --- feeds ------------------------------------------------------------------------------------


def test_every_feed_gives_entries_or_a_feed_error(feeds, listed):
    assert len(feeds) == 138  # the README's count
    unexpected = {path: f"{type(exc).__name__}: {exc}" for path, exc in feeds.items()
                  if isinstance(exc, Exception) and not isinstance(exc, FeedError)}
    assert unexpected == {}
    # no entry feedparser finds is lost (every feed is under the 200-entry cap)
    lost = {}
    for path, parsed in feeds.items():
        expected = listed[path].feedparser_entries
        got = len(parsed.entries) if isinstance(parsed, ParsedFeed) else parsed
        if listed[path].kind != "jsonfeed" and expected and got != expected:
            lost[path] = (got, expected)
    assert lost == {}
    # a feed is refused only when it gives no entry and is not well-formed or not RSS/Atom (measured: 12)
    refused = {path: listed[path].check for path, parsed in feeds.items() if isinstance(parsed, FeedError)}
    assert refused and all(listed[path].feedparser_entries == 0 for path in refused)
    assert [path for path, check in refused.items()
            if "bozo=1" not in check and "version=-" not in check] == []
    # a well-formed feed with no item yet is a feed, with no entries
    assert feeds["feeds/feedparser/wellformed/rss/rss_version_20.xml"].entries == ()


def test_json_feeds_are_read_although_feedparser_cannot(feeds, listed):
    json_feeds = [path for path, item in listed.items() if item.kind == "jsonfeed"]
    assert len(json_feeds) == 4
    for path in json_feeds:
        parsed = feeds[path]
        assert isinstance(parsed, ParsedFeed), parsed
        assert parsed.entries and all(links_out(e) and (e.title or e.summary) for e in parsed.entries), path


def test_real_feeds_yield_entries_with_links(feeds, listed):
    real = [path for path, item in listed.items() if "real" in item.tags]
    assert len(real) == 29
    for path in real:
        parsed = feeds[path]
        assert isinstance(parsed, ParsedFeed), (path, parsed)
        assert parsed.title and parsed.entries, path
        # every entry with a title links out (one Le Cercle Psy item is empty: no title, no link)
        assert [e.title for e in parsed.entries if e.title and not links_out(e)] == [], path


@pytest.mark.parametrize(("path", "field", "text"), [
    ("feeds/feedparser/encoding/euc-kr.xml", "feed title", "년"),
    ("feeds/feedparser/encoding/demoronize-1.xml", "entry summary", "don’t"),
    # served as application/xml, and as text/xml with a charset that overrides the XML declaration
    ("feeds/feedparser/encoding/http_i18n.xml", "feed title", "Iñtërnâtiônàlizætiøn"),
    ("feeds/feedparser/encoding/http_text_xml_charset_overrides_encoding_2.xml", "entry summary",
     "This is a £“test.”"),
    ("feeds/miniflux/encoding/koi8r.xml", "feed title", "Пример RSS ленты"),
    ("feeds/miniflux/encoding/iso-8859-1.xml", "feed title", "Café"),
    ("feeds/miniflux/encoding/windows-1252.xml", "feed title", "Euro €"),
    ("feeds/miniflux/encoding/utf8-incorrect-prolog.xml", "feed title", "테스트 피드"),
    ("feeds/miniflux/parser/encoding_WINDOWS-1251.xml", "entry title", "Цитата #17703"),
])
def test_a_feeds_text_is_decoded_from_its_charset(feeds, path, field, text):
    parsed = feeds[path]
    assert isinstance(parsed, ParsedFeed), parsed
    got = {"feed title": lambda: parsed.title, "entry title": lambda: parsed.entries[0].title,
           "entry summary": lambda: parsed.entries[0].summary}[field]()
    assert got == text


def test_a_content_location_header_is_the_base_of_relative_links(feeds):
    [entry] = feeds["feeds/feedparser/wellformed/base/http_item_link_base_content_location.xml"].entries
    assert entry.link == "http://example.com/relative/uri"


# (entries, the first entry's link and date) each feedvalidator date case gives
FEEDVALIDATOR = {
    # an invalid <published>: the entry's valid <updated> stands in for it
    "feeds/feedvalidator/atom-published-invalid-date.xml":
        (1, "http://example.org/2003/12/13/atom03", datetime(2003, 12, 13, 18, 30, 2, tzinfo=UTC)),
    # a date in 2103 is kept as the feed gives it
    "feeds/feedvalidator/atom-updated-future.xml":
        (1, "http://example.org/2003/12/13/atom03", datetime(2103, 12, 13, 18, 30, 2, tzinfo=UTC)),
    # an invalid <updated> and no <published>: the entry is kept, undated
    "feeds/feedvalidator/atom-updated-invalid-date.xml": (1, "http://example.org/2003/12/13/atom03", None),
    # an invalid channel-level pubDate in a feed with no item: a feed with no entries, not an error
    "feeds/feedvalidator/rss20-invalid_pubdate.xml": (0, None, None),
    "feeds/feedvalidator/rss20-invalid_pubdate_day.xml": (0, None, None),
    # 30 RFC 822 variants; each item is checked against the date it states below
    "feeds/feedvalidator/rss20-everything.xml": (30, None, datetime(2006, 2, 9, 23, 59, 45, tzinfo=UTC)),
}


def test_every_feedvalidator_case_is_covered(corpus):
    cases = json.loads((corpus / "feeds" / "feedvalidator" / "cases.json").read_text(encoding="utf-8"))
    assert set(cases) == set(FEEDVALIDATOR)


@pytest.mark.parametrize("path", sorted(FEEDVALIDATOR))
def test_feedvalidator_dates(feeds, path):
    count, link, published = FEEDVALIDATOR[path]
    parsed = feeds[path]
    assert isinstance(parsed, ParsedFeed) and parsed.problem is None
    assert len(parsed.entries) == count
    if count:
        assert (parsed.entries[0].link, parsed.entries[0].published) == (link, published)


_STATED = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November"
                     r"|December), (\d+)(?:st|nd|rd|th) (\d{4}), (\d\d):(\d\d):(\d\d) GMT")


def test_rfc822_date_variants_give_a_date_their_item_allows_or_none(feeds):
    wrong, undated = {}, []
    for entry in feeds["feeds/feedvalidator/rss20-everything.xml"].entries:
        allowed = {datetime.strptime(" ".join(m.groups()), "%B %d %Y %H %M %S").replace(tzinfo=UTC)
                   for m in _STATED.finditer(entry.summary)}
        assert allowed, entry.summary  # "The date on this item should be [one of] ..."
        if entry.published is None:
            undated.append(entry.title)
        elif entry.published not in allowed:
            wrong[entry.title] = (entry.published, sorted(allowed))
    assert wrong == {}  # military zones, two-digit years, 1806, 2106: never a wrong date
    # measured: 27 of 30 dated; 23-25 (RFC 822 comments, stray whitespace) undated, as in feedparser itself
    assert len(undated) <= 3, undated


def test_a_script_in_a_feed_leaves_no_code_in_the_summaries(feeds):
    summaries = [e.summary for path, parsed in feeds.items() if "/sanitize/" in path for e in parsed.entries]
    assert len(summaries) == 3
    assert [s for s in summaries if re.search(r"location\.href|alert\(|function executeMe", s)] == []


def test_a_relative_content_location_is_resolved_against_the_feeds_url(corpus, httpserver):
    path = "feeds/feedparser/wellformed/base/http_item_link_base_content_location.xml"  # "/relative/uri"
    httpserver.expect_request("/feeds/latest").respond_with_data(
        (corpus / path).read_bytes(), content_type="application/xml",
        headers={"Content-Location": "/feed/pg.cgi"})
    with Fetcher(LOCAL) as fetcher:
        got = fetcher.get(httpserver.url_for("/feeds/latest"))
    [entry] = parse_feed(got.body, url=got.url, content_type=got.content_type,
                         content_location=got.content_location).entries
    assert entry.link == httpserver.url_for("/relative/uri")
