"""SMTP faults and TLS (RELIABILITY.md T22-T25): a real aiosmtpd on 127.0.0.1, ``monitor`` as a subprocess.

The news site and the figures are those of tests/test_alerts_e2e.py (two alerts
on the first ``check``); what varies here is how the mail server behaves.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import ssl
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from test_alerts_e2e import alert_values, serve_first_articles

from monitor.testing import write_config

TESTS = Path(__file__).resolve().parent.parent
PASSWORD = "pw-Smtp!sekrit-5083"
SECRET_ENV = {"MONITOR_TEST_SMTP_PASSWORD": PASSWORD}


def config_for(tmp_path: Path, site, sink, *, channels: str = '["email"]', **smtp: object) -> Path:
    """A config polling ``site`` (figures from the test plugin) and mailing through ``sink``."""
    plugins = tmp_path / "plugins"
    plugins.mkdir(exist_ok=True)
    shutil.copy(TESTS / "plugins" / "fixed_figures.py", plugins / "fixed_figures.py")
    extra = (f'plugins_dir = "{plugins}"\nseeds_dir = "{TESTS / "data" / "alert_seeds"}"\n'
             f'[digest]\nchannels = {channels}\nformats = ["markdown", "html"]\n' + sink.config(**smtp))
    return write_config(tmp_path, feeds=[site.url("/feed.xml")], extra=extra)


def error_lines(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("Error:")]


def failed_on(sink) -> str:
    """How the one-line error of a failed email delivery starts."""
    return f"Error: delivery on channel email failed: email via 127.0.0.1:{sink.port}: "


def digest_rows(tmp_path: Path) -> list[dict]:
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM digests WHERE channel = 'email' ORDER BY id")]


def pending_alerts(run_monitor, config: Path) -> list[dict]:
    listed = run_monitor("--config", config, "alerts", "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def assert_secret_nowhere(tmp_path: Path, *runs) -> None:
    """The password is in no output and no file under tmp_path: database, digests, logs, config."""
    secret = PASSWORD.encode()
    for run in runs:
        assert secret not in run.stdout.encode() and secret not in run.stderr.encode()
    assert (tmp_path / "monitor.db").is_file()
    assert [p for p in tmp_path.rglob("*") if p.is_file() and secret in p.read_bytes()] == []


@pytest.fixture(scope="module")
def certificate_authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.fixture
def tls_sink(certificate_authority, make_smtp_sink):
    """tls_sink("starttls" | "ssl") -> an SmtpSink whose certificate for 127.0.0.1 the test CA signed."""

    def make(mode: str):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
        return make_smtp_sink(tls=mode, context=context)

    return make


@pytest.fixture
def ca_file(certificate_authority, tmp_path) -> str:
    path = tmp_path / "test-ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return path.name  # relative: resolved against the config file's folder


# --- T24: the server takes the message and drops the connection before answering ---------------------


def test_a_connection_dropped_after_data_is_resent_next_run_with_the_same_message_id(
        tmp_path, scripted_site, smtp_sink, run_monitor):
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, smtp_sink)
    smtp_sink.drop_data = 1

    first = run_monitor("--config", config, "check")
    assert first.returncode == 1, first.stderr
    assert error_lines(first) == [failed_on(smtp_sink) + "SMTPServerDisconnected: Connection unexpectedly closed "
                                  "before confirming the message; it may have arrived, and is sent again next "
                                  "time with the same Message-ID"]
    [seen] = smtp_sink.dropped  # the server had the whole message, but never said 250
    assert smtp_sink.messages == []
    [row] = digest_rows(tmp_path)
    assert row["status"] == "failed" and row["sent_at"] is None and "SMTPServerDisconnected" in row["last_error"]
    assert [a["deliveries"] for a in pending_alerts(run_monitor, config)] == [{"email": "failed (1 try)"}] * 2

    second = run_monitor("--config", config, "check")
    assert second.returncode == 0, second.stderr
    [resent] = smtp_sink.parsed()
    first_copy = message_from_bytes(seen.original_content, policy=policy.default)
    assert resent["Message-ID"] == first_copy["Message-ID"] == f"<digest-{row['key']}@example.org>"
    assert alert_values(resent) == alert_values(first_copy)
    assert "15,000" in alert_values(resent) and "6,000" in alert_values(resent)
    [row] = digest_rows(tmp_path)
    assert (row["status"], row["attempts"]) == ("sent", 2)

    third = run_monitor("--config", config, "digest", "--send")
    assert third.returncode == 0, third.stderr
    assert "delivery: nothing to deliver" in third.stderr
    assert len(smtp_sink.messages) == 1 and len(smtp_sink.dropped) == 1 and smtp_sink.data_attempts == 2
    assert pending_alerts(run_monitor, config) == []


# --- T22: every recipient refused --------------------------------------------------------------------


def test_every_recipient_refused_fails_the_channel_and_keeps_the_alerts_for_a_later_run(
        tmp_path, scripted_site, smtp_sink, run_monitor):
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, smtp_sink, recipients=("a@example.org", "b@example.org"))
    smtp_sink.refuse_rcpt = {"a@example.org", "b@example.org"}

    first = run_monitor("--config", config, "check")
    assert first.returncode == 1, first.stderr
    [error] = error_lines(first)
    assert error.startswith(failed_on(smtp_sink) + "every recipient refused: a@example.org (550 ")
    assert "b@example.org (550 5.1.1 no such user)" in error
    [row] = digest_rows(tmp_path)
    assert row["status"] == "failed" and "550" in row["last_error"]
    assert smtp_sink.messages == [] and smtp_sink.data_attempts == 0
    assert [a["deliveries"] for a in pending_alerts(run_monitor, config)] == [{"email": "failed (1 try)"}] * 2

    smtp_sink.refuse_rcpt = set()
    second = run_monitor("--config", config, "digest", "--send")
    assert second.returncode == 0, second.stderr
    [message] = smtp_sink.parsed()
    assert "15,000" in alert_values(message) and "6,000" in alert_values(message)
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["a@example.org", "b@example.org"]]
    assert pending_alerts(run_monitor, config) == []
    assert run_monitor("--config", config, "check").returncode == 0
    assert len(smtp_sink.messages) == 1


# --- T23: one recipient of two refused ---------------------------------------------------------------


def test_one_refused_recipient_is_a_visible_partial_delivery_and_nobody_gets_it_twice(
        tmp_path, scripted_site, smtp_sink, run_monitor):
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, smtp_sink, recipients=("a@example.org", "b@example.org"))
    smtp_sink.refuse_rcpt = {"b@example.org"}

    first = run_monitor("--config", config, "check")
    assert first.returncode == 0, first.stderr
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["a@example.org"]]
    note = "partial delivery: sent to a@example.org; refused: b@example.org (550 5.1.1 no such user)"
    [warning] = [line for line in first.stderr.splitlines() if " WARNING " in line]
    assert warning.endswith(f"email via 127.0.0.1:{smtp_sink.port}: digest {digest_rows(tmp_path)[0]['key']}: "
                            f"{note} (not resent)")
    assert f"delivery: delivered on email (2 alerts; {note})" in first.stderr
    [row] = digest_rows(tmp_path)
    assert (row["status"], row["note"], row["attempts"]) == ("sent", note, 1)
    assert pending_alerts(run_monitor, config) == []

    smtp_sink.refuse_rcpt = set()  # b would now accept: still no resend, to b or to a
    again = run_monitor("--config", config, "digest", "--send")
    assert again.returncode == 0 and "delivery: nothing to deliver" in again.stderr
    assert run_monitor("--config", config, "check").returncode == 0
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["a@example.org"]]


# --- T25: bad login, TLS that fails ------------------------------------------------------------------


def test_a_refused_login_names_the_server_and_the_password_leaks_nowhere(
        tmp_path, scripted_site, smtp_sink, run_monitor):
    smtp_sink.password = "the-right-one"
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, smtp_sink, channels='["email", "file"]', username="monitor")

    run = run_monitor("-v", "--config", config, "check", env=SECRET_ENV)
    assert run.returncode == 1
    assert error_lines(run) == [failed_on(smtp_sink) + "login as monitor refused (535)"]
    assert set(smtp_sink.logins) == {"monitor"} and smtp_sink.messages == []  # smtplib tries PLAIN, then LOGIN
    assert "DEBUG" in run.stderr  # debug logging was on, and still no secret
    [row] = digest_rows(tmp_path)
    assert row["status"] == "failed"
    assert len(pending_alerts(run_monitor, config)) == 2  # kept for the email channel
    assert sorted(p.suffix for p in (tmp_path / "digests").iterdir()) == [".html", ".md"]
    assert_secret_nowhere(tmp_path, run)


@pytest.mark.parametrize("server", ["no STARTTLS", "STARTTLS, unknown CA", "SSL, unknown CA"])
def test_tls_that_fails_names_the_server_and_never_sends_the_password(
        server, tmp_path, scripted_site, smtp_sink, tls_sink, run_monitor):
    sink = {"no STARTTLS": lambda: smtp_sink, "STARTTLS, unknown CA": lambda: tls_sink("starttls"),
            "SSL, unknown CA": lambda: tls_sink("ssl")}[server]()
    sink.password = PASSWORD
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, sink, username="monitor")
    if server == "no STARTTLS":
        config.write_text(config.read_text().replace('security = "none"', 'security = "starttls"'))

    run = run_monitor("-v", "--config", config, "check", env=SECRET_ENV)
    assert run.returncode == 1
    [error] = error_lines(run)
    assert error.startswith(failed_on(sink))
    if server == "no STARTTLS":
        assert error.endswith("STARTTLS extension not supported by server. (check smtp.security)")
    else:
        assert "CERTIFICATE_VERIFY_FAILED" in error  # verification is on without any ca_file
    assert sink.logins == [] and sink.messages == [] and sink.data_attempts == 0
    assert len(pending_alerts(run_monitor, config)) == 2
    assert_secret_nowhere(tmp_path, run)


# --- TLS that works: implicit SSL and STARTTLS, verified against smtp.ca_file -----------------------


@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_mail_goes_out_over_verified_tls_with_a_login(mode, tmp_path, scripted_site, tls_sink, ca_file,
                                                       run_monitor):
    sink = tls_sink(mode)
    sink.password = PASSWORD
    serve_first_articles(scripted_site)
    config = config_for(tmp_path, scripted_site, sink, username="monitor", ca_file=ca_file)

    run = run_monitor("-v", "--config", config, "check", env=SECRET_ENV)
    assert run.returncode == 0, run.stderr
    assert sink.logins == ["monitor"] and sink.encrypted == [True]
    [message] = sink.parsed()
    assert "15,000" in alert_values(message) and "6,000" in alert_values(message)
    assert pending_alerts(run_monitor, config) == []
    assert_secret_nowhere(tmp_path, run)
