"""The daemon: ``monitor run`` polls every feed on its own schedule (APScheduler 3.x).

One interval job per enabled feed (the feed's ``interval`` or
``schedule.interval``, with up to ``schedule.jitter_seconds`` of jitter so that
many feeds do not fire in the same second), ``max_instances=1`` and coalesced
missed runs, on a pool of ``schedule.workers`` threads. Each job honours the
feed's stored ``next_due``: after a failure (or a ``Retry-After``) the job is
moved to that time, so a failing feed is polled less and less often and is back
on its interval after its first success. A feed disabled by 410 Gone is
unscheduled.

The daemon holds the lock that ``monitor check`` takes for its whole life, so
the two never poll at once. SIGTERM and SIGINT set the stop event: every poll
finishes the article in hand, commits, and the process exits 0 within
``STOP_GRACE_SECONDS`` (polls still stuck in the network after that are
abandoned; their uncommitted article is simply not there). SIGHUP re-reads the
config: feeds added, removed or re-timed take effect at once, and a config that
does not load is logged and ignored.

Each worker thread has its own SQLite connection. APScheduler lives here and
nowhere else; this module reads the clock, the pipeline does not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .baseline import ensure_baseline
from .config import Config, DigestConfig, FeedConfig, load_config
from .errors import MonitorError, StoreError
from .fetch import Fetcher
from .lock import hold_lock, holder_path
from .pipeline import deliver_pending, is_due, poll_feed
from .sources import check_xml_parser
from .store import feed_state, open_store, store_errors
from .wording import plural

log = logging.getLogger(__name__)

#: how long a stop waits for polls in flight before the process exits without them
STOP_GRACE_SECONDS = 8.0
DIGEST_JOB = "digest"

#: ``deliver(config, db, pm, now=…)``: deliver the pending alerts (``pipeline.deliver_pending``)
Deliver = Callable[..., object]


def digest_trigger(digest: DigestConfig, *, label: str = "config") -> Any:
    """None for ``schedule = "immediate"``, else the cron trigger of ``digest.schedule`` in its time zone."""
    from .schedule import cron_trigger

    return cron_trigger(digest.schedule, digest.timezone, label=label)


class Daemon:
    """``monitor run``: the scheduler, its jobs, and the signals that stop or reload it."""

    def __init__(self, config: Config, *, database_override: Path | None = None,
                 deliver: Deliver | None = None, stop: threading.Event | None = None) -> None:
        self.config = config
        self.database_override = database_override
        self.deliver = deliver or deliver_pending
        self._digest_lock = threading.Lock()  # one delivery at a time: two would send the same alerts
        self.stop = stop or threading.Event()
        self._reload = threading.Event()
        self._wake = threading.Event()
        self._local = threading.local()
        self._stores: list[Database] = []
        self._stores_lock = threading.Lock()
        self._scheduled: dict[str, tuple[float, float]] = {}
        # each feed job's next run as last seen, to tell a coalesced catch-up (suspend, clock jump) from a run
        self._expected: dict[str, datetime] = {}
        self._stop_reason = "stop requested"
        self.scheduler: Any = None
        self.fetcher: Fetcher | None = None
        self.pm: Any = None

    # --- signals (handlers only set flags: no logging or locking in a handler) ---

    def request_stop(self, reason: str = "stop requested") -> None:
        self._stop_reason = reason
        self.stop.set()
        self._wake.set()

    def request_reload(self) -> None:
        self._reload.set()
        self._wake.set()

    def install_signal_handlers(self) -> Callable[[], None]:
        """Route SIGTERM/SIGINT to a stop and SIGHUP to a reload; returns a function restoring the old ones."""
        previous = {
            signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: self.request_stop("SIGTERM")),
            signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: self.request_stop("SIGINT")),
            signal.SIGHUP: signal.signal(signal.SIGHUP, lambda *_: self.request_reload()),
        }

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        return restore

    # --- life cycle ---

    def run(self) -> int:
        """Hold the lock, schedule every feed, and poll until stopped; returns the exit code (0)."""
        from .plugins import make_plugin_manager

        config = self.config
        digest_trigger(config.digest, label=config.path.name)  # a bad cron line fails before the lock
        check_xml_parser()
        self.pm = make_plugin_manager(config.plugins_dir)
        with hold_lock(config.lock_path, command="monitor run"), Fetcher(config.fetch) as fetcher:
            self.fetcher = fetcher
            self.scheduler = self._make_scheduler()
            log.info("%s", startup_summary(config), extra={"pid": os.getpid(), "feeds": len(config.feeds)})
            db = open_store(config.database)
            try:
                ensure_baseline(db, self.pm, seeds_dir=config.seeds_dir, now=datetime.now(UTC))
                self._schedule_feeds(db)
                self._schedule_digest()
            finally:
                db.close()
            self.scheduler.start()
            try:
                self._wait_for_stop()
            finally:
                self._shut_down()
                self._close_stores()
        log.info("stopped")
        return 0

    def _make_scheduler(self) -> Any:
        from apscheduler.events import (
            EVENT_JOB_ERROR,
            EVENT_JOB_MAX_INSTANCES,
            EVENT_JOB_MISSED,
            EVENT_JOB_SUBMITTED,
        )
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        # Job errors and skips are logged by _on_event, once and in our words.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=self.config.schedule.workers)},
            # misfire_grace_time=None: a late run (suspend, overload) still runs, once, never silently skipped
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.add_listener(
            self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_SUBMITTED)
        return scheduler

    def _wait_for_stop(self) -> None:
        while not self.stop.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._reload.is_set() and not self.stop.is_set():
                self._reload.clear()
                self.reload()

    def _shut_down(self) -> None:
        log.info("stopping (%s): finishing the articles in hand", self._stop_reason)
        finisher = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True)
        finisher.start()
        finisher.join(STOP_GRACE_SECONDS)
        if finisher.is_alive():
            # Polls stuck in the network: their article is not committed, so nothing is half-written.
            log.warning("polls still in flight after %.0f s; exiting without them", STOP_GRACE_SECONDS)
            logging.shutdown()
            with contextlib.suppress(OSError):
                holder_path(self.config.lock_path).unlink()
            os._exit(0)

    def _close_stores(self) -> None:
        with self._stores_lock:
            for db in self._stores:
                with contextlib.suppress(Exception):
                    db.close()
            self._stores.clear()

    # --- reload ---

    def reload(self) -> None:
        """Re-read the config file; on any error keep the running config and log one line."""
        try:
            fresh = load_config(self.config.path, database=self.database_override)
            digest_trigger(fresh.digest, label=fresh.path.name)
        except MonitorError as exc:
            log.error("reload failed, keeping the running config: %s", exc, extra={"error": str(exc)})
            return
        fixed = ("database", "lock_file", "plugins_dir", "fetch")
        changed = [name for name in fixed if getattr(fresh, name) != getattr(self.config, name)]
        if changed:
            log.warning("reload: %s changed; that takes effect at the next restart", ", ".join(changed))
        fresh = dataclasses.replace(fresh, **{name: getattr(self.config, name) for name in fixed})
        old_urls = {f.url for f in self.config.feeds if f.enabled}
        new_urls = {f.url for f in fresh.feeds if f.enabled}
        self.config = fresh
        db = open_store(fresh.database)
        try:
            self._schedule_feeds(db)
        finally:
            db.close()
        self._schedule_digest()
        log.info("reloaded %s: %s (%d added, %d removed)", fresh.path, plural(len(new_urls), "feed"),
                 len(new_urls - old_urls), len(old_urls - new_urls), extra={"feeds": len(new_urls)})

    # --- feed jobs ---

    def _schedule_feeds(self, db: Database) -> None:
        """Make the scheduler's feed jobs match the config: add, re-time and remove."""
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.triggers.interval import IntervalTrigger

        config = self.config
        wanted = {feed.url: feed for feed in config.feeds if feed.enabled}
        for url in list(self._scheduled):
            if url not in wanted:
                with contextlib.suppress(JobLookupError):
                    self.scheduler.remove_job(url)
                del self._scheduled[url]
                self._expected.pop(url, None)
                log.info("feed %s removed from the schedule", url, extra={"feed": url})
        now = datetime.now(UTC)
        for url, feed in wanted.items():
            interval = config.interval_for(feed)
            jitter = min(config.schedule.jitter_seconds, interval)
            trigger = IntervalTrigger(seconds=interval, jitter=jitter or None, timezone=UTC)
            if url in self._scheduled:
                if self._scheduled[url] != (interval, jitter):
                    job = self.scheduler.reschedule_job(url, trigger=trigger)
                    self._scheduled[url] = (interval, jitter)
                    self._expected[url] = job.next_run_time  # re-timed, not late
                continue
            state = feed_state(db, url)
            if state is not None and state.disabled:
                log.warning("feed %s is disabled (%s); not scheduled", feed.label, state.last_error,
                            extra={"feed": url})
                continue
            # Spread the first polls over the jitter, and respect a backoff the store already holds.
            first = now + timedelta(seconds=random.uniform(0, jitter))
            if state is not None and state.next_due is not None and state.next_due > first:
                first = state.next_due
            self.scheduler.add_job(self._poll_job, trigger, args=[url], id=url, name=f"feed {feed.label}",
                                   next_run_time=first)
            self._expected[url] = first
            self._scheduled[url] = (interval, jitter)
            log.debug("feed %s: every %.0f s, first poll at %s", feed.label, interval, first.isoformat())

    def _poll_job(self, url: str) -> None:
        """One scheduled run for the feed at ``url``: poll it if due, then follow its next due time."""
        config = self.config
        feed = next((f for f in config.feeds if f.url == url and f.enabled), None)
        if feed is None or self.stop.is_set():
            return
        db = self._thread_store()
        now = datetime.now(UTC)
        try:
            with store_errors(config.database, doing=f"polling feed {feed.label}"):
                if is_due(db, feed, now=now):
                    assert self.fetcher is not None
                    outcome = poll_feed(feed, config=config, fetcher=self.fetcher, db=db, pm=self.pm, now=now,
                                        stop=self.stop)
                    # new figures may have raised alerts; delivery sends only what is pending
                    if config.digest.schedule == "immediate" and outcome.new_figures:
                        self._deliver_digest(db)
                else:
                    log.debug("feed %s: not due yet", feed.label)
                self._follow_state(db, feed)
        except StoreError as exc:  # a full disk: rolled back, the next run of this job retries
            log.error("%s", exc, extra={"feed": url, "error": str(exc)})

    def _follow_state(self, db: Database, feed: FeedConfig) -> None:
        """Move the feed's job to its stored next due time (backoff, Retry-After), or drop it if disabled."""
        from apscheduler.jobstores.base import JobLookupError

        state = feed_state(db, feed.url)
        if state is None or self.stop.is_set():
            return
        with contextlib.suppress(JobLookupError):
            if state.disabled:
                self.scheduler.remove_job(feed.url)
                self._scheduled.pop(feed.url, None)
                log.warning("feed %s disabled (%s); no longer scheduled", feed.label, state.last_error,
                            extra={"feed": feed.url, "error": state.last_error})
                return
            job = self.scheduler.get_job(feed.url)
            if job is None or job.next_run_time is None:
                return
            next_run = job.next_run_time
            if state.next_due is not None and state.next_due > next_run:
                self.scheduler.modify_job(feed.url, next_run_time=state.next_due)
                next_run = state.next_due
                log.debug("feed %s: next poll at %s", feed.label, next_run.isoformat())
            self._expected[feed.url] = next_run

    def _thread_store(self) -> Database:
        """This worker thread's own connection to the database."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_store(self.config.database)
            self._local.db = db
            with self._stores_lock:
                self._stores.append(db)
        return db

    # --- digest ---

    def _schedule_digest(self) -> None:
        from apscheduler.jobstores.base import JobLookupError

        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(DIGEST_JOB)
        trigger = digest_trigger(self.config.digest, label=self.config.path.name)
        if trigger is None:
            return
        self.scheduler.add_job(self._digest_job, trigger, id=DIGEST_JOB, name="digest")

    def _digest_job(self) -> None:
        if not self.stop.is_set():
            self._deliver_digest(self._thread_store())

    def _deliver_digest(self, db: Database) -> None:
        """Deliver the pending alerts; a failed channel keeps its alerts pending for the next time."""
        with self._digest_lock:
            try:
                outcome = self.deliver(self.config, db, self.pm, now=datetime.now(UTC))
            except MonitorError as exc:
                log.error("digest: %s", exc, extra={"error": str(exc)})
                return
        for problem in getattr(outcome, "problems", ()):
            log.error("digest: %s", problem, extra={"error": problem})

    # --- scheduler events ---

    def _on_event(self, event: Any) -> None:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED

        if event.code == EVENT_JOB_ERROR:
            log.error("job %s failed with an unexpected %s: %s\n%s", event.job_id,
                      type(event.exception).__name__, event.exception, event.traceback or "",
                      extra={"job": event.job_id, "error": str(event.exception)})
        elif event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time,
                        extra={"job": event.job_id})
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.debug("job %s is still running; this run is skipped", event.job_id)
        else:
            self._note_lateness(event.job_id, event.scheduled_run_times[-1])

    def _note_lateness(self, job_id: str, run_time: datetime) -> None:
        """Log a run that comes late: polls missed while the host slept or the clock jumped are one run now.

        Coalescing hands the job only the last of the run times it missed, so the
        gap is measured from the run time the job had when it was last seen.
        """
        expected = self._expected.pop(job_id, None)
        spacing = self._scheduled.get(job_id)
        if expected is not None and spacing is not None:
            interval, jitter = spacing
            gap = (run_time - expected).total_seconds()
            if gap > interval / 2 + jitter:
                missed = max(1, round(gap / interval))
                log.warning("feed %s: %d scheduled polls missed since %s (host suspended, clock jumped or "
                            "overloaded); coalesced into one poll now", job_id, missed,
                            expected.isoformat(timespec="seconds"),
                            extra={"feed": job_id, "missed": missed, "since": expected.isoformat()})
                return
        late = (datetime.now(UTC) - run_time).total_seconds()
        if late > 60:
            log.info("job %s runs %.0f s late (host suspended or busy)", job_id, late, extra={"job": job_id})


def startup_summary(config: Config) -> str:
    """The one line ``monitor run`` logs at start: feeds, schedule, database, digest."""
    enabled = [f for f in config.feeds if f.enabled]
    custom = sum(1 for f in enabled if f.interval)
    schedule = config.schedule
    return (
        f"monitor run (pid {os.getpid()}): {len(enabled)} feeds"
        + (f" ({len(config.feeds) - len(enabled)} disabled in the config)" if len(enabled) < len(config.feeds) else "")
        + f", every {_duration(schedule.interval)}"
        + (f" ({custom} with their own interval)" if custom else "")
        + f", jitter {_duration(schedule.jitter_seconds)}, backoff up to {_duration(schedule.max_backoff)}, "
        f"{schedule.workers} workers; database {config.database}; lock {config.lock_path}; "
        f"digest {config.digest.schedule} ({config.digest.timezone}) to {', '.join(config.digest.channels) or 'nothing'}"
    )


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:g}s"


def run_daemon(config: Config, *, database_override: Path | None = None, deliver: Deliver | None = None) -> int:
    """``monitor run`` from the command line: signals wired, runs until SIGTERM/SIGINT."""
    daemon = Daemon(config, database_override=database_override, deliver=deliver)
    restore = daemon.install_signal_handlers()
    try:
        return daemon.run()
    finally:
        restore()
