"""End to end: a local news site, a real SMTP server, ``monitor check`` as a subprocess.

The figures come from the test-only plugin ``tests/plugins/fixed_figures.py`` and
the seed ``tests/data/alert_seeds/``, so these tests do not depend on the
built-in detectors' quality; one test runs the issue's scenario with them.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from monitor.testing import feed_xml, page_html, write_config

HERE = Path(__file__).parent
PASSWORD = "pw-Zq8!sekrit-4417"


def article(site, path: str, title: str, sentences: list[str], *, host: str = "127.0.0.1") -> dict[str, str]:
    """Serve an article page at ``path``; the feed entry that links to it through ``host``."""
    filler = ["The statement came after weeks of speculation in the capital.",
              "Officials declined to give further details on the record."]
    site.serve(path, page_html(title, [*sentences, *filler]), headers={"Content-Type": "text/html; charset=utf-8"})
    link = f"http://{host}:{site.server.server_port}{path}"
    return {"title": title, "link": link, "guid": link, "description": sentences[0],
            "pubDate": format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)}


def fixture_config(tmp_path: Path, site, sink, *, channels: str = '["email", "file"]', username: str = "") -> Path:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    shutil.copy(HERE / "plugins" / "fixed_figures.py", plugins / "fixed_figures.py")
    extra = (f'plugins_dir = "{plugins}"\nseeds_dir = "{HERE / "data" / "alert_seeds"}"\n'
             f'[digest]\nchannels = {channels}\nformats = ["markdown", "html"]\n' + sink.config(username=username))
    return write_config(tmp_path, feeds=[site.url("/feed.xml")], extra=extra)


FIRST_ARTICLES = [
    ("/a1", "Fixture troops: a new figure", ["Officials said 15,000 fixture troops are now deployed."]),
    ("/a2", "Casualties rise", ["The toll reached 6,000 fixture casualties by June."]),
    ("/a3", "Old news", ["The ministry repeated that 11,000 fixture troops were sent.",
                         "It said another 3,000 fixture troops followed.",
                         "It counted 4,700 fixture casualties."]),
]


def serve_first_articles(site) -> list[dict[str, str]]:
    entries = [article(site, path, title, sentences) for path, title, sentences in FIRST_ARTICLES]
    site.serve("/feed.xml", feed_xml(entries))
    return entries


def alert_values(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.slow
def test_check_mails_one_digest_with_the_two_alerts_and_later_sightings_only_corroborate(
        tmp_path, scripted_site, smtp_sink, run_monitor):
    entries = serve_first_articles(scripted_site)
    config = fixture_config(tmp_path, scripted_site, smtp_sink)

    first = run_monitor("--config", config, "check")
    assert first.returncode == 0, first.stderr
    [message] = smtp_sink.parsed()
    text = alert_values(message)
    assert "2 alerts" in message["Subject"]
    assert "fixture_troops" in text and "15,000" in text
    assert "fixture_casualties" in text and "6,000" in text
    assert text.count("* ") == 2  # one entry per alert in the text body
    assert "11,000 fixture" not in text.split("Known before")[0]  # the baseline-equal figures raised nothing
    assert sorted(p.suffix for p in (tmp_path / "digests").iterdir()) == [".html", ".md"]

    # the same 15,000 reported by another domain (localhost, the same server): no new mail
    repeat = article(scripted_site, "/b1", "Echo", ["Another outlet said 15,000 fixture troops are deployed."],
                     host="localhost")
    scripted_site.serve("/feed.xml", feed_xml([*entries, repeat]))
    second = run_monitor("--config", config, "check", "--all")
    assert second.returncode == 0, second.stderr
    assert len(smtp_sink.messages) == 1
    assert len(list((tmp_path / "digests").iterdir())) == 2

    listed = json.loads(run_monitor("--config", config, "alerts", "--all", "--json").stdout)
    troops = next(a for a in listed if a["metric"] == "fixture_troops")
    assert troops["sources"] == ["127.0.0.1", "localhost"]
    assert troops["deliveries"] == {"email": "sent", "file": "sent"}
    assert [a["metric"] for a in listed] == ["fixture_troops", "fixture_casualties"]
    created = datetime.fromisoformat(troops["created"])  # ISO 8601, in UTC
    assert created.utcoffset() == timedelta(0)
    [feed] = json.loads(run_monitor("--config", config, "feeds", "--json").stdout)
    assert list(feed) == ["feed", "url", "last_fetched", "status", "articles", "errors", "last_error"]
    assert datetime.fromisoformat(feed["last_fetched"]).utcoffset() == timedelta(0)

    shown = run_monitor("--config", config, "digest", "--all")
    assert shown.returncode == 0, shown.stderr
    assert "Sources (2)" in shown.stdout
    assert f"[127.0.0.1](<{entries[0]['link']}>)" in shown.stdout
    assert "[localhost](<" in shown.stdout
    assert run_monitor("--config", config, "digest").stdout.startswith("# monitor digest\n\n**0 alerts**")


@pytest.mark.slow
def test_refused_mail_is_retried_next_run_and_arrives_once(tmp_path, scripted_site, smtp_sink, run_monitor):
    serve_first_articles(scripted_site)
    config = fixture_config(tmp_path, scripted_site, smtp_sink)
    smtp_sink.refuse_data = 1

    first = run_monitor("--config", config, "check")
    assert first.returncode == 1
    assert "channel email failed" in first.stderr and "451" in first.stderr
    assert smtp_sink.messages == []
    pending = json.loads(run_monitor("--config", config, "alerts", "--json").stdout)
    assert [a["deliveries"] for a in pending] == [{"email": "failed (1 try)", "file": "sent"}] * 2

    second = run_monitor("--config", config, "check")
    assert second.returncode == 0, second.stderr
    [message] = smtp_sink.parsed()  # the second check delivered it: nothing new was needed to retry
    assert smtp_sink.data_attempts == 2
    third = run_monitor("--config", config, "digest", "--send")
    assert third.returncode == 0, third.stderr
    assert "delivery: nothing to deliver" in third.stderr
    assert len(smtp_sink.messages) == 1
    assert "15,000" in alert_values(message) and "6,000" in alert_values(message)
    assert smtp_sink.data_attempts == 2
    assert len(list((tmp_path / "digests").iterdir())) == 2  # the file channel wrote once
    assert json.loads(run_monitor("--config", config, "alerts", "--json").stdout) == []


def test_hostile_titles_are_escaped_and_the_password_leaks_nowhere(tmp_path, scripted_site, smtp_sink,
                                                                      run_monitor):
    smtp_sink.password = PASSWORD
    entries = [
        article(scripted_site, "/x1", "<script>alert(1)</script> {{ 7*7 }}", ["Now 15,000 fixture troops."]),
        article(scripted_site, "/x2", "Casualties\r\nBcc: x@y", ["Now 6,000 fixture casualties."]),
    ]
    entries.append({"title": "Widgets", "link": "javascript:alert(1)", "guid": "w1",
                    "description": "They delivered 5 fixture widgets."})
    scripted_site.serve("/feed.xml", feed_xml(entries))
    config = fixture_config(tmp_path, scripted_site, smtp_sink, channels='["email", "file", "stdout"]',
                            username="monitor")

    run = run_monitor("-v", "--config", config, "check", env={"MONITOR_TEST_SMTP_PASSWORD": PASSWORD})
    assert run.returncode == 0, run.stderr
    assert smtp_sink.logins == ["monitor"]
    [message] = smtp_sink.parsed()
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Bcc"] is None and "x@y" not in (message["To"] or "")
    html = message.get_body(("html",)).get_content()
    # the feed's markup is dropped before storage, a script's code with it, and whatever remains is
    # escaped (test_digest.py)
    assert "<script" not in html and "alert(1)" not in html and ">{{ 7*7 }}</a>" in html
    assert "{{ 7*7 }}" in html  # rendered literally
    assert "javascript:" not in html
    assert "Casualties Bcc: x@y" in html  # collapsed to one line
    markdown = next((tmp_path / "digests").glob("*.md")).read_text()
    assert "<script" not in markdown and "alert\\(1" not in markdown and "\\{\\{ 7\\*7 \\}\\}" in markdown
    assert "javascript:" not in markdown

    secret = PASSWORD.encode()
    assert secret not in run.stdout.encode() and secret not in run.stderr.encode()
    assert secret not in message.as_bytes()
    leaks = [p for p in tmp_path.rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert leaks == []
    assert "DEBUG" in run.stderr  # the grep covered debug logging too


def test_wrong_password_fails_the_channel_naming_the_server_not_the_secret(tmp_path, scripted_site, smtp_sink,
                                                                             run_monitor):
    smtp_sink.password = "the-right-one"
    serve_first_articles(scripted_site)
    config = fixture_config(tmp_path, scripted_site, smtp_sink, username="monitor")

    run = run_monitor("--config", config, "check", env={"MONITOR_TEST_SMTP_PASSWORD": PASSWORD})
    assert run.returncode == 1
    assert f"127.0.0.1:{smtp_sink.port}" in run.stderr and "login as monitor refused" in run.stderr
    assert PASSWORD not in run.stderr
    assert smtp_sink.messages == []
    assert len(json.loads(run_monitor("--config", config, "alerts", "--json").stdout)) == 2


def _builtin_detectors_find(text: str) -> set[tuple[str, int]]:
    from monitor.testing import detect_in_text

    return {(f.metric, f.value) for f in detect_in_text(text)}


REAL_ARTICLES = [
    ("/r1", "Seoul: troops to Russia now 15,000",
     ["North Korea has now sent about 15,000 troops to Russia, South Korea's spy agency said on Tuesday."]),
    ("/r2", "Casualties rise",
     ["North Korean casualties in Russia have reached 6,000, including killed and wounded, the agency said."]),
    ("/r3", "Background", ["The agency said North Korea sent more than 11,000 soldiers to Russia in 2024."]),
]


@pytest.mark.slow
def test_the_issue_scenario_with_the_built_in_detectors(tmp_path, scripted_site, smtp_sink, run_monitor):
    found = _builtin_detectors_find(" ".join(s for _, _, sentences in REAL_ARTICLES for s in sentences))
    wanted = {("dprk_troops_to_russia", 15000), ("dprk_casualties", 6000), ("dprk_troops_to_russia", 11000)}
    if not wanted <= found:
        pytest.skip(f"the built-in detectors do not find {sorted(wanted - found)} yet")
    entries = [article(scripted_site, path, title, sentences) for path, title, sentences in REAL_ARTICLES]
    scripted_site.serve("/feed.xml", feed_xml(entries))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed.xml")],
                          extra='[digest]\nchannels = ["email"]\n' + smtp_sink.config())

    first = run_monitor("--config", config, "check")
    assert first.returncode == 0, first.stderr
    [message] = smtp_sink.parsed()
    text = alert_values(message)
    assert "2 alerts" in message["Subject"]
    assert "dprk_troops_to_russia" in text and "15,000" in text
    assert "dprk_casualties" in text and "6,000" in text and "4,700" in text  # known before: the baseline

    repeat = article(scripted_site, "/r4", "Echo",
                     ["North Korea has sent about 15,000 troops to Russia, a lawmaker said."], host="localhost")
    scripted_site.serve("/feed.xml", feed_xml([*entries, repeat]))
    second = run_monitor("--config", config, "check", "--all")
    assert second.returncode == 0, second.stderr
    assert len(smtp_sink.messages) == 1
    listed = json.loads(run_monitor("--config", config, "alerts", "--all", "--json").stdout)
    troops = next(a for a in listed if a["metric"] == "dprk_troops_to_russia")
    assert troops["sources"] == ["127.0.0.1", "localhost"]
