"""A fast local HTTP server for the benchmarks, in its own process so it does not share our GIL.

It serves:

- ``/pages/<folder>/<file>``: corpus pages, read into memory at start;
- ``/corpus/<i>.xml``: RSS feeds listing the corpus pages, ``chunk`` pages each;
- ``/gen/<n>.xml``: generated RSS feeds of ``GEN_ENTRIES`` entries each, with an ETag,
  answering ``304 Not Modified`` to a matching ``If-None-Match``;
- ``/stats``: JSON ``{"requests", "not_modified", "cpu_seconds"}`` (the server's own CPU time).

HTTP/1.1 with keep-alive, so a client reuses its connections as it would with a real site.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GEN_ENTRIES = 10


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, no request log, and no Nagle delay on its responses."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # headers and body go out as two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response with a body
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def generated_feed(number: int, *, base: str) -> bytes:
    """An RSS feed with ``GEN_ENTRIES`` entries whose summaries vary with ``number``."""
    items = []
    for k in range(GEN_ENTRIES):
        items.append(
            f"<item><title>Report {number}-{k}</title><link>{base}/gen/page/{number}-{k}</link>"
            f"<guid>gen-{number}-{k}</guid><pubDate>Mon, 06 Jan 2025 10:{k:02d}:00 GMT</pubDate>"
            f"<description>Officials said {number * 7 + k} people attended meeting {k} "
            f"in district {number % 97}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Generated {number}</title><link>{base}/</link><description>load</description>"
        + "".join(items) + "</channel></rss>"
    ).encode()


def corpus_feed(paths: list[str], *, base: str, chunk: int) -> bytes:
    """An RSS feed listing the corpus pages ``paths`` (relative to the corpus root)."""
    items = "".join(
        f"<item><title>Page {chunk}-{i}</title><link>{base}/{path}</link><guid>{path}</guid>"
        f"<description>corpus page {path}</description></item>"
        for i, path in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Corpus {chunk}</title><link>{base}/</link><description>corpus</description>"
        f"{items}</channel></rss>"
    ).encode()


def _serve(corpus: str | None, page_paths: list[str], chunks: list[list[str]], port_queue) -> None:
    pages = {"/" + p: (Path(corpus) / p).read_bytes() for p in page_paths} if corpus else {}
    counts = {"requests": 0, "not_modified": 0}
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path != "/stats":
                with lock:
                    counts["requests"] += 1
            if path == "/stats":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                body = json.dumps({**counts, "cpu_seconds": usage.ru_utime + usage.ru_stime}).encode()
                return self._send(200, body, "application/json")
            if path.startswith("/gen/") and path.endswith(".xml"):
                number = int(path[5:-4])
                etag = f'"g{number}"'
                if self.headers.get("If-None-Match") == etag:
                    with lock:
                        counts["not_modified"] += 1
                    return self._send(304, b"", "", etag=etag)
                host = f"http://{self.headers.get('Host')}"
                return self._send(200, generated_feed(number, base=host), "application/rss+xml", etag=etag)
            if path.startswith("/corpus/") and path.endswith(".xml") and int(path[8:-4]) < len(chunks):
                number = int(path[8:-4])
                body = corpus_feed(chunks[number], base=f"http://{self.headers.get('Host')}", chunk=number)
                return self._send(200, body, "application/rss+xml")
            if path in pages:
                return self._send(200, pages[path], "text/html")
            self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str, etag: str | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


class PageServer:
    """The server process; ``with PageServer(corpus, paths) as server: server.url``."""

    def __init__(self, corpus: Path | None = None, page_paths: list[str] = (), *,
                 chunk: int = 25) -> None:
        self.corpus = corpus
        self.page_paths = list(page_paths)
        #: ``/corpus/<i>.xml`` lists ``chunks[i]``
        self.chunks = [self.page_paths[i:i + chunk] for i in range(0, len(self.page_paths), chunk)]
        self.url = ""

    def __enter__(self) -> PageServer:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        self.process = context.Process(
            target=_serve, args=(str(self.corpus) if self.corpus else None, self.page_paths, self.chunks, queue),
            daemon=True,
        )
        self.process.start()
        self.url = f"http://127.0.0.1:{queue.get(timeout=60)}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)

    def stats(self) -> dict:
        """Requests served so far (``/stats`` not counted) and the server's CPU seconds."""
        with urllib.request.urlopen(self.url + "/stats", timeout=10) as response:
            found = json.load(response)
        return found

    def pin(self, cpus: set[int]) -> None:
        """Run the server process on ``cpus`` only (Linux)."""
        try:
            import os

            os.sched_setaffinity(self.process.pid, cpus)
        except (AttributeError, OSError):
            pass

