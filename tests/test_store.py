"""The store: migrations from a blank file, one transaction per article, refusal of bad files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from monitor.errors import StoreError
from monitor.records import Detection, Figure, Mention, Qualifier
from monitor.store import ensure_feed, migrations, open_store, save_article, schema_version
from monitor.testing import make_article

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

M001_COLUMNS = {
    "feeds": ["id", "url", "name", "etag", "last_modified", "last_fetched", "last_success", "last_status",
              "consecutive_failures", "total_errors", "last_error", "failing_since", "next_due", "disabled"],
    "articles": ["id", "feed_id", "entry_key", "url", "canonical_url", "title", "text", "published", "language",
                 "extracted_from", "fetched_at"],
    "mentions": ["article_id", "entity", "count", "detector"],
    "figures": ["id", "article_id", "metric", "value", "value_max", "qualifier", "increment", "period", "quote",
                "detector", "span_start", "span_end"],
}


def test_blank_file_is_migrated_to_the_whole_schema(tmp_path):
    db = open_store(tmp_path / "m.db")
    assert schema_version(db) == [m.name for m in migrations._migrations]
    assert schema_version(db)[0] == "m001_initial"
    for table, columns in M001_COLUMNS.items():
        assert list(db[table].columns_dict)[: len(columns)] == columns
    assert db.journal_mode == "wal"
    # reopening applies nothing twice
    assert schema_version(open_store(tmp_path / "m.db")) == schema_version(db)


def test_article_and_findings_are_stored_once(tmp_path):
    db = open_store(tmp_path / "m.db")
    feed_id = ensure_feed(db, "https://example.com/feed", name="Example")
    detection = Detection(
        figures=(Figure(metric="dprk_troops_to_russia", value=11000, qualifier=Qualifier.MORE_THAN,
                        quote="over 11,000 troops", detector="troops", span=(0, 11)),),
        mentions=(Mention(entity="MSMT", count=2, detector="mentions"),
                  Mention(entity="Pantsir", count=0, detector="mentions")),
    )
    article = make_article("North Korea sent over 11,000 troops.", url="https://example.com/a")
    first = save_article(db, article, detection, feed_id=feed_id, entry_key="https://example.com/a", now=NOW)
    again = save_article(db, article, detection, feed_id=feed_id, entry_key="https://example.com/a", now=NOW)
    assert first is not None and again is None
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    assert db.execute("SELECT entity, count FROM mentions").fetchall() == [("MSMT", 2)]
    assert db.execute("SELECT metric, value, qualifier, span_start, span_end FROM figures").fetchall() == [
        ("dprk_troops_to_russia", 11000, "more_than", 0, 11)]


def test_a_failed_write_leaves_nothing_of_the_article(tmp_path):
    db = open_store(tmp_path / "m.db")
    bad = Detection(figures=(Figure(metric="x", value=None, quote="q", detector="d"),))  # NOT NULL value
    with pytest.raises(sqlite3.IntegrityError):
        save_article(db, make_article("text"), bad, feed_id=None, entry_key="k", now=NOW)
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.db: not an SQLite database"):
        open_store(path)
    assert path.read_bytes() == b"my precious notes\n" * 100


def test_check_on_a_bad_database_exits_3(tmp_path, run_monitor):
    from monitor.testing import write_config

    config = write_config(tmp_path, feeds=["http://127.0.0.1:9/feed"])
    (tmp_path / "monitor.db").write_text("not a database")
    result = run_monitor("--config", config, "check")
    assert result.returncode == 3
    assert "not an SQLite database" in result.stderr


def test_a_second_connection_in_the_process_never_loses_the_first_ones_commits(tmp_path):
    """A daemon's worker threads each open the store while others write; a reader in another process
    (``monitor feeds``, a test) opens and closes it meanwhile. Opening the file by any path other than
    SQLite's would drop this process's locks, and that reader's close would then delete the WAL under
    the writers: their later commits would be lost to every other process."""
    import subprocess
    import sys

    path = tmp_path / "monitor.db"

    def other_process(code: str) -> str:
        script = f"import sqlite3\nc = sqlite3.connect({str(path)!r})\n{code}\nc.close()\n"
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout

    first = open_store(path)
    first.execute("CREATE TABLE probe (n INTEGER)")
    first.execute("INSERT INTO probe VALUES (0)")
    second = open_store(path)
    second.execute("INSERT INTO probe VALUES (1)")
    other_process("c.execute('SELECT count(*) FROM probe').fetchall()")
    first.execute("INSERT INTO probe VALUES (2)")
    second.execute("INSERT INTO probe VALUES (3)")
    assert other_process("print(c.execute('SELECT count(*) FROM probe').fetchone()[0])").strip() == "4"
    first.close()
    second.close()
