"""Delivery: the outbox per channel, the file and email channels, plugin channels through the hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import load_config
from monitor.deliver import deliver_pending
from monitor.deliver.file import slugify
from monitor.errors import ConfigError, DeliveryError
from monitor.hookspecs import hookimpl
from monitor.records import Channel, Detection, Figure
from monitor.store import (
    digest_attempts,
    ensure_feed,
    list_alerts,
    open_store,
    record_feed_failure,
    save_article,
)
from monitor.testing import make_article, plugin_manager_for, write_config

NOW = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


def config_for(tmp_path, *, channels='["file"]', extra=""):
    path = write_config(tmp_path, extra=f'[digest]\nchannels = {channels}\nformats = ["markdown", "html"]\n{extra}')
    return load_config(path)


def store_alerts(db, *values: int, domain: str = "news.example") -> None:
    for value in values:
        figure = Figure(metric="fixture_troops", value=value, quote=f"{value:,} fixture troops.", span=(0, 6))
        save_article(db, make_article(f"{value:,} fixture troops.", url=f"https://{domain}/{value}"),
                     Detection(figures=(figure,)), feed_id=None, entry_key=f"{domain}/{value}", now=NOW)


@pytest.fixture
def db(tmp_path):
    database = open_store(tmp_path / "monitor.db")
    yield database
    database.close()


class FlakyChannel:
    """A plugin channel that fails while ``failures`` is above zero and records what it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[int, ...]] = []

    @hookimpl
    def register_channels(self):
        return [Channel(name="flaky", deliver=self.deliver)]

    def deliver(self, digest, config):
        if self.failures:
            self.failures -= 1
            raise DeliveryError("flaky: the webhook answered 502")
        self.received.append(tuple(a.id for a in digest.alerts))
        return "posted"


def test_a_failing_channel_is_retried_while_the_others_never_repeat(tmp_path, db):
    config = config_for(tmp_path, channels='["file", "flaky"]')
    pm = plugin_manager_for(builtins=False)
    flaky = FlakyChannel(failures=1)
    pm.register(flaky, name="flaky_channel")
    store_alerts(db, 15000, 20000)

    first = deliver_pending(config, db, pm, now=NOW)
    assert first.exit_code == 1
    assert first.problems == ["delivery on channel flaky failed: flaky: the webhook answered 502"]
    assert len(list(config.digest_dir.iterdir())) == 2

    store_alerts(db, 30000)
    second = deliver_pending(config, db, pm, now=NOW + timedelta(minutes=5))
    assert second.exit_code == 0
    assert flaky.received == [(1, 2, 3)]  # the two retried alerts with the new one, once
    assert len(list(config.digest_dir.iterdir())) == 4  # the file channel only got the new alert
    assert deliver_pending(config, db, pm, now=NOW + timedelta(minutes=10)).channels == []
    assert {(d.channel, d.status) for a in list_alerts(db) for d in a.deliveries} == {("file", "sent"),
                                                                                     ("flaky", "sent")}


def test_a_channel_name_taken_twice_or_unknown_is_an_error(tmp_path, db):
    pm = plugin_manager_for(builtins=False)
    store_alerts(db, 15000)
    with pytest.raises(ConfigError, match="unknown channel 'webhook'"):
        deliver_pending(config_for(tmp_path, channels='["webhook"]'), db, pm, now=NOW)

    class Impostor:
        @hookimpl
        def register_channels(self):
            return [Channel(name="file", deliver=lambda digest, config: None)]

    pm.register(Impostor(), name="impostor")
    with pytest.raises(Exception, match="channel 'file' is declared by built-in and by plugin impostor"):
        deliver_pending(config_for(tmp_path), db, pm, now=NOW)


def test_file_names_are_dated_slugs_inside_the_folder_and_a_retry_rewrites_them(tmp_path, db):
    config = config_for(tmp_path)
    store_alerts(db, 15000)
    outcome = deliver_pending(config, db, None, now=NOW)
    [md, html] = sorted(config.digest_dir.glob("*.md")) + sorted(config.digest_dir.glob("*.html"))
    key = outcome.channels[0].key
    assert md.name == f"2025-06-03T090000-digest-{key[:12]}.md" and html.suffix == ".html"
    assert md.parent == config.digest_dir and not list(config.digest_dir.glob(".*"))
    assert slugify("../../etc/Passwd x") == "etc-passwd-x" and slugify("///") == "digest"


def test_all_recipients_refused_fails_and_one_refused_recipient_is_partial_delivery(tmp_path, db, smtp_sink):
    store_alerts(db, 15000)
    config = config_for(tmp_path, channels='["email"]',
                        extra=smtp_sink.config(recipients=("a@example.org", "b@example.org")))
    smtp_sink.refuse_rcpt = {"a@example.org", "b@example.org"}
    first = deliver_pending(config, db, None, now=NOW)
    assert "every recipient refused" in first.problems[0] and "550" in first.problems[0]

    smtp_sink.refuse_rcpt = {"b@example.org"}
    second = deliver_pending(config, db, None, now=NOW)
    assert second.exit_code == 0 and second.channels[0].note.startswith(
        "partial delivery: sent to a@example.org; refused: b@example.org (550")
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["a@example.org"]]
    assert digest_attempts(db, second.channels[0].key) == 2
    assert deliver_pending(config, db, None, now=NOW).channels == []  # no resend to anyone


def test_a_retried_email_keeps_its_message_id(tmp_path, db, smtp_sink):
    store_alerts(db, 15000)
    config = config_for(tmp_path, channels='["email"]', extra=smtp_sink.config())
    smtp_sink.refuse_data = 1
    assert deliver_pending(config, db, None, now=NOW).exit_code == 1
    outcome = deliver_pending(config, db, None, now=NOW + timedelta(minutes=1))
    [message] = smtp_sink.parsed()
    assert message["Message-ID"] == f"<digest-{outcome.channels[0].key}@example.org>"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert digest_attempts(db, outcome.channels[0].key) == 2
    # the retry carries the text of the first attempt: generated then, not a minute later
    assert f"Generated {NOW:%Y-%m-%d %H:%M}" in message.get_body(("plain",)).get_content()


def test_starttls_refused_by_the_server_names_host_and_port(tmp_path, db, smtp_sink):
    store_alerts(db, 15000)
    extra = smtp_sink.config().replace('security = "none"', 'security = "starttls"')
    outcome = deliver_pending(config_for(tmp_path, channels='["email"]', extra=extra), db, None, now=NOW)
    assert outcome.problems == [f"delivery on channel email failed: email via 127.0.0.1:{smtp_sink.port}: "
                                "STARTTLS extension not supported by server. (check smtp.security)"]
    assert len(list_alerts(db, pending_for=["email"])) == 1


def test_a_missing_password_variable_is_named(tmp_path, db, smtp_sink, monkeypatch):
    monkeypatch.delenv("MONITOR_TEST_SMTP_PASSWORD", raising=False)
    store_alerts(db, 15000)
    config = config_for(tmp_path, channels='["email"]', extra=smtp_sink.config(username="monitor"))
    [problem] = deliver_pending(config, db, None, now=NOW).problems
    assert "smtp.username is set but $MONITOR_TEST_SMTP_PASSWORD is not" in problem


def test_a_health_only_digest_is_sent_once_a_day_when_configured(tmp_path, db):
    feed = "https://dead.example/feed"
    extra = "send_health_only = true\nfailing_after = \"1h\"\n"
    path = write_config(tmp_path, feeds=[feed], extra=f'[digest]\nchannels = ["file"]\nformats = ["text"]\n{extra}')
    config = load_config(path)
    ensure_feed(db, feed, name="Dead")
    record_feed_failure(db, feed, now=NOW - timedelta(hours=3), error="HTTP 503")
    assert deliver_pending(config, db, None, now=NOW - timedelta(hours=2, minutes=30)).channels == []  # too soon
    assert len(deliver_pending(config, db, None, now=NOW).channels) == 1
    assert deliver_pending(config, db, None, now=NOW + timedelta(hours=1)).channels == []
    [text] = config.digest_dir.iterdir()
    assert "Dead: failing since" in text.read_text() and "HTTP 503" in text.read_text()


def test_a_digest_cut_off_mid_delivery_is_sent_again_as_it_was_before_new_alerts(tmp_path, db):
    """A crash between the channel's acceptance and the commit leaves the digest claimed but unconfirmed:
    the next run resends it with the same alerts and key, and new alerts go in a digest of their own."""
    from monitor.digest import digest_key
    from monitor.store import claim_digest

    config = config_for(tmp_path, channels='["flaky"]')
    pm = plugin_manager_for(builtins=False)
    flaky = FlakyChannel(failures=0)
    pm.register(flaky, name="flaky_channel")
    store_alerts(db, 15000, 20000)
    first_ids = [a.id for a in list_alerts(db)]
    key = digest_key("flaky", first_ids)
    claim_digest(db, key=key, channel="flaky", alert_ids=first_ids, now=NOW)  # then the process died
    store_alerts(db, 30000)

    outcome = deliver_pending(config, db, pm, now=NOW + timedelta(minutes=5))
    assert outcome.exit_code == 0
    assert [c.key == key for c in outcome.channels] == [True, False]
    assert flaky.received == [tuple(first_ids), (max(first_ids) + 1,)]
    assert deliver_pending(config, db, pm, now=NOW + timedelta(minutes=10)).channels == []


def test_the_summary_says_what_happened_on_each_channel(tmp_path, db):
    config = config_for(tmp_path, channels='["file", "flaky"]')
    pm = plugin_manager_for(builtins=False)
    pm.register(FlakyChannel(failures=2), name="flaky_channel")
    store_alerts(db, 15000)

    first = deliver_pending(config, db, pm, now=NOW)
    assert first.summary().startswith("delivered on file (1 alert; ")
    assert first.summary().endswith("; flaky failed: flaky: the webhook answered 502")
    again = deliver_pending(config, db, pm, now=NOW + timedelta(minutes=5))
    assert again.summary() == "flaky failed: flaky: the webhook answered 502"  # not "nothing to deliver"


def test_a_digest_dir_that_is_a_file_is_named_as_not_a_directory(tmp_path, db):
    config = config_for(tmp_path)
    config.digest_dir.parent.mkdir(parents=True, exist_ok=True)
    config.digest_dir.write_text("not a folder", encoding="utf-8")
    store_alerts(db, 15000)

    outcome = deliver_pending(config, db, plugin_manager_for(builtins=False), now=NOW)
    assert outcome.problems == [f"delivery on channel file failed: file: digest_dir {config.digest_dir} is not a directory"]


def test_stdout_prints_the_plain_text_digest_even_when_markdown_is_a_format(tmp_path, db, capsys):
    config = config_for(tmp_path, channels='["stdout"]')  # formats: markdown and html
    store_alerts(db, 15000)

    outcome = deliver_pending(config, db, plugin_manager_for(builtins=False), now=NOW)
    assert outcome.exit_code == 0 and outcome.channels[0].note == "text on stdout"
    printed = capsys.readouterr().out
    assert printed.startswith("MONITOR DIGEST\n1 alert: fixture_troops 15,000")
    assert "\\_" not in printed and "**" not in printed


def test_the_shipped_config_delivers_to_files_only():
    from pathlib import Path

    shipped = load_config(Path(__file__).resolve().parent.parent / "config.toml")
    assert list(shipped.digest.channels) == ["file"]  # a cron line appending stdout to a log gets no digest


def test_an_alert_whose_article_came_from_the_feeds_summary_is_marked_in_the_digest(tmp_path, db):
    config = config_for(tmp_path)
    figure = Figure(metric="fixture_troops", value=15000, quote="15,000 fixture troops.", span=(0, 6))
    save_article(db, make_article("15,000 fixture troops.", url="https://news.example/a", extracted_from="summary"),
                 Detection(figures=(figure,)), feed_id=None, entry_key="news.example/a", now=NOW)
    store_alerts(db, 20000)
    assert [a.extracted_from for a in list_alerts(db)] == ["summary", "file"]

    deliver_pending(config, db, plugin_manager_for(builtins=False), now=NOW)
    [markdown] = config.digest_dir.glob("*.md")
    assert markdown.read_text(encoding="utf-8").count(
        "(from the feed's summary; the page could not be fetched or read)") == 1
