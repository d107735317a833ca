"""Digests by content (markdown, HTML, text), hostile input, template overrides, and Chromium rendering."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.digest import escape_markdown, one_line, render_digest, safe_url
from monitor.records import Alert, Corroboration, FeedState, KnownValue, Metric, Qualifier, Status

NOW = datetime(2025, 6, 3, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
METRICS = {
    "dprk_troops_to_russia": Metric(key="dprk_troops_to_russia", unit="soldiers",
                                    description="North Korean soldiers sent to or deployed in Russia"),
    "dprk_casualties": Metric(key="dprk_casualties", unit="persons",
                              description="North Korean soldiers in Russia killed and wounded together"),
}
TROOPS_QUOTE = "North Korea has now sent about 15,000 troops to Russia, Seoul said."


def make_alert(**fields) -> Alert:
    values = dict(
        id=1, metric="dprk_troops_to_russia", value=15000, value_max=None, increment=False, status=Status.CHANGED,
        qualifier=Qualifier.ABOUT, period="2025", quote=TROOPS_QUOTE, span=(25, 37),
        url="https://news.example/troops", title="Seoul: troops to Russia now 15,000",
        published=datetime(2025, 6, 3, 8, 0, tzinfo=UTC), created_at=NOW, significance=0.36, feed="Example News",
        known_before=(
            KnownValue(metric="dprk_troops_to_russia", value=11000, qualifier=Qualifier.MORE_THAN, period="2024",
                       source="seed:001_2d2ab620839c6f7d.txt", from_baseline=True),
            KnownValue(metric="dprk_troops_to_russia", value=12000, source="https://other.example/old"),
        ),
        corroborations=(
            Corroboration(domain="news.example", url="https://news.example/troops"),
            Corroboration(domain="wire.example", url="https://wire.example/echo"),
            Corroboration(domain="wire.example", url="https://wire.example/echo-2"),
        ),
    )
    values.update(fields)
    return Alert(**values)


CASUALTIES = make_alert(
    id=2, metric="dprk_casualties", value=6000, qualifier=Qualifier.EXACT, period=None, significance=0.28,
    quote="Casualties have reached 6,000.", span=(24, 29), url="https://news.example/casualties",
    title="Casualties rise", known_before=(KnownValue(metric="dprk_casualties", value=4700, from_baseline=True,
                                                       source="seed:000_2612ac2de44427c9.txt"),),
    corroborations=(Corroboration(domain="news.example", url="https://news.example/casualties"),),
)
FAILING = FeedState(url="https://dead.example/feed", name="Dead feed", last_error="HTTP 503",
                    failing_since=datetime(2025, 6, 1, 6, 0, tzinfo=UTC), consecutive_failures=9)


def render(alerts=None, **kwargs):
    return render_digest([make_alert(), CASUALTIES] if alerts is None else alerts, failing_feeds=[FAILING],
                         metrics=METRICS, now=NOW, **kwargs)


def test_markdown_digest_holds_each_alert_grouped_by_metric_with_history_and_sources():
    markdown = render().markdown
    assert markdown.startswith("# monitor digest\n\n**2 alerts: dprk\\_troops\\_to\\_russia about 15,000; "
                               "dprk\\_casualties 6,000; 1 feed failing**\n")
    troops = markdown.index("## dprk\\_troops\\_to\\_russia: North Korean soldiers sent to or deployed in Russia")
    assert troops < markdown.index("## dprk\\_casualties")  # the larger move comes first
    assert "### about 15,000 soldiers, 2025" in markdown
    assert "**changed: +25 % from 12,000**" in markdown
    assert "> North Korea has now sent **about 15,000** troops to Russia, Seoul said." in markdown
    assert ("- Article: [Seoul: troops to Russia now 15,000](<https://news.example/troops>), "
            "published 2025-06-03 08:00 UTC (Example News)") in markdown
    assert "- more than 11,000 (2024): baseline, 001\\_2d2ab620839c6f7d.txt" in markdown
    assert "- 12,000: seen, <https://other.example/old>" in markdown
    assert "Sources (2):\n\n- [news.example](<https://news.example/troops>)\n- [wire.example](<https://wire.example/echo>)" \
        in markdown
    assert "- Dead feed: failing since 2025-06-01 06:00 UTC (9 failures in a row): HTTP 503" in markdown


def test_text_digest_is_plain_and_marks_the_figure():
    text = render().text
    assert text.startswith("MONITOR DIGEST\n2 alerts: dprk_troops_to_russia about 15,000; dprk_casualties 6,000")
    assert '"North Korea has now sent >>about 15,000<< troops to Russia, Seoul said."' in text
    assert "    - more than 11,000 (2024): baseline, 001_2d2ab620839c6f7d.txt" in text
    assert "  https://news.example/troops" in text
    assert "== Feed health" in text and "Dead feed: failing since 2025-06-01 06:00 UTC" in text
    assert "<" not in text.replace(">>", "").replace("<<", "")


def test_html_digest_escapes_and_marks_the_figure():
    html = render().html
    assert '<mark style="background:#ffe58a;padding:0 2px;font-weight:bold">about 15,000</mark>' in html
    assert '<a href="https://news.example/troops" style="color:#1d4ed8;">Seoul: troops to Russia now 15,000</a>' in html
    assert "Known before" in html and "Feed health" in html and "HTTP 503" in html


def test_hostile_feed_text_is_escaped_everywhere_and_the_subject_is_one_line():
    hostile = make_alert(title="<script>alert(1)</script>\r\nBcc: x@y {{ 7*7 }} </a><img src=x onerror=alert(2)>",
                         url="javascript:alert(1)", quote="Sent <b>15,000</b> troops [x](javascript:y).",
                         span=(8, 14))
    digest = render([hostile])
    assert "<script" not in digest.html and "<img" not in digest.html and "href=\"javascript" not in digest.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bcc: x@y {{ 7*7 }} &lt;/a&gt;&lt;img src=x" in digest.html
    assert "\\<script\\>alert\\(1\\)\\</script\\> Bcc: x@y \\{\\{ 7\\*7 \\}\\}" in digest.markdown
    assert "](javascript" not in digest.markdown and "\\[x\\]\\(javascript:y\\)" in digest.markdown
    assert "\n" not in digest.subject and "\r" not in digest.subject
    assert digest.subject.startswith("monitor: 1 alert: dprk_troops_to_russia about 15,000")


def test_a_new_metric_leads_and_says_so():
    new = make_alert(id=3, metric="pantsir_to_dprk", value=2, status=Status.NEW, significance=None,
                     known_before=(), quote="Two Pantsir systems.", span=None)
    markdown = render([make_alert(), new]).markdown
    assert markdown.index("## pantsir\\_to\\_dprk") < markdown.index("## dprk\\_troops")
    assert "**new metric: never reported before**" in markdown


def test_a_users_template_overrides_the_shipped_one_by_name(tmp_path):
    (tmp_path / "digest.txt.j2").write_text("custom {{ alert_count }}: {{ summary }}\n")
    digest = render(templates_dir=tmp_path)
    assert digest.text == "custom 2: 2 alerts: dprk_troops_to_russia about 15,000; dprk_casualties 6,000; " \
                          "1 feed failing\n"
    assert digest.markdown.startswith("# monitor digest")  # the others are still the shipped ones


def test_helpers_collapse_escape_and_filter_links():
    assert one_line(" a\r\n\tb\u2028c ") == "a b c"
    assert escape_markdown("[x](y) `z` <b>") == "\\[x\\]\\(y\\) \\`z\\` \\<b\\>"
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert [safe_url(u) for u in ("javascript:alert(1)", "data:text/html,x", "http:///x", "https://a.b/\nx")] == \
        [None] * 4


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): the HTML rendering check needs it")
    return path


def _chromium_args(chromium: str, profile: Path) -> list[str]:
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}"]


@pytest.mark.slow
def test_html_digest_renders_in_headless_chromium(tmp_path):
    chromium = _chromium()
    page = tmp_path / "digest.html"
    page.write_text(render().html, encoding="utf-8")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    screenshot = artifacts / "digest.png"
    screenshot.unlink(missing_ok=True)
    base = _chromium_args(chromium, tmp_path / "profile")
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for expected in ("about 15,000", "dprk_casualties", "Seoul: troops to Russia now 15,000", "Feed health"):
        assert expected in dom.stdout
    shot = subprocess.run([*base, f"--screenshot={screenshot}", "--window-size=1200,1600", page.as_uri()],
                          capture_output=True, text=True, timeout=90)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a blank page compresses to a few kB


def test_a_feed_that_failed_once_says_one_failure():
    once = FeedState(url="https://dead.example/feed", name="Dead feed", last_error="HTTP 503",
                     failing_since=datetime(2025, 6, 1, 6, 0, tzinfo=UTC), consecutive_failures=1)
    digest = render_digest([make_alert()], failing_feeds=[once], metrics=METRICS, now=NOW)
    for body in (digest.markdown, digest.text):
        assert "(1 failure in a row)" in body and "1 failures" not in body


def test_the_summary_counts_the_alerts_it_does_not_name():
    echo = make_alert(id=3, value=14000, significance=0.1)
    summary = render([make_alert(), echo, CASUALTIES]).text.splitlines()[1]
    assert summary == ("3 alerts: dprk_troops_to_russia about 15,000; dprk_casualties 6,000; and 1 more; "
                             "1 feed failing")


def test_a_long_subject_names_fewer_metrics_and_counts_the_rest():
    alerts = [make_alert(id=i, metric=f"metric_with_a_rather_long_name_{i}", value=1000 * i, known_before=())
              for i in range(1, 10)]
    subject = render(alerts).subject
    assert len(subject) <= 180
    named = subject.count("metric_with_a_rather_long_name_")
    assert 1 <= named < 9
    assert subject.endswith(f"; and {9 - named} more; 1 feed failing")
    assert subject.startswith("monitor: 9 alerts: metric_with_a_rather_long_name_")


def test_an_alert_read_from_the_feeds_summary_says_so_in_every_format():
    digest = render([make_alert(extracted_from="summary"), CASUALTIES])
    note = "from the feed's summary; the page could not be fetched or read"
    for body in (digest.markdown, digest.text, digest.html.replace("From the", "from the")):
        assert body.count(note) == 1  # the troops alert only
    assert note not in render().markdown and "from the feed" not in render().html.lower()
