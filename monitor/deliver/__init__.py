"""Deliver stage: send each channel the digest of the alerts it has not had yet.

Exactly once per channel, as far as a channel can promise it: a digest row and
its alerts' delivery rows are claimed in one transaction (the outbox), the
channel is called, and only when it returns are they marked sent. A channel
that fails leaves its alerts pending there (retried on the next run, with the
same digest key while the alerts are the same); a channel that succeeded never
gets those alerts again. Channels are plugins (``register_channels``); the
built-in ``file``, ``stdout`` and ``email`` are declared through the same hook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pluggy
from sqlite_utils import Database

from ..errors import ConfigError, DeliveryError, PluginError
from ..records import Channel, Digest, FeedState
from ..store import (
    claim_digest,
    digest_created,
    digest_status,
    feed_states,
    list_alerts,
    mark_digest_failed,
    mark_digest_sent,
    unconfirmed_digests,
)
from ..wording import plural

log = logging.getLogger(__name__)

__all__ = ["ChannelOutcome", "DeliveryOutcome", "available_channels", "deliver_pending", "preview_digest"]


@dataclass(slots=True, kw_only=True)
class ChannelOutcome:
    """What one channel did in one delivery run."""

    channel: str
    alerts: int = 0
    key: str | None = None
    note: str | None = None
    error: str | None = None


@dataclass(slots=True)
class DeliveryOutcome:
    """What a delivery run did, per channel; ``problems`` are one line each for stderr."""

    channels: list[ChannelOutcome] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"delivery on channel {c.channel} failed: {c.error}" for c in self.channels if c.error]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def summary(self) -> str:
        """What happened: "delivered on file (2 alerts; …); email failed: …", or "nothing to deliver"."""
        sent = [f"{c.channel} ({plural(c.alerts, 'alert')}{'; ' + c.note if c.note else ''})"
                for c in self.channels if c.key and not c.error]
        failed = [f"{c.channel} failed: {c.error}" for c in self.channels if c.error]
        parts = (["delivered on " + ", ".join(sent)] if sent else []) + failed
        return "; ".join(parts) or "nothing to deliver"


def available_channels(pm: pluggy.PluginManager | None) -> dict[str, Channel]:
    """Every channel by name: the built-ins, then each plugin's ``register_channels``."""
    from . import channels as builtin

    found: dict[str, tuple[Channel, str]] = {c.name: (c, "built-in") for c in builtin.register_channels()}
    impls = pm.hook.register_channels.get_hookimpls() if pm is not None else []
    for impl in impls:
        for channel in impl.function() or []:
            if channel.name in found:
                raise PluginError(f"channel {channel.name!r} is declared by {found[channel.name][1]} "
                                  f"and by plugin {impl.plugin_name}")
            found[channel.name] = (channel, impl.plugin_name)
    return {name: channel for name, (channel, _) in found.items()}


def _metrics(pm: pluggy.PluginManager | None) -> dict:
    from ..plugins import declared_metrics

    return {key: metric for key, (metric, _) in declared_metrics(pm).items()} if pm is not None else {}


def _feed_health(config, db: Database, now: datetime) -> tuple[list[FeedState], list[FeedState]]:
    """The configured feeds failing since before ``digest.failing_after``, and those whose last poll
    had more entries than ``fetch.max_entries_per_feed``: the digest's feed-health section."""
    configured = {feed.url for feed in config.feeds}
    since = now - timedelta(seconds=config.digest.failing_after)
    states = [s for s in feed_states(db) if not configured or s.url in configured]
    failing = [s for s in states if s.failing_since is not None and s.failing_since <= since]
    return failing, [s for s in states if s.skipped_entries]


def preview_digest(config, db: Database, pm: pluggy.PluginManager | None, *, now: datetime,
                   include_sent: bool = False) -> Digest:
    """The digest of the alerts pending on any configured channel (every alert with ``include_sent``)."""
    from ..digest import render_digest

    alerts = list_alerts(db, pending_for=None if include_sent else list(config.digest.channels))
    failing, truncated = _feed_health(config, db, now)
    return render_digest(alerts, failing_feeds=failing, truncated_feeds=truncated, metrics=_metrics(pm), now=now,
                         timezone=config.digest.timezone, templates_dir=config.templates_dir)


def deliver_pending(config, db: Database, pm: pluggy.PluginManager | None, *, now: datetime) -> DeliveryOutcome:
    """Deliver, on every configured channel, the digest of the alerts still pending there."""
    from ..digest import digest_key, render_digest
    from . import channels as builtin

    # The plugins' channels are looked up (and checked) when a configured channel is not a built-in
    # one, or when there is something to send: a run with nothing to deliver loads no plugin.
    builtins = {c.name: c for c in builtin.register_channels()}
    known = available_channels(pm) if any(name not in builtins for name in config.digest.channels) else None
    for name in config.digest.channels:
        if name not in (known or builtins):
            raise ConfigError(f"digest.channels: unknown channel {name!r} (available: {', '.join(sorted(known))})")
    failing, truncated = _feed_health(config, db, now)

    def send(name: str, alerts: list, key: str) -> ChannelOutcome:
        nonlocal known
        known = known or available_channels(pm)
        # a digest tried before goes out again as it was generated then, so a retry under the same
        # Message-ID carries the same text
        digest = render_digest(alerts, failing_feeds=failing, truncated_feeds=truncated, metrics=_metrics(pm),
                               now=digest_created(db, key) or now, timezone=config.digest.timezone,
                               templates_dir=config.templates_dir, channel=name, key=key)
        result = _deliver_one(known[name], digest, config, db, now=now)
        outcome.channels.append(result)
        return result

    outcome = DeliveryOutcome()
    for name in config.digest.channels:
        # A digest claimed but never confirmed (killed between the server's acceptance and the
        # commit) goes out again first, as it was: same alerts, same key, so the same Message-ID.
        resent = [send(name, list_alerts(db, ids=alert_ids), key) for key, alert_ids in unconfirmed_digests(db, name)]
        if any(r.error for r in resent):
            continue
        alerts = list_alerts(db, pending_for=[name])
        if alerts:
            key = digest_key(name, [a.id for a in alerts])
        elif failing and config.digest.send_health_only:
            day = f"{now:%Y-%m-%d}|" + ",".join(sorted(f.url for f in failing))
            key = digest_key(name, [], extra=f"health|{day}")
            if digest_status(db, key) == "sent":
                continue
        else:
            continue
        send(name, alerts, key)
    return outcome


def _deliver_one(channel: Channel, digest: Digest, config, db: Database, *, now: datetime) -> ChannelOutcome:
    result = ChannelOutcome(channel=channel.name, alerts=len(digest.alerts), key=digest.key)
    digest_id = claim_digest(db, key=digest.key, channel=channel.name, alert_ids=[a.id for a in digest.alerts],
                             now=now)
    try:
        result.note = channel.deliver(digest, config)
    except DeliveryError as exc:
        result.error = str(exc)
    except Exception as exc:  # a plugin channel's bug must not stop the other channels
        log.debug("channel %s raised", channel.name, exc_info=True)
        result.error = f"{exc.__class__.__name__}: {exc}"
    if result.error:
        mark_digest_failed(db, digest_id, error=result.error)
        log.warning("channel %s: %s stay%s pending: %s", channel.name, plural(result.alerts, "alert"),
                    "s" if result.alerts == 1 else "", result.error)
    else:
        mark_digest_sent(db, digest_id, now=now, note=result.note)
        log.info("channel %s: delivered %s (%s)", channel.name, plural(result.alerts, "alert"), result.note or "ok")
    return result
