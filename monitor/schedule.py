"""When a digest is due: ``digest.schedule`` read as a cron expression in ``digest.timezone``.

The daemon fires a cron job at each scheduled time; ``monitor check``, run by
cron every few minutes, asks instead whether a scheduled time has passed since
the last scheduled delivery it made, and delivers then (once per scheduled time,
retried by the next check if a channel failed). APScheduler is imported only
for a cron schedule, never by ``monitor --help``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .errors import ConfigError

#: how far back to look for the last scheduled time: the smallest window holding one is walked
_LOOKBACKS = (timedelta(hours=1), timedelta(days=1), timedelta(days=8), timedelta(days=32), timedelta(days=400))


def cron_trigger(schedule: str, timezone: str, *, label: str = "config") -> Any:
    """The APScheduler cron trigger of ``schedule``; None for "immediate"; ``ConfigError`` if invalid."""
    if schedule == "immediate":
        return None
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(schedule, timezone=timezone)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{label}: digest.schedule = {schedule!r}, digest.timezone = {timezone!r}: "
            f'expected "immediate" or a cron expression such as "0 7 * * *" in a known time zone ({exc})'
        ) from None


def last_scheduled(trigger: Any, now: datetime) -> datetime | None:
    """The latest time at or before ``now`` that ``trigger`` fires (None if none within 400 days)."""
    for lookback in _LOOKBACKS:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            later = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if later is None or later > now:
                return fire
            fire = later
    return None


def next_scheduled(trigger: Any, now: datetime) -> datetime | None:
    """The next time after ``now`` that ``trigger`` fires."""
    return trigger.get_next_fire_time(None, now + timedelta(seconds=1))
