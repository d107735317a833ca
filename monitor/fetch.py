"""Fetch stage: the one HTTP client for feeds and pages, and the network guard.

Every URL the monitor fetches (feeds, pages, each redirect hop) goes through
``Fetcher.get``:

- only http/https, no backslashes, no credentials in the URL;
- the host is resolved and every address checked *at connect time* (a custom
  httpcore network backend), so redirects and DNS rebinding cannot reach
  loopback, private, link-local, CGNAT or unspecified addresses unless the
  config allows private addresses (all of them, or only those listed in
  ``fetch.allowed_private_addresses``);
- proxy environment variables are ignored;
- at most ``max_redirects`` hops, each checked;
- a total deadline per request on top of connect/read timeouts, enforced on
  every socket read and write (a server that drips its headers or body a byte
  at a time is cut off at ``timeout_seconds``, "deadline exceeded");
- only gzip and deflate are accepted, decoded here with a bounded inflater, and
  the size cap counts decoded bytes.

This is the only module that imports httpx; its errors become ``FetchError``s.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from . import __version__
from .config import FetchConfig, address_rule
from .errors import (
    DisallowedURL,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
)

log = logging.getLogger(__name__)

USER_AGENT = f"monitor/{__version__} (news figure monitor; +https://pypi.org/project/monitor/)"
_REDIRECTS = (301, 302, 303, 307, 308)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# The monotonic time by which the current request must be done; every socket
# read and write of the guarded backend is bounded by it.
_DEADLINE: ContextVar[float | None] = ContextVar("monitor_fetch_deadline", default=None)
_DEADLINE_EXCEEDED = "deadline exceeded"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """One response: the decoded body, or ``not_modified`` for a 304."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    content_location: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def check_url(url: str) -> str:
    """``url`` if its form is allowed (http/https, a host, no credentials or backslash)."""
    if "\\" in url:
        raise DisallowedURL(url, "backslash in URL refused")
    if any(ord(ch) < 0x20 or ch == " " for ch in url.strip()):
        raise DisallowedURL(url, "control character or space in URL refused")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise DisallowedURL(url, f"scheme {parts.scheme or '(none)'!r} refused: only http and https")
    if not parts.hostname:
        raise DisallowedURL(url, "no host in URL")
    if parts.username is not None or parts.password is not None:
        raise DisallowedURL(url, "credentials in URL refused")
    return url.strip()


def is_public_address(address: str) -> bool:
    """True for a globally routable address (IPv4, IPv6 and IPv4-mapped IPv6)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global and not ip.is_multicast


AddressRule = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself and connects only to addresses the guard allows.

    Streams it opens give up at the current request's deadline, however slowly
    the server drips its bytes.
    """

    def __init__(self, *, allow_private: bool, allowed: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowed: tuple[AddressRule, ...] = tuple(address_rule(entry) for entry in allowed)

    def is_allowed(self, address: str, port: int) -> bool:
        """True when the guard lets the monitor connect to ``address``:``port``."""
        if self.allow_private or is_public_address(address):
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network and rule_port in (None, port) for network, rule_port in self.allowed)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        try:
            infos = _resolve(host, port, timeout=_bounded(timeout))
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc.args[-1] if exc.args else exc})") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        refused = [a for a in addresses if not self.is_allowed(a, port)]
        if refused:
            shown = f"[{refused[0]}]" if ":" in refused[0] else refused[0]
            raise _Refused(f"address {shown}:{port} of {host} is private, loopback or reserved "
                           "(allow it with fetch.allowed_private_addresses)")
        last: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(address, port, timeout=_bounded(timeout),
                                             local_address=local_address, socket_options=socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


def _resolve(host: str, port: int, *, timeout: float | None) -> list:
    """``getaddrinfo`` within ``timeout``: a resolver that hangs cannot hold a request past its deadline.

    The lookup runs in a daemon thread (a blocking ``getaddrinfo`` cannot be interrupted); one that
    outlives its request ends on its own, its answer unused.
    """
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the waiting request
            answer.append(exc)

    thread = threading.Thread(target=lookup, name=f"monitor-resolve {host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not answer:
        raise httpcore.ConnectTimeout(f"resolving {host} took longer than the request may")
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return answer[0]


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` cut to what is left before the request's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout(_DEADLINE_EXCEEDED)
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Refused(httpcore.ConnectError):
    """The guard refused every address of a host (raised inside httpcore)."""


class Fetcher:
    """The HTTP client every stage fetches through; use as a context manager."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        transport = httpx.HTTPTransport(retries=0)
        # Swap in a pool whose network backend checks every address at connect time.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private=config.allow_private_addresses,
                                           allowed=config.allowed_private_addresses),
        )
        self._client = httpx.Client(
            transport=transport,
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": config.user_agent or USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> FetchResult:
        """GET ``url`` through the guard, following redirects; conditional when given a validator."""
        deadline = time.monotonic() + self.config.timeout_seconds
        token = _DEADLINE.set(deadline)
        try:
            return self._get(url, headers=_request_headers(accept, etag, last_modified), deadline=deadline)
        finally:
            _DEADLINE.reset(token)

    def _get(self, url: str, *, headers: dict[str, str], deadline: float) -> FetchResult:
        current = check_url(url)
        for _hop in range(self.config.max_redirects + 1):
            result = self._get_once(current, headers=headers, deadline=deadline)
            if isinstance(result, FetchResult):
                return result
            current = check_url(urljoin(current, result))
        raise TooManyRedirects(url, f"too many redirects (more than {self.config.max_redirects})")

    def _deadline_exceeded(self, url: str) -> FetchTimeout:
        return FetchTimeout(url, f"{_DEADLINE_EXCEEDED} ({self.config.timeout_seconds:g} s)")

    def _timed_out(self, url: str, deadline: float, what: str) -> FetchTimeout:
        if time.monotonic() >= deadline - 0.05:
            return self._deadline_exceeded(url)
        return FetchTimeout(url, what)

    def _get_once(self, url: str, *, headers: dict[str, str], deadline: float) -> FetchResult | str:
        """The result, or the next URL when the answer is a redirect."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._deadline_exceeded(url)
        timeout = httpx.Timeout(
            min(self.config.read_timeout_seconds, remaining),
            connect=min(self.config.connect_timeout_seconds, remaining),
        )
        try:
            request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
            response = self._client.send(request, stream=True)
        except _Refused as exc:
            raise DisallowedURL(url, str(exc)) from None
        except httpx.TimeoutException as exc:
            raise self._timed_out(url, deadline, f"timed out ({exc.__class__.__name__})") from None
        except httpx.InvalidURL as exc:
            raise DisallowedURL(url, f"invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            if isinstance(exc.__context__, _Refused) or isinstance(exc.__cause__, _Refused):
                raise DisallowedURL(url, str(exc.__cause__ or exc.__context__)) from None
            kind = "cannot connect" if isinstance(exc, httpx.ConnectError) else exc.__class__.__name__
            raise FetchError(url, f"{kind}: {exc or 'connection failed'}") from None
        try:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                return response.headers["location"]
            if response.status_code == 304:
                return FetchResult(url=url, status=304, etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"))
            if response.status_code != 200:
                raise HTTPStatusError(url, response.status_code,
                                      retry_after=parse_retry_after(response.headers.get("retry-after")))
            body = self._read_body(url, response, deadline=deadline)
            return FetchResult(
                url=url, status=200, body=body,
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                content_location=response.headers.get("content-location"),
            )
        finally:
            response.close()

    def _read_body(self, url: str, response: httpx.Response, *, deadline: float) -> bytes:
        """The decoded body, bounded by the size cap and the deadline."""
        limit = self.config.max_bytes
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        inflater = _inflater(url, encoding)
        chunks: list[bytes] = []
        size = 0
        try:
            for raw in response.iter_raw():  # as the bytes come, so the deadline check runs on each read
                if time.monotonic() > deadline:
                    raise self._deadline_exceeded(url)
                data = inflater(raw, limit - size + 1) if inflater else raw
                size += len(data)
                if size > limit:
                    raise ResponseTooLarge(url, f"response too large (over {limit:,} bytes decoded)")
                chunks.append(data)
        except httpx.TimeoutException:
            raise self._timed_out(url, deadline, "timed out while reading the body") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{exc.__class__.__name__} while reading the body") from None
        return b"".join(chunks)


def _request_headers(accept: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _inflater(url: str, encoding: str):
    """A bounded decoder for ``encoding``: call it with (chunk, max_bytes)."""
    if encoding in ("identity", ""):
        return None
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(url, f"unsupported content encoding {encoding!r} (only gzip and deflate)")
    wbits = 47 if encoding in ("gzip", "x-gzip") else 15
    state = {"d": zlib.decompressobj(wbits), "first": True}

    def inflate(chunk: bytes, max_bytes: int) -> bytes:
        decoder = state["d"]
        try:
            out = decoder.decompress(chunk, max_bytes)
        except zlib.error:
            if encoding == "deflate" and state["first"]:  # some servers send raw deflate
                state["d"] = decoder = zlib.decompressobj(-15)
                out = decoder.decompress(chunk, max_bytes)
            else:
                raise FetchError(url, f"corrupt {encoding} body") from None
        state["first"] = False
        # A gzip body may hold several members one after another: go on with the next.
        while decoder.eof and decoder.unused_data and len(out) < max_bytes:
            rest = decoder.unused_data
            state["d"] = decoder = zlib.decompressobj(wbits)
            try:
                out += decoder.decompress(rest, max_bytes - len(out))
            except zlib.error:
                raise FetchError(url, f"corrupt {encoding} body") from None
        return out

    return inflate


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())
