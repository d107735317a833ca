"""Configuration: ``config.toml`` read with tomllib into frozen dataclasses.

One strict loader walks the dataclasses below: an unknown key, a wrong type or
a missing required key is a ``ConfigError`` naming the file and the dotted key,
with a suggestion for a likely misspelling. Relative paths are resolved against
the config file's folder. Secrets never live here: the SMTP password is read
from the environment variable that ``smtp.password_env`` names.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: float | str) -> float:
    """Seconds in ``value``: a number of seconds, or ``"90s"``, ``"30m"``, ``"2h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 300, \"30m\" or \"2h\"")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration such as 300, \"30m\" or \"2h\"")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


Duration = typing.NewType("Duration", float)


def address_rule(entry: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]:
    """(network, port or None) of an allowlist entry: ``10.0.0.5``, ``127.0.0.1:8080``, ``10.1.0.0/16``,
    ``[::1]:8080``; ``ValueError`` for anything else (host names are not accepted: they can rebind)."""
    text, port = entry.strip(), None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(f"{entry!r} is not an address, [address]:port or network")
            port = int(rest[1:])
        text = host
    elif text.count(":") == 1:
        text, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ValueError(f"{entry!r} is not an address, address:port or network")
        port = int(port_text)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{entry!r} is not an IP address or network (host names are not accepted)") from None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"{entry!r}: port out of range")
    return network, port


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedConfig:
    """One feed to poll."""

    url: str
    name: str = ""
    #: seconds between polls; None means ``schedule.interval``
    interval: Duration | None = None
    enabled: bool = True

    @property
    def label(self) -> str:
        return self.name or self.url


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchConfig:
    """The one HTTP client's limits (README: Security and limits)."""

    timeout_seconds: float = 20.0
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 15.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    max_entries_per_feed: int = 200
    allow_private_addresses: bool = False
    #: private/loopback addresses allowed anyway: "10.0.0.5", "127.0.0.1:8080", "10.1.0.0/16", "[::1]:8080"
    allowed_private_addresses: tuple[str, ...] = ()
    user_agent: str = ""
    fetch_pages: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleConfig:
    """When feeds are polled, and how failures back off."""

    interval: Duration = Duration(1800.0)
    jitter_seconds: float = 30.0
    max_backoff: Duration = Duration(86400.0)
    workers: int = 4
    #: worker processes that fetch, extract and detect pages in ``monitor check``; 1: in-process, 0: one per core
    processes: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestConfig:
    """What digests are rendered and where they go."""

    channels: tuple[str, ...] = ("file",)
    formats: tuple[str, ...] = ("markdown", "html")
    schedule: str = "immediate"
    timezone: str = "UTC"
    send_health_only: bool = False
    failing_after: Duration = Duration(86400.0)
    # a feed's first poll alerts only on entries published this recently; older ones are background
    first_poll_window: Duration = Duration(3 * 86400.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    """Mail delivery; the password comes from the environment, never from here."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = "MONITOR_SMTP_PASSWORD"
    sender: str = ""
    recipients: tuple[str, ...] = ()
    timeout_seconds: float = 30.0
    #: a PEM file of CA certificates to verify the server against instead of the system's
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The whole configuration, as loaded from one file."""

    path: Path
    database: Path
    digest_dir: Path
    plugins_dir: Path | None = None
    templates_dir: Path | None = None
    seeds_dir: Path | None = None
    lock_file: Path | None = None
    fetch: FetchConfig = field(default_factory=FetchConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    feeds: tuple[FeedConfig, ...] = ()

    @property
    def lock_path(self) -> Path:
        return self.lock_file or self.database.with_name(self.database.name + ".lock")

    def interval_for(self, feed: FeedConfig) -> float:
        return float(feed.interval or self.schedule.interval)


_SECTIONS: dict[str, type] = {
    "fetch": FetchConfig,
    "schedule": ScheduleConfig,
    "digest": DigestConfig,
    "smtp": SmtpConfig,
}
_TOP_LEVEL_PATHS = ("database", "digest_dir", "plugins_dir", "templates_dir", "seeds_dir", "lock_file")
_CHANNELS_BUILT_IN = ("file", "stdout", "email")
_FORMATS = ("markdown", "html", "text")


def load_config(path: Path, *, database: Path | None = None) -> Config:
    """Read and check ``path``; ``database`` overrides the file's ``database`` key."""
    label = path.name if path.parent == Path(".") else str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such config file: {path.absolute()} "
                          "(give one with --config or $MONITOR_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    return config_from_dict(raw, path=path, label=label, database=database)


def config_from_dict(
    raw: dict[str, Any], *, path: Path, label: str | None = None, database: Path | None = None
) -> Config:
    """Build a ``Config`` from parsed TOML, checking every key and type."""
    label = label or path.name
    base = path.resolve().parent
    allowed = {f.name for f in dataclasses.fields(Config)} - {"path"}
    _reject_unknown(raw, allowed, label=label, prefix="")
    kwargs: dict[str, Any] = {"path": path}
    for key in _TOP_LEVEL_PATHS:
        if key in raw:
            value = _check_type(raw[key], str, label=label, key=key)
            kwargs[key] = (base / value) if value else None
    kwargs.setdefault("database", base / "monitor.db")
    kwargs.setdefault("digest_dir", base / "digests")
    if kwargs["database"] is None or kwargs["digest_dir"] is None:
        raise ConfigError(f"{label}: database and digest_dir must not be empty")
    if database is not None:
        kwargs["database"] = database
    for key, cls in _SECTIONS.items():
        if key in raw:
            section = _check_type(raw[key], dict, label=label, key=key)
            kwargs[key] = _build(cls, section, label=label, prefix=key)
    feeds = _check_type(raw.get("feeds", []), list, label=label, key="feeds")
    built = []
    for index, entry in enumerate(feeds):
        prefix = f"feeds[{index}]"
        entry = _check_type(entry, dict, label=label, key=prefix)
        if "url" not in entry:
            raise ConfigError(f"{label}: {prefix}.url: missing (every feed needs a url)")
        built.append(_build(FeedConfig, entry, label=label, prefix=prefix))
    kwargs["feeds"] = tuple(built)
    if "smtp" in kwargs:  # smtp.ca_file is relative to the config's folder; "" means the system's CAs
        ca_file = kwargs["smtp"].ca_file
        kwargs["smtp"] = dataclasses.replace(kwargs["smtp"], ca_file=base / ca_file if ca_file else None)
    config = Config(**kwargs)
    _check_values(config, label=label)
    return config


def _check_values(config: Config, *, label: str) -> None:
    for index, feed in enumerate(config.feeds):
        if not re.match(r"^https?://", feed.url, re.IGNORECASE):
            raise ConfigError(f"{label}: feeds[{index}].url: {feed.url!r} is not an http(s) URL")
    seen: dict[str, int] = {}
    for index, feed in enumerate(config.feeds):
        if feed.url in seen:
            raise ConfigError(f"{label}: feeds[{index}].url: {feed.url} is already feeds[{seen[feed.url]}]")
        seen[feed.url] = index
    for fmt in config.digest.formats:
        if fmt not in _FORMATS:
            raise ConfigError(f"{label}: digest.formats: unknown format {fmt!r} (choose from {', '.join(_FORMATS)})")
    if config.smtp.security not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{label}: smtp.security: {config.smtp.security!r} is not starttls, ssl or none")
    if config.smtp.ca_file is not None and not config.smtp.ca_file.is_file():
        raise ConfigError(f"{label}: smtp.ca_file: {config.smtp.ca_file} is not a file")
    if "email" in config.digest.channels and not (config.smtp.host and config.smtp.sender and config.smtp.recipients):
        raise ConfigError(f"{label}: smtp: the email channel needs smtp.host, smtp.sender and smtp.recipients")
    for key in ("max_bytes", "max_redirects", "max_entries_per_feed"):
        if getattr(config.fetch, key) < (0 if key == "max_redirects" else 1):
            raise ConfigError(f"{label}: fetch.{key}: must be positive")
    for entry in config.fetch.allowed_private_addresses:
        try:
            address_rule(entry)
        except ValueError as exc:
            raise ConfigError(f"{label}: fetch.allowed_private_addresses: {exc}") from None
    if config.schedule.workers < 1:
        raise ConfigError(f"{label}: schedule.workers: must be at least 1")
    if config.schedule.processes < 0:
        raise ConfigError(f"{label}: schedule.processes: must be 0 (one per CPU core) or more")
    _check_digest_schedule(config.digest, label=label)


def _check_digest_schedule(digest: DigestConfig, *, label: str) -> None:
    """A bad time zone or cron expression is a config error for every command, not only ``run``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{label}: digest.timezone = {digest.timezone!r}: not a known time zone "
                          "(such as \"UTC\" or \"Europe/Berlin\")") from None
    if digest.schedule != "immediate":
        from .schedule import cron_trigger  # imports APScheduler: only for a cron schedule

        cron_trigger(digest.schedule, digest.timezone, label=label)


def _build(cls: type, section: dict[str, Any], *, label: str, prefix: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(section, set(fields), label=label, prefix=prefix)
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in section.items():
        kwargs[key] = _check_type(value, hints[key], label=label, key=f"{prefix}.{key}")
    return cls(**kwargs)


def _reject_unknown(section: dict[str, Any], allowed: set[str], *, label: str, prefix: str) -> None:
    for key in section:
        if key not in allowed:
            where = f"{prefix}.{key}" if prefix else key
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{label}: {where}: unknown key{hint}")


def _type_name(expected: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "an array", dict: "a table", Path: "a path"}
    if expected is Duration:
        return 'a duration (seconds, or "30m", "2h")'
    if typing.get_origin(expected) is tuple:
        return "an array of strings"
    return names.get(expected, getattr(expected, "__name__", str(expected)))


def _check_type(value: Any, expected: Any, *, label: str, key: str) -> Any:
    """``value`` converted to ``expected``, or a ConfigError naming ``key``."""
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(expected) if arg is not type(None)]
        return _check_type(value, options[0], label=label, key=key)
    if expected is Duration:
        try:
            return Duration(parse_duration(value))
        except ValueError as exc:
            raise ConfigError(f"{label}: {key}: {exc}") from None
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{label}: {key}: expected {_type_name(expected)}, got {value!r}")
        return tuple(value)
    if expected is Path:
        expected = str
    ok = isinstance(value, expected)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected in (int, float) and isinstance(value, bool):
        ok = False
    if not ok:
        raise ConfigError(f"{label}: {key}: expected {_type_name(expected)}, got {value!r}")
    return value


# --- adding feeds to the file (monitor feeds add / import) -------------------


def feed_block(url: str, *, name: str = "", interval: str | None = None) -> str:
    """A ``[[feeds]]`` table as TOML text (strings escaped as TOML basic strings)."""
    import json

    lines = ["", "[[feeds]]", f"url = {json.dumps(url, ensure_ascii=False)}"]
    if name:
        lines.append(f"name = {json.dumps(name, ensure_ascii=False)}")
    if interval:
        lines.append(f"interval = {json.dumps(interval, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def append_feeds(path: Path, blocks: list[str], *, database: Path | None = None) -> Config:
    """Append ``[[feeds]]`` blocks to the config file as text, keeping its comments; the reloaded config.

    If the file no longer loads afterwards, its old text is put back and the
    ``ConfigError`` says why.
    """
    import os
    import tempfile

    target = path.resolve()
    try:
        original = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None

    def replace(text: str) -> None:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, target.stat().st_mode & 0o7777)
            os.replace(temp, target)
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise ConfigError(f"{path}: cannot write the config file: {exc.strerror}") from None

    separator = "" if not original or original.endswith("\n") else "\n"
    replace(original + separator + "".join(blocks))
    try:
        return load_config(path, database=database)
    except ConfigError as exc:
        replace(original)
        raise ConfigError(f"{exc} (the feeds were not added; {path} is unchanged)") from None
