"""Pytest fixtures for plugin authors, loaded through the ``pytest11`` entry point.

This module is imported by every pytest run in an environment where monitor is
installed, so it imports nothing but pytest at module level and has no side
effects: the fixtures import what they need when a test asks for them.

- ``monitor_db``: a migrated SQLite database in the test's temporary folder.
- ``monitor_feed_server``: a ``monitor.testing.FeedServer`` on 127.0.0.1
  (needs pytest-httpserver).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlite_utils import Database

    from monitor.testing import FeedServer


@pytest.fixture
def monitor_db(tmp_path: Path) -> Iterator[Database]:
    """A fresh monitor database (``monitor.db`` in ``tmp_path``), migrated, closed afterwards."""
    from monitor.store import open_store

    db = open_store(tmp_path / "monitor.db")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def monitor_feed_server() -> Iterator[FeedServer]:
    """A local news site serving article pages and an RSS feed of them, stopped afterwards."""
    try:
        from pytest_httpserver import HTTPServer
    except ImportError:  # pragma: no cover - depends on the author's environment
        pytest.fail("monitor_feed_server needs pytest-httpserver: pip install pytest-httpserver")
    from monitor.testing import FeedServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield FeedServer(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()
