"""The store and the lock under faults (RELIABILITY.md T27, T28, T31–T34).

Databases are real SQLite files damaged on purpose; ``monitor check`` runs as
a subprocess so that the exit code and the one-line error are what is tested.
A database that cannot be opened or is corrupt exits 3 (the exit-code table
of the README), where the plan in RELIABILITY.md said 1.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import (
    answer,
    integrity,
    monitor_command,
    never_answer,
    query,
    wait_for,
    write_reliability_config,
)

from monitor.testing import feed_xml

PAGE = 4096


def entries(prefix: str, count: int, *, words: int = 5) -> bytes:
    return feed_xml([{"title": f"{prefix} {i}", "link": f"https://example.com/{prefix}/{i}",
                      "description": "North Korean troops in Kursk. " * words} for i in range(count)])


@pytest.fixture
def stored(tmp_path, raw_server, run_monitor):
    """A config with two feeds and a database holding their 60 articles."""
    first, second = raw_server(answer(entries("a", 30, words=40))), raw_server(answer(entries("b", 30, words=40)))
    config = write_reliability_config(tmp_path, feeds=[{"name": "first", "url": first.url("/feed")},
                                                       {"name": "second", "url": second.url("/feed")}])
    assert run_monitor("--config", config, "check").returncode == 0
    return config, tmp_path / "monitor.db"


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def test_random_bytes_over_page_two_are_refused_and_the_file_left_alone(stored, run_monitor):
    config, db = stored
    data = bytearray(db.read_bytes())
    data[PAGE:2 * PAGE] = random.Random(7).randbytes(PAGE)
    db.write_bytes(bytes(data))
    result = run_monitor("--config", config, "check", "--all")
    assert result.returncode == 3
    assert last_line(result.stderr).startswith(f"Error: database corrupt: {db} (")
    assert db.read_bytes() == bytes(data)


def test_corrupt_table_pages_found_during_the_run_exit_3_naming_the_file(stored, run_monitor):
    config, db = stored
    rootpage = query(db, "SELECT rootpage FROM sqlite_master WHERE name = 'articles'")[0][0]
    data = bytearray(db.read_bytes())
    for page in range(rootpage, len(data) // PAGE):  # the articles' tree and everything after it
        data[(page - 1) * PAGE + 8:page * PAGE] = random.Random(page).randbytes(PAGE - 8)
    db.write_bytes(bytes(data))
    result = run_monitor("--config", config, "check", "--all")
    assert result.returncode == 3, result.stderr
    assert last_line(result.stderr).startswith(f"Error: database corrupt: {db} (")
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_sqlite_is_refused_and_not_overwritten(tmp_path, raw_server, run_monitor):
    feed = raw_server(answer(entries("a", 2)))
    notes = tmp_path / "monitor.db"
    notes.write_text("my notes, not a database\n" * 100)
    before = notes.read_bytes()
    config = write_reliability_config(tmp_path, feeds=[feed.url("/feed")])
    result = run_monitor("--config", config, "check")
    assert result.returncode == 3
    assert last_line(result.stderr) == f"Error: {notes}: not an SQLite database (refusing to touch it)"
    assert notes.read_bytes() == before
    assert feed.accepted == 0  # nothing was fetched for a store that cannot hold it


def test_full_disk_rolls_back_names_the_feed_and_the_next_run_recovers(tmp_path, raw_server, run_monitor):
    """T32: a file-size limit on the process makes SQLite's writes fail as on a full disk."""
    small, big, after = (raw_server(answer(entries("s", 3))), raw_server(answer(entries("b", 200, words=400))),
                         raw_server(answer(entries("t", 3))))
    feeds = [{"name": "small", "url": small.url("/f")}, {"name": "big", "url": big.url("/f")},
             {"name": "after", "url": after.url("/f")}]
    config = write_reliability_config(tmp_path, feeds=feeds[:1])
    assert run_monitor("--config", config, "check").returncode == 0
    db = tmp_path / "monitor.db"
    config = write_reliability_config(tmp_path, feeds=feeds)
    limit = db.stat().st_size + 300_000

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(monitor_command("--config", config, "check", "--all"), capture_output=True, text=True,
                            timeout=60, preexec_fn=limited)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and f"polling feed big: cannot write {db} (" in errors[0]
    assert "rolled back" in errors[0] and "Traceback" not in result.stderr
    assert after.accepted == 0  # the run stopped at the full disk
    assert integrity(db) == "ok"
    partial = query(db, "SELECT count(*) FROM articles WHERE url LIKE '%/b/%'")[0][0]
    assert partial < 200

    rerun = run_monitor("--config", config, "check", "--all")
    assert rerun.returncode == 0, rerun.stderr
    assert integrity(db) == "ok"
    assert query(db, "SELECT count(*), count(DISTINCT entry_key) FROM articles") == [(206, 206)]


def make_read_only(path: Path) -> None:
    """Read-only even for root (immutable attribute), else by permissions."""
    if os.geteuid() == 0:
        result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot make {path} read-only as root here: {result.stderr.strip()}")
    else:
        path.chmod(0o555 if path.is_dir() else 0o444)


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("target", ["database", "folder"])
def test_read_only_database_or_folder_is_named(stored, run_monitor, target):
    config, db = stored
    for sidecar in (db.with_name("monitor.db-wal"), db.with_name("monitor.db-shm")):
        sidecar.unlink(missing_ok=True)
    path = db if target == "database" else db.parent
    make_read_only(path)
    try:
        result = run_monitor("--config", config, "check", "--all")
    finally:
        make_writable(path)
    assert result.returncode == 3, result.stderr
    line = last_line(result.stderr)
    assert line.startswith("Error: ") and str(db.parent) in line and "Traceback" not in result.stderr
    assert integrity(db) == "ok"
    assert query(db, "SELECT count(*) FROM articles") == [(60,)]


@pytest.mark.parametrize(("toml", "message"), [
    ('[smtp]\nhots = "mail.example.com"\n', "config.toml: smtp.hots: unknown key (did you mean 'host'?)"),
    ("[fetch]\nmax_byte = 10\n", "config.toml: fetch.max_byte: unknown key (did you mean 'max_bytes'?)"),
    ('[fetch]\ntimeout_seconds = "soon"\n', "config.toml: fetch.timeout_seconds: expected a number, got 'soon'"),
    ('[[feeds]]\nname = "no url"\n', "config.toml: feeds[0].url: missing (every feed needs a url)"),
])
def test_config_mistakes_exit_2_with_one_line(tmp_path, run_monitor, toml, message):
    (tmp_path / "config.toml").write_text(toml)
    result = run_monitor("--config", "config.toml", "check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: {message}"
    assert not (tmp_path / "monitor.db").exists()


def hanging_check(tmp_path: Path, raw_server) -> tuple[subprocess.Popen, Path]:
    """A ``monitor check`` holding the lock while its one feed never answers."""
    silent = raw_server(never_answer)
    config = write_reliability_config(tmp_path, feeds=[{"name": "silent", "url": silent.url("/feed")}],
                                      fetch={"timeout_seconds": 30, "read_timeout_seconds": 30})
    process = subprocess.Popen(monitor_command("--config", config, "check"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_for(lambda: silent.requests != [], timeout=30, what="the check to reach its feed")
    return process, config


def test_second_check_exits_75_while_the_first_holds_the_lock(tmp_path, raw_server, run_monitor):
    first, config = hanging_check(tmp_path, raw_server)
    try:
        second = run_monitor("--config", config, "check")
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 75
    line = last_line(second.stderr)
    assert line.startswith(f"Error: another monitor holds the lock {tmp_path / 'monitor.db.lock'} (pid {first.pid}")


def test_lock_of_a_killed_check_is_free_at_once(tmp_path, raw_server, run_monitor):
    """T27: SIGKILL leaves no stale lock; the next check gets it without waiting."""
    first, config = hanging_check(tmp_path, raw_server)
    first.send_signal(signal.SIGKILL)
    first.wait()
    config.write_text(config.read_text().replace("timeout_seconds = 30", "timeout_seconds = 1"))
    rerun = run_monitor("--config", config, "check", "--wait", "0")
    assert rerun.returncode == 1  # it ran: its feed still never answers
    assert "feed silent failed: " in rerun.stderr and "lock" not in rerun.stderr
    assert integrity(tmp_path / "monitor.db") == "ok"


def test_python_runs_the_suite_with_a_safe_expat():
    import pyexpat

    assert tuple(int(p) for p in pyexpat.EXPAT_VERSION.split("_")[1].split(".")) >= (2, 4, 0), sys.version
