"""Every error monitor raises on purpose, and the exit code each one means.

::

    MonitorError (exit 1)            base; a run completed but something failed
    ├── ConfigError (exit 2)         unreadable TOML, unknown key, wrong type
    │   └── OPMLError                an OPML file to import is not OPML or declares entities
    ├── StoreError (exit 3)          the database cannot be opened or migrated, or is corrupt
    │   └── StoreWriteError (exit 1) a write failed (disk full, I/O error): rolled back, retried next run
    ├── LockHeldError (exit 75)      another check or run holds the lock
    ├── PluginError (exit 2)         a plugin cannot be loaded or conflicts
    ├── SetupError (exit 2)          the environment is unsafe to run in (expat < 2.4)
    ├── FetchError                   one URL could not be fetched (per feed/article)
    │   ├── DisallowedURL            not http/https, credentials, private address
    │   ├── FetchTimeout             connect/read timeout or total deadline
    │   ├── ResponseTooLarge         more decoded bytes than the cap
    │   ├── TooManyRedirects
    │   └── HTTPStatusError          an HTTP status the monitor cannot use
    ├── FeedError                    the bytes are not a feed that yields entries
    ├── ExtractError                 a page yields no text
    └── DeliveryError                a digest channel failed (its alerts stay pending)

Library errors are wrapped at their seam (``raise FetchTimeout(url) from exc``)
so that nothing outside ``fetch.py`` catches an httpx type.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""

    exit_code = 1


class ConfigError(MonitorError):
    """The configuration cannot be used; the message names the file and key."""

    exit_code = 2


class OPMLError(ConfigError):
    """An OPML file given to ``monitor feeds import`` cannot be read, or declares a DOCTYPE."""


class PluginError(MonitorError):
    """A plugin cannot be loaded, misnames a hook, or conflicts with another."""

    exit_code = 2


class SetupError(MonitorError):
    """The Python environment cannot run the monitor safely (an XML parser without entity limits)."""

    exit_code = 2


class StoreError(MonitorError):
    """The database cannot be opened, is not SQLite, or cannot be migrated."""

    exit_code = 3


class StoreWriteError(StoreError):
    """A write to the database failed (disk full, I/O error); its transaction was rolled back."""

    exit_code = 1


class LockHeldError(MonitorError):
    """Another ``monitor check`` or ``monitor run`` holds the lock (EX_TEMPFAIL)."""

    exit_code = 75


class FetchError(MonitorError):
    """One URL could not be fetched; the run carries on with the others."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class DisallowedURL(FetchError):
    """The URL's scheme, form or address is refused by the network guard."""


class FetchTimeout(FetchError):
    """A connect or read timeout, or the request's total deadline, ran out."""


class ResponseTooLarge(FetchError):
    """The decoded body grew past the configured cap."""


class TooManyRedirects(FetchError):
    """More redirects than allowed."""


class HTTPStatusError(FetchError):
    """The server answered with a status the monitor cannot use."""

    def __init__(self, url: str, status: int, *, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class FeedError(MonitorError):
    """The fetched bytes are not a feed, or a feed that yields no entry."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ExtractError(MonitorError):
    """A page yields no article text."""


class DeliveryError(MonitorError):
    """A digest channel failed; its alerts stay pending for the next run."""
