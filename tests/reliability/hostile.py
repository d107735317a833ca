"""Servers that misbehave on purpose, configs with tight limits, and reading the store back.

``raw_server(script)`` runs a threaded TCP server on 127.0.0.1 whose every
connection is handed to ``script(conn, request)`` after the request head is
read: scripts drip bytes, never answer, reset the connection, or answer with
whatever bytes they like. ``write_reliability_config`` writes a config.toml
whose ``[fetch]`` section the test chooses.
"""

from __future__ import annotations

import socket
import socketserver
import sqlite3
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class RawRequest:
    """The request line and head a scripted connection received."""

    method: str
    path: str
    head: bytes


@dataclass
class RawServer:
    """A scripted TCP server; ``accepted`` counts connections, ``stop`` ends every script."""

    server: socketserver.ThreadingTCPServer
    stop: threading.Event
    requests: list[RawRequest] = field(default_factory=list)
    accepted: int = 0
    sockets: list[socket.socket] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass
        self.server.server_close()


Script = Callable[[socket.socket, RawRequest, threading.Event], None]


def read_head(conn: socket.socket) -> RawRequest | None:
    """The request head from ``conn`` (up to the blank line), or None if the peer went away."""
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    return RawRequest(method=line[0], path=line[1] if len(line) > 1 else "/", head=data)


def start_raw_server(script: Script) -> RawServer:
    stop = threading.Event()
    holder: dict[str, RawServer] = {}

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            raw = holder["server"]
            raw.accepted += 1
            raw.sockets.append(self.request)
            request = read_head(self.request)
            if request is None:
                return
            raw.requests.append(request)
            try:
                script(self.request, request, stop)
            except OSError:
                pass

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    raw = RawServer(server=server, stop=stop)
    holder["server"] = raw
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return raw


# --- scripts -------------------------------------------------------------------


def drip_body(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
    """Headers at once, then one byte of body every 0.5 s, forever."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000000\r\n\r\n")
    while not stop.wait(0.5):
        conn.sendall(b" ")


def drip_headers(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
    """The status line, then one byte of an endless header every 0.5 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.5):
        conn.sendall(b"a")


def never_answer(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
    """Accept, read the request, say nothing."""
    stop.wait(60)


def reset_connection(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
    """Close with RST (SO_LINGER 0) right after the request."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def answer(body: bytes, *, content_type: str = "application/rss+xml", headers: dict[str, str] | None = None,
           status: str = "200 OK") -> Script:
    """A script that answers every request with ``body``."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())

    def script(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
        head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n{extra}\r\n")
        conn.sendall(head.encode("latin-1") + body)

    return script


# --- configs and stores --------------------------------------------------------


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def write_reliability_config(directory: Path, *, feeds: list[str | dict[str, object]],
                             fetch: dict[str, object] | None = None, top: dict[str, object] | None = None,
                             sections: str = "") -> Path:
    """A config.toml with the given feeds and ``[fetch]`` keys (private addresses allowed unless overridden)."""
    fetch = {"allow_private_addresses": True, "timeout_seconds": 10, "connect_timeout_seconds": 5,
             "read_timeout_seconds": 5, "fetch_pages": False, **(fetch or {})}
    top = {"database": "monitor.db", "digest_dir": "digests", **(top or {})}
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    lines.append("[fetch]")
    lines += [f"{k} = {toml_value(v)}" for k, v in fetch.items()]
    lines.append(sections)
    for feed in feeds:
        feed = {"url": feed} if isinstance(feed, str) else feed
        lines.append("[[feeds]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in feed.items()]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def monitor_command(*args: str | Path) -> list[str]:
    """The argv that runs the real ``monitor`` in a subprocess."""
    return [sys.executable, "-m", "monitor", *map(str, args)]


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``sql`` on the database file, read with a fresh connection."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def integrity(db_path: Path) -> str:
    return query(db_path, "PRAGMA integrity_check")[0][0]


def wait_for(condition: Callable[[], bool], *, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``condition`` until true; fail the test after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def error_lines(stderr: str) -> list[str]:
    """The WARNING/ERROR lines and ``Error:`` lines of a run's stderr."""
    return [line for line in stderr.splitlines()
            if " WARNING " in line or " ERROR " in line or line.startswith("Error:")]


# --- hostile bodies ------------------------------------------------------------


def gzip_bomb(megabytes: int) -> bytes:
    """A valid gzip body that inflates to ``megabytes`` MiB of zeros (about 1 KiB per MiB).

    One MiB of zeros is compressed once and ended with a full flush, which makes
    the block independent of what came before, so it can be repeated as is.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    crc = 0
    for _ in range(min(megabytes, 1)):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return header + block * megabytes + end + struct.pack("<II", crc, (megabytes << 20) & 0xFFFFFFFF)


def stream_forever(chunk: bytes, *, content_type: str = "text/html") -> Script:
    """A script that sends ``chunk`` again and again until the client goes away (no length)."""

    def script(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n".encode())
        while not stop.is_set():
            conn.sendall(chunk)

    return script


BILLION_LAUGHS_ENTITIES = ['<!ENTITY lol "lol">'] + [
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]


def billion_laughs_feed(*, one_line: bool, padding: int = 0) -> bytes:
    """An RSS feed whose DOCTYPE declares the billion laughs, on one line or several."""
    joiner = "" if one_line else "\n  "
    doctype = f"<!DOCTYPE rss [{joiner}{joiner.join(BILLION_LAUGHS_ENTITIES)}{joiner}]>"
    comment = f"<!--{'x' * padding}-->\n" if padding else ""
    return (f'<?xml version="1.0"?>\n{comment}{doctype}\n<rss version="2.0"><channel><title>t</title>'
            '<item><title>&lol9;</title><link>https://example.com/lol</link>'
            '<description>&lol9;</description></item></channel></rss>').encode()
