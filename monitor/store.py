"""Store stage: one SQLite file through sqlite-utils, the only home of SQL.

WAL mode, ``synchronous=FULL`` (but NORMAL for article commits: ``save_article``), a
busy timeout. The schema grows by numbered
migrations (``m001_…``), each applied once, in a transaction with its record.
An article and everything detected in it are written in one transaction, and
uniqueness lives in unique indexes, so a crash leaves all of an article or
none of it and a rerun never stores it twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database, Migrations

from .compare import classify_figure
from .errors import StoreError, StoreWriteError
from .records import (
    Alert,
    Article,
    Corroboration,
    DeliveryState,
    Detection,
    FeedState,
    Figure,
    KnownValue,
    Qualifier,
    Status,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION_TABLE = "_sqlite_migrations"
_SQLITE_MAGIC = b"SQLite format 3\x00"

migrations = Migrations("monitor")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            last_fetched TEXT,
            last_success TEXT,
            last_status TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            total_errors INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            failing_since TEXT,
            next_due TEXT,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER REFERENCES feeds(id),
            entry_key TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            canonical_url TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            published TEXT,
            language TEXT,
            extracted_from TEXT NOT NULL,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX articles_feed ON articles(feed_id);
        CREATE TABLE mentions (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            entity TEXT NOT NULL,
            count INTEGER NOT NULL,
            detector TEXT NOT NULL,
            PRIMARY KEY (article_id, entity, detector)
        );
        CREATE TABLE figures (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            metric TEXT NOT NULL,
            value NUMERIC NOT NULL,
            value_max NUMERIC,
            qualifier TEXT NOT NULL,
            increment INTEGER NOT NULL DEFAULT 0,
            period TEXT,
            quote TEXT NOT NULL,
            detector TEXT NOT NULL,
            span_start INTEGER,
            span_end INTEGER
        );
        CREATE INDEX figures_article ON figures(article_id);
        CREATE INDEX figures_metric ON figures(metric, value);
        """
    )


@migrations()
def m002_alerts(db: Database) -> None:
    # value_max is NULL for a single value; coalesce() makes NULLs equal in the unique index
    db.executescript(
        """
        CREATE TABLE baseline (
            id INTEGER PRIMARY KEY,
            metric TEXT NOT NULL,
            value NUMERIC NOT NULL,
            value_max NUMERIC,
            qualifier TEXT NOT NULL,
            increment INTEGER NOT NULL DEFAULT 0,
            period TEXT,
            quote TEXT NOT NULL,
            detector TEXT NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX baseline_metric ON baseline(metric);
        CREATE TABLE baseline_sources (
            source TEXT PRIMARY KEY,
            figures INTEGER NOT NULL,
            built_at TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            figure_id INTEGER NOT NULL REFERENCES figures(id),
            metric TEXT NOT NULL,
            value NUMERIC NOT NULL,
            value_max NUMERIC,
            increment INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            significance REAL,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX alerts_value ON alerts(metric, value, coalesce(value_max, -1), increment);
        CREATE TABLE corroborations (
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            article_id INTEGER NOT NULL REFERENCES articles(id),
            figure_id INTEGER NOT NULL REFERENCES figures(id),
            domain TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (alert_id, article_id)
        );
        CREATE INDEX corroborations_figure ON corroborations(figure_id);
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE TABLE deliveries (
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            digest_id INTEGER REFERENCES digests(id),
            sent_at TEXT,
            PRIMARY KEY (alert_id, channel)
        );
        """
    )


@migrations()
def m003_skipped_entries(db: Database) -> None:
    # entries over fetch.max_entries_per_feed at the feed's last poll, for the digest's feed health
    db.execute("ALTER TABLE feeds ADD COLUMN skipped_entries INTEGER NOT NULL DEFAULT 0")


@migrations()
def m004_marks(db: Database) -> None:
    # small named facts of the whole store, such as the last scheduled digest time handled
    db.execute("CREATE TABLE marks (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


def get_mark(db: Database, name: str) -> str | None:
    row = db.execute("SELECT value FROM marks WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def set_mark(db: Database, name: str, value: str) -> None:
    with db.atomic():
        db.execute("INSERT INTO marks (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = ?",
                   [name, value, value])


def open_store(path: Path) -> Database:
    """The migrated database at ``path``, created if missing; ``StoreError`` if unusable."""
    # The file is opened only through SQLite (its header is read by hand only after SQLite refused it):
    # opening and closing it any other way would drop the POSIX locks this process's other connections
    # hold on it (a daemon's worker threads), and another process closing its connection would then
    # delete the WAL under them, losing their commits. SQLite refuses a file that is not a database
    # without writing to it.
    path = Path(path)
    if path.exists() and not path.is_file():
        raise StoreError(f"{path}: is not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: the database is read-only; make it writable for the monitor")
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        raise StoreError(f"{path.parent}: the database folder is read-only; SQLite creates its "
                         f"{path.name}-wal and -shm files there, so make it writable")
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"{path.parent}: cannot create the database folder: {exc.strerror}") from None
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False, isolation_level=None)
        db = Database(conn)
        db.execute("PRAGMA busy_timeout = 5000")
        if db.journal_mode != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        message = str(exc)
        if "readonly" in message or "read-only" in message or "unable to open" in message:
            raise StoreError(f"{path}: cannot write the database ({message})") from None
        if "not a database" in message and not _has_sqlite_header(path):
            raise StoreError(f"{path}: not an SQLite database (refusing to touch it)") from None
        if "malformed" in message or "not a database" in message:
            raise StoreError(f"database corrupt: {path} ({message}); restore a backup or move it aside") from None
        raise StoreError(f"{path}: cannot open or migrate the database: {message}") from None
    return db


def _has_sqlite_header(path: Path) -> bool:
    """Whether ``path`` starts as an SQLite file does (read only once SQLite has refused it)."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


@contextlib.contextmanager
def store_errors(path: Path, *, doing: str) -> Iterator[None]:
    """Turn an SQLite failure inside the block into a ``StoreError`` naming ``path`` and what was being done.

    A full disk or a failed write is a ``StoreWriteError`` (the transaction
    was rolled back; the next run retries); a corrupt file is a ``StoreError``.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "malformed" in message or "not a database" in message:
            raise StoreError(f"database corrupt: {path} ({message}, while {doing}); "
                             "restore a backup or move it aside") from None
        if "readonly" in message or "read-only" in message:
            raise StoreError(f"{path}: the database became read-only ({message}, while {doing})") from None
        if isinstance(exc, sqlite3.OperationalError) and any(word in message for word in ("full", "disk I/O")):
            raise StoreWriteError(f"{doing}: cannot write {path} ({message}); "
                                  "the transaction was rolled back and the next run retries") from None
        raise StoreError(f"{path}: {message} (while {doing})") from None


def schema_version(db: Database) -> list[str]:
    """The names of the applied migrations, in order."""
    return [m.name for m in migrations.applied(db)]


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO-8601 UTC text for storage."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- feeds -------------------------------------------------------------------


def ensure_feed(db: Database, url: str, *, name: str = "") -> int:
    """The id of the feed at ``url``, creating its row if needed."""
    db.execute("INSERT INTO feeds (url, name) VALUES (?, ?) ON CONFLICT(url) DO UPDATE SET name = excluded.name",
               [url, name])
    return db.execute("SELECT id FROM feeds WHERE url = ?", [url]).fetchone()[0]


def feed_state(db: Database, url: str) -> FeedState | None:
    states = _feed_states(db, "WHERE f.url = ?", [url])
    return states[0] if states else None


def feed_states(db: Database) -> list[FeedState]:
    """Every feed the store knows, with its article count."""
    return _feed_states(db, "", [])


def _feed_states(db: Database, where: str, params: list) -> list[FeedState]:
    rows = db.execute_returning_dicts(
        f"""SELECT f.*, (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS articles
            FROM feeds f {where} ORDER BY f.id""",
        params,
    )
    return [
        FeedState(
            url=row["url"], name=row["name"], etag=row["etag"], last_modified=row["last_modified"],
            last_fetched=parse_iso(row["last_fetched"]), last_success=parse_iso(row["last_success"]),
            last_status=row["last_status"], consecutive_failures=row["consecutive_failures"],
            last_error=row["last_error"], failing_since=parse_iso(row["failing_since"]),
            next_due=parse_iso(row["next_due"]), disabled=bool(row["disabled"]),
            articles=row["articles"], errors=row["total_errors"], skipped_entries=row["skipped_entries"],
        )
        for row in rows
    ]


def record_feed_success(db: Database, url: str, *, now: datetime, status: str, etag: str | None,
                        last_modified: str | None, next_due: datetime | None = None,
                        skipped: int | None = 0) -> None:
    """A poll of ``url`` worked: keep its validators, clear its failures, note the entries it skipped."""
    with db.atomic():
        db.execute(
            """UPDATE feeds SET last_fetched = ?, last_success = ?, last_status = ?,
                   etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
                   consecutive_failures = 0, last_error = NULL, failing_since = NULL, next_due = ?, disabled = 0,
                   skipped_entries = coalesce(?, skipped_entries)
               WHERE url = ?""",
            [iso(now), iso(now), status, etag, last_modified, iso(next_due), skipped, url],
        )


def record_feed_failure(db: Database, url: str, *, now: datetime, error: str,
                        next_due: datetime | None = None, disable: bool = False) -> int:
    """A poll of ``url`` failed; returns its consecutive failure count."""
    with db.atomic():
        db.execute(
            """UPDATE feeds SET last_fetched = ?, last_status = 'error', last_error = ?,
                   consecutive_failures = consecutive_failures + 1, total_errors = total_errors + 1,
                   failing_since = coalesce(failing_since, ?), next_due = ?, disabled = ?
               WHERE url = ?""",
            [iso(now), error, iso(now), iso(next_due), int(disable), url],
        )
    return db.execute("SELECT consecutive_failures FROM feeds WHERE url = ?", [url]).fetchone()[0]


# --- articles ----------------------------------------------------------------


def stored_entry_keys(db: Database, keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` already stored."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in db.execute(
            f"SELECT entry_key FROM articles WHERE entry_key IN ({marks})", chunk))
    return found


def save_article(db: Database, article: Article, detection: Detection, *, feed_id: int | None,
                 entry_key: str, now: datetime, alert: bool = True) -> int | None:
    """Store an article and all its findings in one transaction; None if it was already stored.

    With ``alert=False`` (background: a new feed's back catalogue) its figures are stored and count as
    known from then on, but raise no alert; one that matches an existing alert still corroborates it.

    The commit is not fsynced (``synchronous = NORMAL``, ~14x cheaper per article: benchmarks/results.md):
    the WAL keeps commits in order, so the feed's next FULL commit (its state and validators) makes its
    articles durable too, and a power loss can only lose a suffix of commits, never an article whose
    feed already records it as read. Delivery state ("mark sent") stays FULL.
    """
    if db.conn.in_transaction:  # inside a caller's transaction: its commit decides
        return _insert_article(db, article, detection, feed_id=feed_id, entry_key=entry_key, now=now, alert=alert)
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        return _insert_article(db, article, detection, feed_id=feed_id, entry_key=entry_key, now=now, alert=alert)
    finally:
        db.execute("PRAGMA synchronous = FULL")


def _insert_article(db: Database, article: Article, detection: Detection, *, feed_id: int | None,
                    entry_key: str, now: datetime, alert: bool = True) -> int | None:
    with db.atomic():
        cursor = db.execute(
            """INSERT INTO articles (feed_id, entry_key, url, canonical_url, title, text, published,
                                     language, extracted_from, fetched_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(entry_key) DO NOTHING""",
            [feed_id, entry_key, article.url, article.canonical_url, article.title, article.text,
             iso(article.published), article.language, article.extracted_from, iso(now)],
        )
        if cursor.rowcount == 0:
            return None
        article_id = cursor.lastrowid
        for mention in detection.mentions:
            if mention.count:
                db.execute(
                    "INSERT OR REPLACE INTO mentions (article_id, entity, count, detector) VALUES (?, ?, ?, ?)",
                    [article_id, mention.entity, mention.count, mention.detector],
                )
        for figure in detection.figures:
            start, end = figure.span or (None, None)
            figure_cursor = db.execute(
                """INSERT INTO figures (article_id, metric, value, value_max, qualifier, increment, period,
                                        quote, detector, span_start, span_end)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [article_id, figure.metric, figure.value, figure.value_max, str(figure.qualifier),
                 int(figure.increment), figure.period, figure.quote, figure.detector, start, end],
            )
            # in the article's transaction: a crash never leaves an article without its alerts
            compare_and_alert(db, figure, figure_id=figure_cursor.lastrowid, article_id=article_id,
                              url=article.url, now=now, alert=alert)
    return article_id


# --- baseline ------------------------------------------------------------------


def baseline_is_built(db: Database) -> bool:
    """True once the seeds were read into the baseline (even if they gave no figure)."""
    return db.execute("SELECT 1 FROM baseline_sources LIMIT 1").fetchone() is not None


def replace_baseline(db: Database, found: Sequence[tuple[str, Figure]], *, sources: Sequence[str],
                     now: datetime) -> None:
    """Make ``found`` ((seed source, figure) pairs) the whole baseline, in one transaction."""
    with db.atomic():
        db.execute("DELETE FROM baseline")
        db.execute("DELETE FROM baseline_sources")
        for source, figure in found:
            db.execute(
                """INSERT INTO baseline (metric, value, value_max, qualifier, increment, period, quote,
                                         detector, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [figure.metric, figure.value, figure.value_max, str(figure.qualifier), int(figure.increment),
                 figure.period, figure.quote, figure.detector, source],
            )
        for source in sources:
            count = sum(1 for s, _ in found if s == source)
            db.execute("INSERT INTO baseline_sources (source, figures, built_at) VALUES (?, ?, ?)",
                       [source, count, iso(now)])


def baseline_values(db: Database, *, metric: str | None = None) -> list[KnownValue]:
    """The baseline's values (of one metric), by metric then value."""
    where, params = ("WHERE metric = ?", [metric]) if metric else ("", [])
    rows = db.execute_returning_dicts(
        f"SELECT * FROM baseline {where} ORDER BY metric, increment, value, source, id", params)
    return [
        KnownValue(metric=r["metric"], value=r["value"], value_max=r["value_max"], increment=bool(r["increment"]),
                   qualifier=Qualifier(r["qualifier"]), period=r["period"], source=r["source"],
                   quote=r["quote"], from_baseline=True)
        for r in rows
    ]


def _seen_values(db: Database, metric: str, *, before_figure_id: int) -> list[KnownValue]:
    """Every figure stored for ``metric`` before ``before_figure_id``, with the alert it belongs to."""
    rows = db.execute_returning_dicts(
        """SELECT f.*, a.url, (SELECT c.alert_id FROM corroborations c WHERE c.figure_id = f.id) AS alert_id
           FROM figures f JOIN articles a ON a.id = f.article_id
           WHERE f.metric = ? AND f.id < ? ORDER BY f.id""",
        [metric, before_figure_id],
    )
    return [
        KnownValue(metric=r["metric"], value=r["value"], value_max=r["value_max"], increment=bool(r["increment"]),
                   qualifier=Qualifier(r["qualifier"]), period=r["period"], source=r["url"], quote=r["quote"],
                   alert_id=r["alert_id"])
        for r in rows
    ]


def domain_of(url: str) -> str:
    """The host of ``url``, lower-cased, without a leading ``www.``; "(no host)" for a URL without one."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    return host.removeprefix("www.") or "(no host)"


# --- alerts --------------------------------------------------------------------


def compare_and_alert(db: Database, figure: Figure, *, figure_id: int, article_id: int, url: str,
                      now: datetime, alert: bool = True) -> Status:
    """Classify a just-stored figure; raise its alert or add a corroboration. Call inside a transaction.

    With ``alert=False`` a new or changed figure raises nothing: stored, it is known from now on.
    """
    known = baseline_values(db, metric=figure.metric) + _seen_values(db, figure.metric, before_figure_id=figure_id)
    comparison = classify_figure(figure, known)
    alert_id: int | None
    if comparison.status == Status.KNOWN:
        alert_id = comparison.match.alert_id if comparison.match else None
        log.debug("figure %s = %s known: matches %s", figure.metric, figure.value,
                  comparison.match.source if comparison.match else "?")
    elif not alert:
        alert_id = None
        log.debug("figure %s = %s (%s) stored as background, no alert (%s)", figure.metric, figure.value,
                  comparison.status, url)
    else:
        db.execute(
            """INSERT INTO alerts (figure_id, metric, value, value_max, increment, status, significance, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [figure_id, figure.metric, figure.value, figure.value_max, int(figure.increment),
             str(comparison.status), comparison.significance, iso(now)],
        )
        alert_id = db.execute(
            """SELECT id FROM alerts WHERE metric = ? AND value = ? AND coalesce(value_max, -1) = coalesce(?, -1)
               AND increment = ?""",
            [figure.metric, figure.value, figure.value_max, int(figure.increment)],
        ).fetchone()[0]
        log.info("alert: %s %s = %s (%s)", comparison.status, figure.metric, figure.value, url)
    if alert_id is not None:
        db.execute(
            """INSERT INTO corroborations (alert_id, article_id, figure_id, domain, seen_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [alert_id, article_id, figure_id, domain_of(url), iso(now)],
        )
    return comparison.status


_ALERT_SELECT = """
    SELECT al.*, f.qualifier, f.period, f.quote, f.span_start, f.span_end, f.detector,
           a.url, a.title, a.published, a.extracted_from, coalesce(fd.name, '') AS feed
    FROM alerts al JOIN figures f ON f.id = al.figure_id JOIN articles a ON a.id = f.article_id
    LEFT JOIN feeds fd ON fd.id = a.feed_id
"""


def list_alerts(db: Database, *, pending_for: Sequence[str] | None = None, ids: Sequence[int] | None = None
                ) -> list[Alert]:
    """Alerts with their history, sources and delivery states, oldest first.

    ``pending_for``: only alerts not yet sent on at least one of these channels.
    ``ids``: only these alerts.
    """
    where, params = [], []
    if pending_for is not None:
        marks = ",".join("?" * len(pending_for)) or "NULL"
        where.append(f"""(SELECT count(*) FROM deliveries d WHERE d.alert_id = al.id AND d.status = 'sent'
                          AND d.channel IN ({marks})) < ?""")
        params += [*pending_for, len(set(pending_for))]
    if ids is not None:
        where.append(f"al.id IN ({','.join('?' * len(ids)) or 'NULL'})")
        params += list(ids)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute_returning_dicts(f"{_ALERT_SELECT} {clause} ORDER BY al.id", params)
    return [_alert_from_row(db, row) for row in rows]


def _alert_from_row(db: Database, row: dict) -> Alert:
    span = (row["span_start"], row["span_end"]) if row["span_start"] is not None else None
    return Alert(
        id=row["id"], metric=row["metric"], value=row["value"], value_max=row["value_max"],
        increment=bool(row["increment"]), status=Status(row["status"]), qualifier=Qualifier(row["qualifier"]),
        period=row["period"], quote=row["quote"], span=span, url=row["url"], title=row["title"],
        published=parse_iso(row["published"]), created_at=datetime.fromisoformat(row["created_at"]),
        detector=row["detector"], significance=row["significance"], feed=row["feed"],
        extracted_from=row["extracted_from"],
        known_before=tuple(_known_before(db, row)),
        corroborations=tuple(_corroborations(db, row["id"])),
        deliveries=tuple(_delivery_states(db, row["id"])),
    )


def _known_before(db: Database, alert_row: dict) -> list[KnownValue]:
    """The baseline values of the alert's metric, then each distinct value seen before the alert."""
    seen = db.execute_returning_dicts(
        """SELECT f.value, f.value_max, f.increment, f.qualifier, f.period, f.quote, a.url
           FROM figures f JOIN articles a ON a.id = f.article_id
           WHERE f.metric = ? AND f.id < ?
             AND f.id = (SELECT min(g.id) FROM figures g WHERE g.metric = f.metric AND g.value = f.value
                         AND coalesce(g.value_max, -1) = coalesce(f.value_max, -1) AND g.increment = f.increment)
           ORDER BY f.id""",
        [alert_row["metric"], alert_row["figure_id"]],
    )
    return baseline_values(db, metric=alert_row["metric"]) + [
        KnownValue(metric=alert_row["metric"], value=r["value"], value_max=r["value_max"],
                   increment=bool(r["increment"]), qualifier=Qualifier(r["qualifier"]), period=r["period"],
                   source=r["url"], quote=r["quote"])
        for r in seen
    ]


def _corroborations(db: Database, alert_id: int) -> list[Corroboration]:
    rows = db.execute_returning_dicts(
        """SELECT c.domain, a.url, a.title, a.published FROM corroborations c JOIN articles a ON a.id = c.article_id
           WHERE c.alert_id = ? ORDER BY c.figure_id""",
        [alert_id],
    )
    return [Corroboration(domain=r["domain"], url=r["url"], title=r["title"], published=parse_iso(r["published"]))
            for r in rows]


def _delivery_states(db: Database, alert_id: int) -> list[DeliveryState]:
    rows = db.execute_returning_dicts(
        "SELECT * FROM deliveries WHERE alert_id = ? ORDER BY channel", [alert_id])
    return [DeliveryState(channel=r["channel"], status=r["status"], attempts=r["attempts"],
                          last_error=r["last_error"], sent_at=parse_iso(r["sent_at"])) for r in rows]


# --- deliveries (the outbox) ---------------------------------------------------


def claim_digest(db: Database, *, key: str, channel: str, alert_ids: Sequence[int], now: datetime) -> int:
    """Record an attempt to deliver digest ``key`` on ``channel`` holding ``alert_ids``; its id.

    The digest row and its alerts' delivery rows are written in one transaction;
    both count the attempt. A digest already sent is an error of the caller.
    """
    with db.atomic():
        db.execute(
            """INSERT INTO digests (key, channel, status, attempts, created_at) VALUES (?, ?, 'pending', 1, ?)
               ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, status = 'pending'""",
            [key, channel, iso(now)],
        )
        digest_id = db.execute("SELECT id FROM digests WHERE key = ?", [key]).fetchone()[0]
        for alert_id in alert_ids:
            db.execute(
                """INSERT INTO deliveries (alert_id, channel, status, attempts, digest_id) VALUES (?, ?, 'pending', 1, ?)
                   ON CONFLICT(alert_id, channel) DO UPDATE SET attempts = attempts + 1, digest_id = excluded.digest_id,
                       status = 'pending'""",
                [alert_id, channel, digest_id],
            )
    return digest_id


def mark_digest_sent(db: Database, digest_id: int, *, now: datetime, note: str | None = None) -> None:
    """The channel accepted the digest: it and each of its alerts are sent there."""
    with db.atomic():
        db.execute("UPDATE digests SET status = 'sent', sent_at = ?, last_error = NULL, note = ? WHERE id = ?",
                   [iso(now), note, digest_id])
        db.execute("UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL WHERE digest_id = ?",
                   [iso(now), digest_id])


def mark_digest_failed(db: Database, digest_id: int, *, error: str) -> None:
    """The channel refused the digest: its alerts stay pending there, with the error."""
    with db.atomic():
        db.execute("UPDATE digests SET status = 'failed', last_error = ? WHERE id = ?", [error, digest_id])
        db.execute("UPDATE deliveries SET status = 'failed', last_error = ? WHERE digest_id = ? AND status != 'sent'",
                   [error, digest_id])


def unconfirmed_digests(db: Database, channel: str) -> list[tuple[str, list[int]]]:
    """Digests claimed on ``channel`` whose outcome was never recorded (a crash mid-delivery).

    Each comes with the alerts it held that are still unsent there, so it can be
    sent again as it was, under the same key (and so the same Message-ID).
    """
    digests = db.execute("SELECT id, key FROM digests WHERE channel = ? AND status = 'pending' ORDER BY id",
                         [channel]).fetchall()
    found = []
    for digest_id, key in digests:
        alert_ids = [row[0] for row in db.execute(
            "SELECT alert_id FROM deliveries WHERE digest_id = ? AND status != 'sent' ORDER BY alert_id",
            [digest_id])]
        found.append((key, alert_ids))
    return found


def digest_status(db: Database, key: str) -> str | None:
    """The status of digest ``key`` (pending, sent, failed), or None if never attempted."""
    row = db.execute("SELECT status FROM digests WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def digest_created(db: Database, key: str) -> datetime | None:
    """When digest ``key`` was first claimed for delivery, or None if never attempted."""
    row = db.execute("SELECT created_at FROM digests WHERE key = ?", [key]).fetchone()
    return parse_iso(row[0]) if row else None


def digest_attempts(db: Database, key: str) -> int:
    row = db.execute("SELECT attempts FROM digests WHERE key = ?", [key]).fetchone()
    return row[0] if row else 0
