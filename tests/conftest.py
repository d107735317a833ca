"""Shared fixtures: real servers on 127.0.0.1, real SQLite files, the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.testing import feed_xml, free_port, monitor_command, page_html, write_config

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path | None:
    """../shared/corpus beside the project, or $MONITOR_CORPUS; None when absent."""
    path = Path(os.environ.get("MONITOR_CORPUS", ROOT.parent / "shared" / "corpus"))
    return path if path.is_dir() else None


@pytest.fixture
def corpus() -> Path:
    path = corpus_dir()
    if path is None:
        pytest.skip("corpus absent: put it at ../shared/corpus or set MONITOR_CORPUS")
    return path


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process: run_cli("--config", path, "check") -> click Result."""
    runner = CliRunner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return invoke


@pytest.fixture
def run_monitor():
    """Run the real ``monitor`` in a subprocess and return the CompletedProcess."""

    def run(*args: str | Path, timeout: float = 120, env: dict[str, str] | None = None, cwd: Path | None = None):
        return subprocess.run(monitor_command(*args), capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, cwd=cwd)

    return run


class ScriptedSite:
    """A threaded HTTP server on 127.0.0.1 whose routes a test changes while it runs.

    Every request is logged as (path, monotonic time, status) at its arrival, so
    tests can wait for "polled three times" or compare the gaps between polls.
    ``block(path, body)`` returns an Event: requests for ``path`` hang until it is set.
    """

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes: dict[str, tuple[int, dict[str, str], bytes, object]] = {}
        self.requests: list[tuple[str, float, int]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                import time

                status, headers, body, gate = site.routes.get(self.path, (404, {}, b"not found", None))
                with site._lock:
                    site.requests.append((self.path, time.monotonic(), status))
                if gate is not None:
                    gate.wait(30)
                self.send_response(status)
                for key, value in {"Content-Type": "application/rss+xml", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.gates: list = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> str:
        self.routes[path] = (status, headers or {}, body, None)
        return self.url(path)

    def block(self, path: str, body: bytes, *, headers: dict[str, str] | None = None):
        """Serve ``path`` only once the returned Event is set."""
        import threading

        gate = threading.Event()
        self.gates.append(gate)
        self.routes[path] = (200, headers or {}, body, gate)
        return gate

    def hits(self, path: str, status: int | None = None) -> list[float]:
        """Arrival times of the requests for ``path`` (with that status, if given)."""
        with self._lock:
            return [t for p, t, s in self.requests if p == path and (status is None or s == status)]

    def close(self) -> None:
        for gate in self.gates:
            gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted_site():
    """A ScriptedSite on 127.0.0.1, shut down after the test."""
    site = ScriptedSite()
    yield site
    site.close()


@pytest.fixture
def wait_until():
    """wait_until(predicate, timeout=20, what="…"): poll ``predicate`` until true or fail naming ``what``."""
    import time

    def wait(predicate, *, timeout: float = 20.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.05)

    return wait


FAST_SCHEDULE = """
[schedule]
interval = 1
jitter_seconds = 0
max_backoff = "8s"
workers = 4
"""


WIDGET_PLUGIN = '''
import re

from monitor import Figure, hookimpl


@hookimpl
def detect(article):
    return [Figure(metric="widgets", value=int(m.group(1)), quote=m.group(0))
            for m in re.finditer(r"counted (\\d+) widgets", article.text)]
'''


@pytest.fixture
def troops_entry():
    """troops_entry(key, troops, published) -> a feed entry whose summary reports ``troops`` sent to Russia."""
    from email.utils import format_datetime

    def entry(key: str, troops: int, published) -> dict[str, str]:
        item = {"title": f"Story {key}", "guid": key,
                "description": f"North Korea has sent {troops:,} troops to Russia, officials said."}
        if published is not None:
            item["pubDate"] = format_datetime(published)
        return item

    return entry


@pytest.fixture
def fast_schedule() -> str:
    """A ``[schedule]`` section for daemon tests: every second, no jitter, backoff capped at 8 s."""
    return FAST_SCHEDULE


@pytest.fixture
def widget_site(scripted_site, tmp_path: Path):
    """A feed of three articles whose second page hangs until the returned Event is set."""
    entries = []
    gate = None
    for number in (1, 2, 3):
        sentence = f"Inspectors counted {number} widgets at the port on Tuesday, officials said."
        body = page_html(f"Widgets {number}", [sentence, "The report was shared with the committee.",
                                               "Officials declined to comment further on the count."])
        path = f"/page/{number}"
        if number == 2:
            gate = scripted_site.block(path, body, headers={"Content-Type": "text/html; charset=utf-8"})
        else:
            scripted_site.serve(path, body, headers={"Content-Type": "text/html; charset=utf-8"})
        entries.append({"title": f"Widgets {number}", "link": scripted_site.url(path), "guid": f"widgets-{number}",
                        "description": sentence})
    scripted_site.serve("/feed", feed_xml(entries[::-1]))  # newest first, as feeds list them: read 1, 2, 3
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "widgets.py").write_text(WIDGET_PLUGIN, encoding="utf-8")
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")],
                          extra='plugins_dir = "plugins"\n' + FAST_SCHEDULE)
    assert gate is not None
    return config, gate


class DaemonProcess:
    """``python -m monitor --config CONFIG run`` with its log in a file (a pipe could fill and block it)."""

    def __init__(self, config: Path, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"],
                                         stdout=subprocess.DEVNULL, stderr=log)
        self.pid = self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 10) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


@pytest.fixture
def start_daemon(tmp_path, wait_until):
    """start_daemon(config) -> DaemonProcess, once it holds the lock and has scheduled its feeds."""
    started: list[DaemonProcess] = []

    def start(config: Path) -> DaemonProcess:
        daemon = DaemonProcess(config, tmp_path / f"daemon-{len(started)}.log")
        started.append(daemon)
        wait_until(lambda: "monitor run (pid" in daemon.log() or daemon.proc.poll() is not None,
                   timeout=30, what="the daemon's start-up line")
        assert daemon.proc.poll() is None, daemon.log()
        return daemon

    yield start
    for daemon in started:
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait()
        # shown by pytest only when the test failed: what the daemon said
        lines = daemon.log().splitlines()
        print(f"--- {daemon.log_path.name}: its warnings and errors, then its last 60 lines ---")
        print("\n".join([line for line in lines if " WARNING " in line or " ERROR " in line][-40:]))
        print("...\n" + "\n".join(lines[-60:]))


class SmtpSink:
    """A real aiosmtpd server on 127.0.0.1 that keeps every message it accepts.

    Script it per test: ``refuse_data`` answers the next N DATA commands with
    ``data_reply`` (451 by default), ``drop_data`` takes the next N messages in
    full and then drops the connection without answering (kept in ``dropped``),
    ``refuse_rcpt`` refuses those recipients with 550, ``password`` makes AUTH
    accept only that password (for user ``monitor``). With a server
    ``ssl.SSLContext``, ``tls="starttls"`` offers STARTTLS and ``tls="ssl"``
    speaks TLS from the first byte.
    """

    def __init__(self, *, tls: str = "none", context=None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.port = free_port()
        self.tls = tls
        self.messages: list = []
        self.dropped: list = []
        self.encrypted: list[bool] = []  # per accepted message: did it arrive over TLS
        self.data_attempts = 0
        self.refuse_data = 0
        self.drop_data = 0
        self.data_reply = "451 4.3.0 try again later"
        self.refuse_rcpt: set[str] = set()
        self.password: str | None = None
        self.logins: list[str] = []
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in sink.refuse_rcpt:
                    return "550 5.1.1 no such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.data_attempts += 1
                if sink.drop_data > 0:
                    sink.drop_data -= 1
                    sink.dropped.append(envelope)
                    server.transport.abort()  # the whole message arrived; the reply never leaves
                    return "250 OK"
                if sink.refuse_data > 0:
                    sink.refuse_data -= 1
                    return sink.data_reply
                sink.messages.append(envelope)
                sink.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login
            password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password
            sink.logins.append(login)
            ok = sink.password is None or (login == "monitor" and password == sink.password)
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

        tls_options = {"ssl_context": context} if tls == "ssl" else {"tls_context": context} if context else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, authenticator=authenticate,
                                     auth_require_tls=False, **tls_options)
        self.controller.start()

    def parsed(self) -> list:
        """The accepted messages as ``email.message.EmailMessage`` objects."""
        from email import message_from_bytes, policy

        return [message_from_bytes(m.original_content, policy=policy.default) for m in self.messages]

    def config(self, *, recipients: tuple[str, ...] = ("analyst@example.org",), username: str = "",
               ca_file: str = "") -> str:
        """The ``[smtp]`` section of a config that sends here."""
        rcpts = ", ".join(f'"{r}"' for r in recipients)
        return (f'[smtp]\nhost = "127.0.0.1"\nport = {self.port}\nsecurity = "{self.tls}"\n'
                f'sender = "monitor@example.org"\nrecipients = [{rcpts}]\ntimeout_seconds = 10\n'
                f'username = "{username}"\npassword_env = "MONITOR_TEST_SMTP_PASSWORD"\nca_file = "{ca_file}"\n')

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_sink():
    """An ``SmtpSink`` (aiosmtpd on a free port of 127.0.0.1), stopped after the test."""
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def make_smtp_sink():
    """make_smtp_sink(tls="starttls"|"ssl", context=server_ssl_context) -> SmtpSink, stopped after the test."""
    sinks: list[SmtpSink] = []

    def make(**options) -> SmtpSink:
        sinks.append(SmtpSink(**options))
        return sinks[-1]

    yield make
    for sink in sinks:
        sink.close()
