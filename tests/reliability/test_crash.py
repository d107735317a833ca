"""The crash test of issue 7 (RELIABILITY.md T26): ``monitor check`` SIGKILLed at random moments.

200 feeds on loopback. Each round adds one entry with a new troop figure (so,
unless it is close to a figure already alerted on, a new alert) to a tenth of
the feeds, spread through the list; the other feeds answer 304 to their ETag.
A first round runs to completion and is timed; then, 20 times, a round's
``monitor check --all`` is SIGKILLed at a moment drawn within that measured run
time and run again to completion. Whether each kill landed while the victim was
still running, and what it interrupted (start-up, the polls, delivery), is
recorded; most kills must have landed.

After each rerun: ``PRAGMA integrity_check`` is ok, no article or alert is
stored twice, none is missing, and every alert is delivered by email
(aiosmtpd). At the end: every alert figure is in some message, no alert is in
two different digests, and a Message-ID reaches the mailbox twice only when
the victim sent it before it was killed and its rerun sent it again (the digest
in flight between the server's 250 and the monitor's commit), at most once a
round.

The runs are kept cheap so that the full size fits in well under a minute: the
state directory is on tmpfs (a SIGKILL does not lose the page cache, so fsync
plays no part in what is checked), the server answers in one write (two small
writes meet Nagle's algorithm and delayed ACKs, 40 ms a feed), unchanged feeds
answer 304, and pages are not fetched.

Size: ``MONITOR_CRASH_FEEDS`` and ``MONITOR_CRASH_KILLS`` (defaults 200 and 20,
the issue's acceptance run).
"""

from __future__ import annotations

import http.server
import os
import random
import re
import signal
import socketserver
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import integrity, monitor_command, query, write_reliability_config

FEEDS = int(os.environ.get("MONITOR_CRASH_FEEDS", "200"))
KILLS = int(os.environ.get("MONITOR_CRASH_KILLS", "20"))
PER_ROUND = max(1, FEEDS // 10)
STRIDE = FEEDS // PER_ROUND


def changed_feeds(number: int) -> list[int]:
    """The feeds round ``number`` adds an entry to: every STRIDE-th feed, from an offset that moves each round."""
    return [(number + STRIDE * j) % FEEDS for j in range(PER_ROUND)]


def figure(feed: int, number: int) -> int:
    return 10_000 + feed * 100 + number


class Site(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self) -> None:
        self.entries: dict[int, list[int]] = {n: [] for n in range(FEEDS)}
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.first_request: float | None = None  # monotonic time of the first request since ``add_round``
        super().__init__(("127.0.0.1", 0), SiteHandler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed victim leaves its connection half-used

    def add_round(self, number: int) -> None:
        with self.lock:
            self.first_request = None
            for feed in changed_feeds(number):
                self.entries[feed].append(number)

    def feed(self, feed: int) -> tuple[bytes, str]:
        with self.lock:
            rounds = list(self.entries[feed])
        items = "".join(
            f"<item><title>Feed {feed} round {r}</title><link>https://news.example/{feed}/{r}</link>"
            f"<description>Pyongyang has sent {figure(feed, r)} troops to Russia, officials said."
            "</description></item>" for r in rounds)
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
                f"<link>https://news.example/{feed}</link><description>d</description>{items}</channel></rss>"
                ).encode()
        return body, f'"{feed}-{len(rounds)}"'


class SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body, etag = self.server.feed(int(self.path.rsplit("/", 1)[1]))
        status = 304 if self.headers.get("If-None-Match") == etag else 200
        with self.server.lock:
            self.server.statuses[status] += 1
            self.server.first_request = self.server.first_request or time.monotonic()
        if status == 304:
            body = b""
        # Head and body in one write: two small writes would meet Nagle and delayed ACK (40 ms a feed).
        head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Modified'}\r\nETag: {etag}\r\n"
                f"Content-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n")
        self.wfile.write(head.encode() + body)


@dataclass
class Kill:
    round: int
    moment: float
    landed: bool  # the victim was still running when SIGKILL reached it
    phase: str  # what the kill interrupted, read from the store before the rerun
    mail_before: int  # messages in the mailbox before the victim started
    mail_killed: int  # ... when it had ended (aiosmtpd keeps a message before it answers 250)
    mail_after: int  # ... and after its rerun


def phase_of(db, number: int, landed: bool, sent_before: int) -> str:
    if not landed:
        return "after the run"
    stored = query(db, "SELECT count(*) FROM articles")[0][0] - (number - 1) * PER_ROUND
    polled = query(db, "SELECT count(*) FROM feeds WHERE last_fetched >= "
                       "(SELECT max(last_fetched) FROM feeds)")[0][0]
    sent = query(db, "SELECT count(*) FROM digests WHERE status = 'sent'")[0][0]
    if stored == 0 and polled == FEEDS:  # every feed still carries the previous run's time: none polled
        return "start-up"
    if stored < PER_ROUND:
        return "polls"
    return "delivery" if sent == sent_before else "after delivery"


@pytest.fixture
def state_dir(tmp_path) -> Iterator[Path]:
    """The state directory, on tmpfs when there is one.

    A SIGKILL leaves the page cache intact, so what the store survives does not
    depend on fsync reaching the disk; on tmpfs the run's 200-odd commits with
    ``synchronous=FULL`` cost nothing, and the run's time goes to the monitor's own work.
    """
    if not os.path.isdir("/dev/shm"):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(prefix="monitor-crash-", dir="/dev/shm") as folder:
        yield Path(folder)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_check_killed_at_random_moments_loses_and_duplicates_nothing(state_dir, smtp_sink):
    site = Site()
    rng = random.Random(20)
    config = write_reliability_config(
        state_dir, feeds=[{"name": f"feed{n}", "url": f"http://127.0.0.1:{site.server_address[1]}/{n}"}
                         for n in range(FEEDS)],
        sections='[digest]\nchannels = ["email"]\n' + smtp_sink.config())
    db = state_dir / "monitor.db"
    command = monitor_command("--config", config, "-q", "check", "--all")
    kills: list[Kill] = []
    try:
        first = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # the baseline, no entries
        assert first.returncode == 0, first.stderr
        # Round 1 runs to completion and is timed: the kill moments are drawn within that time,
        # three in four after start-up (imports, lock, store), when the first feed is requested.
        site.add_round(1)
        start = time.monotonic()
        timed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        full_runs = [time.monotonic() - start]  # durations of runs nobody killed, to draw the moments within
        assert timed.returncode == 0, timed.stderr
        assert site.first_request is not None
        startup = site.first_request - start
        assert query(db, "SELECT count(*) FROM articles") == [(PER_ROUND,)]
        not_modified = site.statuses[304]
        assert not_modified >= FEEDS - PER_ROUND  # the unchanged feeds answered 304 to their ETag

        for number in range(2, KILLS + 2):
            site.add_round(number)
            mail_before = len(smtp_sink.messages)
            sent_before = query(db, "SELECT count(*) FROM digests WHERE status = 'sent'")[0][0]
            victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            run_seconds = statistics.median(full_runs)
            moment = rng.uniform(0.05, startup) if number % 4 == 0 else rng.uniform(startup, run_seconds)
            start = time.monotonic()
            try:
                victim.wait(timeout=moment)
                full_runs.append(time.monotonic() - start)
            except subprocess.TimeoutExpired:
                victim.send_signal(signal.SIGKILL)
                victim.wait()
            landed = victim.returncode == -signal.SIGKILL
            mail_killed = len(smtp_sink.messages)
            if not landed:
                assert victim.returncode == 0
            phase = phase_of(db, number, landed, sent_before)
            rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
            assert rerun.returncode == 0, rerun.stderr
            kills.append(Kill(number, round(moment, 2), landed, phase, mail_before, mail_killed,
                              len(smtp_sink.messages)))
            assert integrity(db) == "ok"
            assert query(db, "SELECT count(*) - count(DISTINCT entry_key) FROM articles") == [(0,)]
            assert query(db, "SELECT count(*) - count(DISTINCT metric || '|' || value) FROM alerts") == [(0,)]
            stored = {url for (url,) in query(db, "SELECT url FROM articles")}
            missing = [(feed, r) for r in range(1, number + 1) for feed in changed_feeds(r)
                       if f"https://news.example/{feed}/{r}" not in stored]
            assert missing == [], (kills[-1], [query(db, "SELECT * FROM feeds WHERE name = ?", (f"feed{feed}",))
                                               for feed, _ in missing])
            assert len(stored) == number * PER_ROUND
            undelivered = query(db, """SELECT count(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM deliveries d
                                       WHERE d.alert_id = a.id AND d.channel = 'email' AND d.status = 'sent')""")
            assert undelivered == [(0,)]
    finally:
        site.shutdown()
        site.server_close()

    summary = (f"start-up {startup:.2f} s, full runs {', '.join(f'{s:.2f}' for s in full_runs)} s; kills: "
               + ", ".join(f"r{k.round}@{k.moment}s:{k.phase}" for k in kills))
    print(summary)

    messages = smtp_sink.parsed()
    ids = [m["Message-ID"] for m in messages]
    sent_keys = {key for (key,) in query(db, "SELECT key FROM digests WHERE channel = 'email' AND status = 'sent'")}
    assert {i.removeprefix("<digest-").split("@")[0] for i in ids} == sent_keys
    # every alert reached the mailbox, in one digest only (the same digest twice is the in-flight case below)
    bodies = {i: m.get_body(("plain",)).get_content() for i, m in zip(ids, messages, strict=True)}
    values = [int(v) for (v,) in query(db, "SELECT value FROM alerts WHERE metric = 'dprk_troops_to_russia'")]
    assert len(values) >= KILLS  # figures close to one already alerted on are corroboration, not new alerts
    digests_of: dict[int, set[str]] = defaultdict(set)
    for message_id, body in bodies.items():
        # each alert is a "* 10,404 soldiers" line (its "Known before" list names earlier figures, indented)
        for number in re.findall(r"^\* (\d[\d,]*\d)\b", body, re.MULTILINE):
            digests_of[int(number.replace(",", ""))].add(message_id)
    assert sorted(digests_of) == sorted(values)
    assert {v: digests_of[v] for v in values if len(digests_of[v]) > 1} == {}
    # A digest reached the mailbox twice only when it was in flight at a kill: first from the victim,
    # then from that round's rerun; at most one such digest a round.
    duplicated = {i for i, count in Counter(ids).items() if count > 1}
    for message_id in duplicated:
        positions = [n for n, i in enumerate(ids) if i == message_id]
        assert len(positions) == 2, (message_id, positions, summary)
        # both copies within one killed round (the victim's copy may reach the sink only after the kill,
        # as the server reads what the victim sent before it died)
        killed = [k for k in kills if k.landed and k.mail_before <= positions[0] < positions[1] < k.mail_after]
        assert len(killed) == 1, (message_id, positions, summary)
    per_round = Counter(k.round for k in kills for i in duplicated if i in ids[k.mail_before:k.mail_after])
    assert all(count == 1 for count in per_round.values()), per_round
    print(f"digests delivered twice (in flight at a kill): {len(duplicated)}")
    # most kills landed while the victim was still running (the rest came after it had finished)
    landed = [k for k in kills if k.landed]
    assert len(landed) > len(kills) / 2, summary
