"""Load on loopback: ``monitor check`` over N feeds of which 10 % fail in assorted ways.

One threaded HTTP server in this process serves every feed by path:

- ``/ok/N``: an RSS feed of 10 entries with an ETag (a 304 when it matches);
- ``/error/N``: HTTP 500; ``/reset/N``: the connection reset after the request;
- ``/drip/N``: headers, then one byte every 0.5 s until the client gives up
  (cut at ``fetch.timeout_seconds``);
- ``/html/N``: an HTML error page served as ``application/rss+xml`` ("not a feed").

``monitor check`` runs as a subprocess three times: the first poll, a rerun
where nothing changed (every good feed answers 304, nothing new is stored),
and the first poll again on a fresh database under a 1 GiB address-space limit
(``ulimit -v``). Wall time and each run's peak RSS (``ru_maxrss`` of the
``monitor check`` process alone) are measured. Feeds are polled one after another, so the run's time is bounded by about
``ok_feeds × per-feed time + dripping feeds × timeout_seconds``; that bound is
the documented time the result is checked against.

``run(quick=...)`` returns a dict; ``python -m benchmarks.load`` prints it.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import resource
import socket
import socketserver
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ENTRIES_PER_FEED = 10
DEADLINE_SECONDS = 2
#: every tenth feed fails, in this order of kinds: 4 % HTTP 500, 2 % each of reset, drip and HTML
FAILING_KINDS = ("error", "reset", "drip", "error", "html")


def feed_body(number: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {number} story {i}</title><link>https://example.com/{number}/{i}</link>"
        f"<guid>f{number}-{i}</guid><description>North Korea sent troops, story {i}.</description></item>"
        for i in range(ENTRIES_PER_FEED))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>'
            f"<link>https://example.com/{number}</link><description>d</description>{items}</channel></rss>").encode()


class LoadServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.stop = threading.Event()
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the reset and drip handlers end connections on purpose

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def close(self) -> None:
        self.stop.set()
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    """The load run's routes (this module is also loaded by path, by tests/reliability/test_load.py,
    so it imports nothing of its package)."""

    protocol_version = "HTTP/1.1"
    server: LoadServer

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as server.QuietHandler

    def do_GET(self) -> None:
        _, kind, number = self.path.split("/", 2)
        if kind == "ok":
            body = feed_body(int(number))
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.server.count(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.server.count(200)
            self._send(200, body, "application/rss+xml", {"ETag": etag})
        elif kind == "error":
            self.server.count(500)
            self._send(500, b"Internal Server Error", "text/plain")
        elif kind == "html":
            self.server.count(200)
            self._send(200, b"<html><body><h1>Temporarily unavailable</h1></body></html>", "application/rss+xml")
        elif kind == "reset":
            self.server.count(0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif kind == "drip":
            self.server.count(200)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 1000000\r\n\r\n")
            try:
                while not self.server.stop.wait(0.5):
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


def feed_kinds(count: int) -> list[str]:
    """The kind of each feed: the failing kinds spread evenly through the list."""
    kinds = ["ok"] * count
    for index, slot in enumerate(range(5, count, 10)):
        kinds[slot] = FAILING_KINDS[index % len(FAILING_KINDS)]
    return kinds


def write_config(directory: Path, base: str, kinds: list[str]) -> Path:
    lines = ['database = "monitor.db"', 'digest_dir = "digests"', "[fetch]",
             "allow_private_addresses = true", f"timeout_seconds = {DEADLINE_SECONDS}",
             "read_timeout_seconds = 1.5", "connect_timeout_seconds = 1", "fetch_pages = false",
             "[digest]", 'channels = ["file"]']
    for number, kind in enumerate(kinds):
        lines += ["[[feeds]]", f'name = "{kind}-{number}"', f'url = "{base}/{kind}/{number}"']
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: Runs argv[2:] as its child and writes that child's ru_maxrss (kB) to argv[1]. A process's
#: ru_maxrss starts from the memory of the process it was forked from, so ``monitor check``
#: forked from this small helper reports its own peak, not the benchmarks process's.
PEAK_HELPER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def check(config: Path, *args: str, address_space: int | None = None) -> dict:
    """Run ``monitor check`` once; its exit code, wall time and peak RSS (its own, see ``PEAK_HELPER``)."""
    def limit() -> None:
        if address_space:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    command = [sys.executable, "-m", "monitor", "--config", str(config), "-q", "check", *args]
    with tempfile.TemporaryDirectory(prefix="monitor-load-peak-") as folder:
        peak_file = Path(folder) / "maxrss"
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", PEAK_HELPER, str(peak_file), *command],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
        _, stderr = process.communicate(timeout=600)
        seconds = time.perf_counter() - start
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else None
    return {"exit": process.returncode, "seconds": round(seconds, 2), "stderr_lines": len(stderr.splitlines()),
            "traceback": "Traceback" in stderr, "peak_rss_mb": round(peak, 1) if peak is not None else None}


def stored(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        articles, distinct = conn.execute("SELECT count(*), count(DISTINCT entry_key) FROM articles").fetchone()
        failing = conn.execute("SELECT count(*) FROM feeds WHERE consecutive_failures > 0").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return {"articles": articles, "distinct_articles": distinct, "failing_feeds": failing, "integrity": integrity}


def run(quick: bool = False) -> dict:
    """Measure the load run; ``quick`` uses 100 feeds instead of 500 and skips the ``ulimit -v`` rerun."""
    count = 100 if quick else 500
    kinds = feed_kinds(count)
    failing = sum(kind != "ok" for kind in kinds)
    drips = kinds.count("drip")
    server = LoadServer()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory(prefix="monitor-load-") as folder:
            directory = Path(folder)
            config = write_config(directory, base, kinds)
            first = check(config)
            first.update(stored(directory / "monitor.db"))
            before_rerun = dict(server.statuses)
            rerun = check(config, "--all")
            rerun.update(stored(directory / "monitor.db"))
            rerun["not_modified"] = server.statuses.get(304, 0) - before_rerun.get(304, 0)
            limited = None
            if not quick:
                (directory / "monitor.db").unlink()
                for sidecar in ("monitor.db-wal", "monitor.db-shm"):
                    (directory / sidecar).unlink(missing_ok=True)
                limited = check(config, address_space=1 << 30)
                limited.update(stored(directory / "monitor.db"))
    finally:
        server.close()
    per_ok_feed = 0.05
    bound = round((count - failing) * per_ok_feed + drips * DEADLINE_SECONDS + failing * 0.2 + 10, 1)
    return {
        "feeds": count, "failing_feeds": failing, "dripping_feeds": drips, "deadline_seconds": DEADLINE_SECONDS,
        "documented_bound_seconds": bound,
        "first_poll": first, "rerun_unchanged": rerun, "first_poll_ulimit_v_1g": limited,
        "within_bound": first["seconds"] <= bound and (limited is None or limited["seconds"] <= bound),
        "expected_articles": (count - failing) * ENTRIES_PER_FEED,
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
