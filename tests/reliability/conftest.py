"""Fixtures of the reliability suite; the servers and scripts live in hostile.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hostile import RawServer, Script, start_raw_server


@pytest.fixture
def raw_server() -> Iterator[Callable[[Script], RawServer]]:
    """A factory of scripted servers, all shut down after the test."""
    servers: list[RawServer] = []

    def make(script: Script) -> RawServer:
        servers.append(start_raw_server(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
