"""The network guard and the total deadline (RELIABILITY.md T6–T10).

Host names that resolve to private addresses (T10) are given by patching
``socket.getaddrinfo`` in this process (``fake_dns``): the guard resolves names
itself at connect time, and DNS is the one thing that cannot run here.

Misbehaving servers are raw sockets on 127.0.0.1; ordinary ones are
pytest-httpserver. The guard is exercised through the real ``Fetcher`` and,
where the exit code and the stderr line matter, through ``monitor check``.
"""

from __future__ import annotations

import re
import socket
from types import SimpleNamespace

import pytest
from hostile import (
    answer,
    drip_body,
    drip_headers,
    error_lines,
    never_answer,
    query,
    reset_connection,
    write_reliability_config,
)

from monitor.config import FetchConfig
from monitor.errors import DisallowedURL, FetchError, FetchTimeout, TooManyRedirects
from monitor.fetch import Fetcher, check_url
from monitor.testing import feed_xml

FEED = feed_xml([{"title": "Troops", "link": "https://example.com/a", "guid": "a",
                  "description": "12,000 North Korean troops"}])


def fetcher(**limits: object) -> Fetcher:
    return Fetcher(FetchConfig(**{"allow_private_addresses": True, "timeout_seconds": 2.0,
                                  "read_timeout_seconds": 1.5, "connect_timeout_seconds": 1.0, **limits}))


@pytest.mark.parametrize("script", [drip_body, drip_headers], ids=["body", "headers"])
def test_server_dripping_bytes_is_cut_off_at_the_total_deadline(raw_server, script):
    server = raw_server(script)
    with fetcher() as client, pytest.raises(FetchTimeout, match=r"deadline exceeded \(2 s\)"):
        client.get(server.url("/feed"))
    assert server.accepted == 1


def test_server_that_never_answers_times_out(raw_server):
    server = raw_server(never_answer)
    with fetcher() as client, pytest.raises(FetchTimeout, match="timed out|deadline exceeded"):
        client.get(server.url("/feed"))


def test_connection_reset_is_a_fetch_error(raw_server):
    server = raw_server(reset_connection)
    with fetcher() as client, pytest.raises(FetchError, match="reset|ReadError|RemoteProtocolError"):
        client.get(server.url("/feed"))


def test_redirect_loop_stops_after_max_redirects(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/a"})
    with fetcher(max_redirects=5) as client, pytest.raises(TooManyRedirects, match="too many redirects"):
        client.get(httpserver.url_for("/a"))
    assert len(httpserver.log) == 6  # the first request and five redirects, no more


def test_allowlisted_port_is_reached_but_a_redirect_to_another_loopback_port_is_refused(httpserver, raw_server):
    target = raw_server(answer(FEED))
    httpserver.expect_request("/feed").respond_with_data("", status=302, headers={"Location": target.url("/x")})
    allowed = f"127.0.0.1:{httpserver.port}"
    with fetcher(allow_private_addresses=False, allowed_private_addresses=(allowed,)) as client:
        with pytest.raises(DisallowedURL, match=rf"address 127\.0\.0\.1:{target.port} .*private, loopback"):
            client.get(httpserver.url_for("/feed"))
    assert len(httpserver.log) == 1  # the allowlisted first hop was fetched
    assert target.accepted == 0  # the refused listener saw no connection at all


@pytest.mark.parametrize("location", [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0x7f000001:{port}/",
    "http://localhost:{port}/",
    "http://10.0.0.1/",
])
def test_redirect_to_forbidden_address_is_refused(httpserver, raw_server, location):
    target = raw_server(answer(FEED))
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": location.format(port=target.port)})
    with fetcher(allow_private_addresses=False, allowed_private_addresses=(f"127.0.0.1:{httpserver.port}",)) \
            as client, pytest.raises(DisallowedURL, match="private, loopback or reserved"):
        client.get(httpserver.url_for("/feed"))
    assert target.accepted == 0


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "scheme 'file' refused"),
    ("gopher://127.0.0.1:70/", "scheme 'gopher' refused"),
    ("http://example.com\\@127.0.0.1/", "backslash"),
    ("http://user:secret@example.com/", "credentials"),
    ("http:///nohost", "no host"),
])
def test_url_forms_are_refused_before_any_connection(url, reason):
    with pytest.raises(DisallowedURL, match=reason):
        check_url(url)


@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]", "localhost", "2130706433",
                                  "[::1]", "0.0.0.0"])
def test_loopback_in_any_spelling_is_refused_when_private_addresses_are_not_allowed(raw_server, host):
    target = raw_server(answer(FEED))
    with fetcher(allow_private_addresses=False) as client, \
            pytest.raises(DisallowedURL, match="private, loopback or reserved"):
        client.get(f"http://{host}:{target.port}/feed")
    assert target.accepted == 0


def test_allowlist_entries_are_checked_when_the_config_loads(tmp_path, run_monitor):
    config = write_reliability_config(tmp_path, feeds=["http://127.0.0.1:1/feed"],
                                      fetch={"allowed_private_addresses": ["intranet.example:80"]})
    result = run_monitor("--config", config.name, "check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: config.toml: fetch.allowed_private_addresses: 'intranet.example:80' is not an IP address "
        "or network (host names are not accepted)")


def test_misbehaving_feeds_fail_one_by_one_and_the_good_feed_is_stored(tmp_path, raw_server, httpserver,
                                                                       run_monitor):
    """T6/T7/T8/T9 end to end: each bad feed gets its one-line error, the good one is stored, exit 1."""
    good = raw_server(answer(FEED))
    drip, silent, reset = raw_server(drip_headers), raw_server(never_answer), raw_server(reset_connection)
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    httpserver.expect_request("/meta").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    feeds = [
        {"name": "drip", "url": drip.url("/feed")},
        {"name": "silent", "url": silent.url("/feed")},
        {"name": "reset", "url": reset.url("/feed")},
        {"name": "loop", "url": httpserver.url_for("/loop")},
        {"name": "metadata", "url": httpserver.url_for("/meta")},
        {"name": "good", "url": good.url("/feed")},
    ]
    allowed = [f"127.0.0.1:{port}" for port in (good.port, drip.port, silent.port, reset.port, httpserver.port)]
    config = write_reliability_config(tmp_path, feeds=feeds, fetch={
        "allow_private_addresses": False, "allowed_private_addresses": allowed,
        "timeout_seconds": 2, "read_timeout_seconds": 1.5})
    result = run_monitor("--config", config, "check")
    assert result.returncode == 1, result.stderr
    failures = {line.split("feed ", 1)[1].split(" failed: ")[0]: line.split(" failed: ")[1]
                for line in error_lines(result.stderr) if " failed: " in line}
    assert failures.keys() == {"drip", "silent", "reset", "loop", "metadata"}
    assert failures["drip"].startswith("deadline exceeded (2 s)")
    assert "timed out" in failures["silent"] or "deadline exceeded" in failures["silent"]
    assert "reset" in failures["reset"] or "Error" in failures["reset"]
    assert failures["loop"].startswith("too many redirects")
    assert "169.254.169.254:80" in failures["metadata"] and "private" in failures["metadata"]
    db = tmp_path / "monitor.db"
    assert query(db, "SELECT url FROM articles") == [("https://example.com/a",)]
    errors = dict(query(db, "SELECT name, consecutive_failures FROM feeds"))
    assert errors == {"drip": 1, "silent": 1, "reset": 1, "loop": 1, "metadata": 1, "good": 0}


@pytest.fixture
def fake_dns(monkeypatch):
    """Host names resolved to the addresses a test chooses, and no connection beyond loopback.

    DNS is the one thing that cannot run here, so ``socket.getaddrinfo`` is patched in
    this process (the ``Fetcher`` resolves names itself, at connect time). Every
    connection attempt is recorded; one to an address other than 127.0.0.1 is refused
    here, so a guard that let it through fails the test without a packet leaving.
    """
    names: dict[str, list[str]] = {}
    connections: list[tuple[str, int]] = []
    real_getaddrinfo, real_create_connection = socket.getaddrinfo, socket.create_connection

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)) if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in names[host]]

    def create_connection(address, *args, **kwargs):
        connections.append(address[:2])
        if address[0] != "127.0.0.1":
            raise OSError(f"test: connection to {address[0]} attempted")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return SimpleNamespace(names=names, connections=connections)


def test_a_host_name_is_resolved_by_the_guard_and_reached_at_its_allowed_address(raw_server, fake_dns):
    target = raw_server(answer(FEED))
    fake_dns.names["feeds.example"] = ["127.0.0.1"]
    with fetcher(allow_private_addresses=False, allowed_private_addresses=(f"127.0.0.1:{target.port}",)) as client:
        result = client.get(f"http://feeds.example:{target.port}/feed")
    assert result.status == 200 and b"12,000" in result.body
    assert fake_dns.connections == [("127.0.0.1", target.port)]
    assert b"Host: feeds.example:" in target.requests[0].head


@pytest.mark.parametrize(("addresses", "named"), [
    (["10.0.0.1"], "10.0.0.1:80"),
    (["93.184.216.34", "10.0.0.1"], "10.0.0.1:80"),  # one private address among public ones is enough
    (["fd00::1"], "[fd00::1]:80"),
    (["::ffff:10.0.0.1"], "[::ffff:10.0.0.1]:80"),
])
def test_a_host_name_resolving_to_a_private_address_is_refused_naming_it(fake_dns, addresses, named):
    fake_dns.names["intranet.example"] = addresses
    with fetcher(allow_private_addresses=False) as client, \
            pytest.raises(DisallowedURL, match=re.escape(f"address {named} of intranet.example is private")):
        client.get("http://intranet.example/feed")
    assert fake_dns.connections == []


@pytest.mark.parametrize(("address", "port"), [("10.0.0.1", None), ("127.0.0.1", "target")])
def test_a_redirect_to_a_host_name_resolving_to_a_private_address_is_refused(httpserver, raw_server, fake_dns,
                                                                             address, port):
    target = raw_server(answer(FEED))
    port = target.port if port == "target" else 8080
    fake_dns.names["intranet.example"] = [address]
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": f"http://intranet.example:{port}/admin"})
    allowed = f"127.0.0.1:{httpserver.port}"
    with fetcher(allow_private_addresses=False, allowed_private_addresses=(allowed,)) as client, \
            pytest.raises(DisallowedURL, match=re.escape(f"address {address}:{port} of intranet.example is private")):
        client.get(httpserver.url_for("/feed"))
    assert len(httpserver.log) == 1  # the allowlisted first hop was fetched
    assert fake_dns.connections == [("127.0.0.1", httpserver.port)]  # and nothing after it
    assert target.accepted == 0


def test_a_resolver_that_hangs_cannot_hold_a_request_past_its_deadline(raw_server, fake_dns, monkeypatch):
    """The name lookup is part of the request: the request gives up while the lookup is still pending."""
    import threading

    target = raw_server(answer(FEED))
    release, resolved = threading.Event(), threading.Event()
    resolve = socket.getaddrinfo  # fake_dns's

    def slow_getaddrinfo(host, port, *args, **kwargs):
        if host == "slow.example":
            release.wait(10)
            fake_dns.names[host] = ["127.0.0.1"]
            resolved.set()
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    try:
        with fetcher(connect_timeout_seconds=5.0, timeout_seconds=1.0) as client, \
                pytest.raises(FetchTimeout, match=r"deadline exceeded|timed out"):
            client.get(f"http://slow.example:{target.port}/feed")
        assert not resolved.is_set()  # it did not wait for the resolver
    finally:
        release.set()
    assert target.accepted == 0
