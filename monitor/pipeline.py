"""The pipeline: sources → fetch → extract → detect → store, for one feed or all.

Both drivers use it: ``monitor check`` (``check_once``) and the daemon
(``poll_feed`` per scheduled job). Every failure is per feed or per article:
it is recorded and logged, and the run carries on with the others.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

import pluggy
from sqlite_utils import Database

from .baseline import ensure_baseline
from .config import Config, FeedConfig
from .detect import detect_article
from .errors import ExtractError, FeedError, FetchError, HTTPStatusError, StoreWriteError
from .fetch import Fetcher, FetchResult
from .records import Article, Detection
from .sources import FeedEntry, check_xml_parser, parse_feed
from .store import (
    ensure_feed,
    feed_state,
    get_mark,
    iso,
    parse_iso,
    record_feed_failure,
    record_feed_success,
    save_article,
    set_mark,
    store_errors,
    stored_entry_keys,
)
from .wording import plural as _n

if TYPE_CHECKING:
    from .deliver import DeliveryOutcome
    from .parallel import PagePool, WorkAhead

log = logging.getLogger(__name__)

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(slots=True)
class FeedOutcome:
    """What one poll of one feed did."""

    feed: FeedConfig
    status: str = "ok"
    error: str | None = None
    new_articles: int = 0
    new_figures: int = 0
    skipped_entries: int = 0
    #: articles of a new feed's first poll published before ``digest.first_poll_window``: stored, no alerts
    background: int = 0
    failed_plugins: set[str] = field(default_factory=set)
    #: the stop event came before every new entry was stored; the rest wait for the next poll
    stopped: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class RunOutcome:
    """What a whole run did; ``problems`` are the one-line errors for stderr."""

    feeds: list[FeedOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    delivery: DeliveryOutcome | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def summary(self) -> str:
        """One line for the end of ``monitor check``."""
        failed = [f.feed.label for f in self.feeds if f.failed]
        articles = sum(f.new_articles for f in self.feeds)
        figures = sum(f.new_figures for f in self.feeds)
        line = f"{_n(len(self.feeds), 'feed')} polled, {_n(articles, 'new article')}, {_n(figures, 'figure')}"
        background = sum(f.background for f in self.feeds)
        if background:
            line += f" ({_n(background, 'older article')} of new feeds stored as background, without alerts)"
        if failed:
            line += f"; {len(failed)} failed: {', '.join(failed)}"
        return line

    def add(self, outcome: FeedOutcome) -> None:
        self.feeds.append(outcome)
        if outcome.error:
            self.problems.append(f"feed {outcome.feed.label} ({outcome.feed.url}): {outcome.error}")
        for name in sorted(outcome.failed_plugins):
            self.problems.append(f"plugin {name} failed on an article of feed {outcome.feed.label} (see log)")


#: a server's Retry-After is honoured up to a week: a longer one (or a date years away) cannot silence a feed
MAX_RETRY_AFTER = 7 * 86400.0


def next_poll(config: Config, feed: FeedConfig, *, now: datetime, failures: int = 0,
              retry_after: float | None = None, rng: random.Random | None = None) -> datetime:
    """When ``feed`` is due again: its interval, or a capped exponential backoff after failures."""
    interval = config.interval_for(feed)
    if failures:
        delay = min(interval * 2 ** (failures - 1), config.schedule.max_backoff)
        delay *= 1 + (rng or random).uniform(0, 0.25)  # spread retries of feeds that failed together
        delay = min(max(delay, interval), config.schedule.max_backoff * 1.25)
    else:
        delay = interval
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + timedelta(seconds=delay)


def is_due(db: Database, feed: FeedConfig, *, now: datetime) -> bool:
    """True when ``feed`` was never polled or its next due time has come (and it is not disabled)."""
    state = feed_state(db, feed.url)
    if state is None:
        return True
    if state.disabled:
        return False
    return state.next_due is None or state.next_due <= now


def poll_feed(feed: FeedConfig, *, config: Config, fetcher: Fetcher, db: Database, pm: pluggy.PluginManager,
              now: datetime, stop: threading.Event | None = None, pages: PagePool | None = None) -> FeedOutcome:
    """Poll one feed: fetch it, store every new entry's article with its findings, update its state.

    With ``pages``, the new entries' pages are fetched, extracted and detected in its worker processes.
    """
    poll = start_poll(feed, config=config, fetcher=fetcher, db=db, now=now, pages=pages)
    return finish_poll(poll, config=config, fetcher=fetcher, db=db, pm=pm, now=now, stop=stop)


@dataclass(slots=True)
class Poll:
    """A poll begun by ``start_poll``: the feed fetched and parsed, its new entries' work submitted."""

    outcome: FeedOutcome
    feed_id: int
    failures: int = 0
    result: FetchResult | None = None
    error: FetchError | FeedError | None = None
    new: list[FeedEntry] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    ahead: WorkAhead | None = None
    #: a first poll: entries published before this are background (no alerts)
    quiet_before: datetime | None = None

    def abandon(self) -> None:
        """Cancel the work submitted for entries not yet stored (nothing was written for them)."""
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None


def start_poll(feed: FeedConfig, *, config: Config, fetcher: Fetcher, db: Database, now: datetime,
               pages: PagePool | None = None) -> Poll:
    """Fetch and parse ``feed`` and hand its new entries to the workers; ``finish_poll`` stores them.

    ``run_check`` starts the next feed's poll before it finishes the current one, so that the
    worker processes are never idle while the main process stores.
    """
    state = feed_state(db, feed.url)
    poll = Poll(outcome=FeedOutcome(feed=feed), feed_id=ensure_feed(db, feed.url, name=feed.name),
                failures=state.consecutive_failures if state else 0)
    try:
        poll.result = fetcher.get(feed.url, etag=state.etag if state else None,
                                  last_modified=state.last_modified if state else None, accept=FEED_ACCEPT)
        if poll.result.not_modified:
            poll.outcome.status = "not modified"
            return poll
        parsed = parse_feed(poll.result.body, url=feed.url, content_type=poll.result.content_type,
                            content_location=poll.result.content_location,
                            max_entries=config.fetch.max_entries_per_feed)
    except (FetchError, FeedError) as exc:
        poll.error = exc
        return poll
    except Exception as exc:  # a bug met on hostile input fails this feed, not the run
        log.exception("feed %s: unexpected %s while fetching or parsing it", feed.label, type(exc).__name__)
        poll.error = FeedError(feed.url, f"unexpected {type(exc).__name__} while reading the feed: {exc}")
        return poll
    poll.outcome.skipped_entries = parsed.skipped
    if parsed.skipped:
        log.warning("feed %s: %d entries over the cap of %d were not processed", feed.label,
                    parsed.skipped, config.fetch.max_entries_per_feed)
    # A new feed's back catalogue is not news: only its recent entries may raise alerts.
    if state is None or state.last_success is None:
        poll.quiet_before = now - timedelta(seconds=config.digest.first_poll_window)
    poll.known = stored_entry_keys(db, (e.key for e in parsed.entries))
    poll.new = list({e.key: e for e in reversed(parsed.entries) if e.key not in poll.known}.values())[::-1]
    # Oldest first, so that a figure is compared with what was reported before it. Undated entries come
    # last, in the reverse of the feed's order (feeds list the newest first).
    order = {id(e): position for position, e in enumerate(poll.new)}
    poll.new.sort(key=lambda e: (e.published is None, e.published or now,
                                 -order[id(e)] if e.published is None else 0))
    poll.ahead = _work_ahead(poll.new, config=config, fetcher=fetcher, pages=pages, feed_url=feed.url)
    if poll.ahead is not None:
        poll.ahead.get(0)  # the first window goes to the workers now
    return poll


def finish_poll(poll: Poll, *, config: Config, fetcher: Fetcher, db: Database, pm: pluggy.PluginManager,
                now: datetime, stop: threading.Event | None = None) -> FeedOutcome:
    """Store the new entries of a started poll, in order, then the feed's state."""
    outcome, feed = poll.outcome, poll.outcome.feed
    if poll.error is not None:
        return _record_failure(outcome, poll.error, config=config, db=db, now=now, failures=poll.failures)
    try:
        _store_new_entries(poll, config=config, fetcher=fetcher, db=db, pm=pm, now=now, stop=stop)
    finally:
        poll.abandon()
    if outcome.background:
        log.info("feed %s: first poll: %s published before %s stored as background, "
                 "without alerts (digest.first_poll_window)", feed.label, _n(outcome.background, "article"),
                 poll.quiet_before.isoformat(timespec="minutes") if poll.quiet_before else "?",
                 extra={"feed": feed.url, "background": outcome.background})
    if outcome.stopped and poll.quiet_before is not None:
        # A first poll cut short stays a first poll: the back catalogue it did not reach must not alert.
        log.info("feed %s: first poll stopped after %s; it starts again next time", feed.label,
                 _n(outcome.new_articles, "article"), extra={"feed": feed.url, "articles": outcome.new_articles})
        return outcome
    # A poll cut short by the stop event keeps the old validators and is due at once,
    # so a conditional GET cannot hide the entries it did not reach.
    result = poll.result
    not_modified = outcome.status == "not modified"
    keep_validators = result is None or not_modified or outcome.stopped
    record_feed_success(
        db, feed.url, now=now, status=outcome.status,
        etag=None if keep_validators else result.etag,
        last_modified=None if keep_validators else result.last_modified,
        next_due=now if outcome.stopped else next_poll(config, feed, now=now),
        skipped=None if not_modified else outcome.skipped_entries,  # a 304 says nothing of the entries
    )
    log.info("feed %s: %s, %s, %s", feed.label, outcome.status,
             _n(outcome.new_articles, "new article"), _n(outcome.new_figures, "figure"),
             extra={"feed": feed.url, "status": outcome.status, "articles": outcome.new_articles,
                    "figures": outcome.new_figures})
    return outcome


def _record_failure(outcome: FeedOutcome, exc: Exception, *, config: Config, db: Database, now: datetime,
                    failures: int) -> FeedOutcome:
    retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
    gone = isinstance(exc, HTTPStatusError) and exc.status == 410
    reason = getattr(exc, "reason", str(exc))
    if gone:
        reason += " (feed gone: disabled; remove it from the config or re-add it)"
    outcome.status, outcome.error = "error", reason
    count = record_feed_failure(
        db, outcome.feed.url, now=now, error=reason, disable=gone,
        next_due=next_poll(config, outcome.feed, now=now, failures=failures + 1, retry_after=retry_after),
    )
    log.warning("feed %s failed: %s (%d in a row)", outcome.feed.label, reason, count,
                extra={"feed": outcome.feed.url, "error": reason, "failures": count})
    return outcome


def _store_new_entries(poll: Poll, *, config: Config, fetcher: Fetcher, db: Database, pm: pluggy.PluginManager,
                       now: datetime, stop: threading.Event | None) -> None:
    outcome = poll.outcome
    for index, entry in enumerate(poll.new):
        if stop is not None and stop.is_set():
            log.info("feed %s: stopping before the next article", outcome.feed.label)
            outcome.stopped = True
            return
        article, detection = _detected_article(entry, poll.ahead.get(index) if poll.ahead else None,
                                               fetcher=fetcher, config=config, pm=pm, feed_url=outcome.feed.url)
        _save_found(db, article, detection, outcome, known=poll.known, feed_id=poll.feed_id, entry=entry,
                    now=now, quiet_before=poll.quiet_before)


def _save_found(db: Database, article: Article, detection: Detection, outcome: FeedOutcome, *, known: set[str],
                feed_id: int, entry: FeedEntry, now: datetime, quiet_before: datetime | None = None) -> None:
    outcome.failed_plugins.update(detection.failed_plugins)
    # Only the feed's own date counts: a page's date may be a guess (a copyright year), and an undated
    # entry cannot be told old, so it may alert.
    published = entry.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    background = quiet_before is not None and published is not None and published < quiet_before
    if save_article(db, article, detection, feed_id=feed_id, entry_key=entry.key, now=now,
                    alert=not background) is not None:
        known.add(entry.key)
        outcome.new_articles += 1
        outcome.new_figures += len(detection.figures)
        outcome.background += background


def _work_ahead(new: list[FeedEntry], *, config: Config, fetcher: Fetcher, pages: PagePool | None,
                feed_url: str) -> WorkAhead | None:
    """Futures for the entries ahead of the one being stored: whole articles from the worker
    processes of ``pages``, else their pages fetched by a few threads while this one extracts."""
    from .parallel import WorkAhead

    if len(new) < 2:
        return None
    if pages is not None:
        return WorkAhead(new, lambda e: pages.submit(e, feed_url=feed_url), window=16 * pages.processes)
    if config.fetch.fetch_pages:
        return WorkAhead.threads(new, lambda e: fetch_page(e, fetcher=fetcher, config=config))
    return None


def _detected_article(entry: FeedEntry, future: Future | None, *, fetcher: Fetcher, config: Config,
                      pm: pluggy.PluginManager, feed_url: str) -> tuple[Article, Detection]:
    """The entry's article and findings: from its worker's ``future`` (or its prefetched page), or here."""
    page = None
    if future is not None:
        try:
            found = future.result()
        except Exception as exc:  # a worker died or its result did not pickle: redo this one here
            log.error("article %s: worker process failed (%s: %s); processing it in the main process",
                      entry.link or entry.key, exc.__class__.__name__, exc)
        else:
            if isinstance(found, tuple):
                return found
            page = found
    article = article_for_entry(entry, fetcher=fetcher, config=config, feed_url=feed_url, page=page)
    return article, detect_article(pm, article)


def fetch_page(entry: FeedEntry, *, fetcher: Fetcher, config: Config) -> FetchResult | FetchError | None:
    """The entry's page, the ``FetchError`` that prevented it, or None when pages are not fetched."""
    if not (entry.link and config.fetch.fetch_pages):
        return None
    try:
        return fetcher.get(entry.link, accept=PAGE_ACCEPT)
    except FetchError as exc:
        return exc


def article_for_entry(entry: FeedEntry, *, fetcher: Fetcher, config: Config, feed_url: str,
                      page: FetchResult | FetchError | None = None) -> Article:
    """The entry's page (``page`` if fetched already) extracted, or its summary when the page cannot be had."""
    from .extract import extract_page

    if entry.link and config.fetch.fetch_pages:
        try:
            page = page or fetcher.get(entry.link, accept=PAGE_ACCEPT)
            if isinstance(page, FetchError):
                raise page
            article = extract_page(page.body, url=page.url, fallback_title=entry.title)
            return Article(
                url=entry.link, text=article.text, title=entry.title or article.title,
                published=entry.published or article.published, language=article.language,
                canonical_url=article.canonical_url, feed_url=feed_url, entry_key=entry.key,
                extracted_from="page",
            )
        except (FetchError, ExtractError) as exc:
            log.warning("article %s: %s; using the feed's summary", entry.link, exc)
    text = entry.summary or entry.title
    return Article(url=entry.link or feed_url, text=text, title=entry.title, published=entry.published,
                   feed_url=feed_url, entry_key=entry.key, extracted_from="summary")


def run_check(config: Config, *, fetcher: Fetcher, db: Database, pm: pluggy.PluginManager, now: datetime,
              all_feeds: bool = False, stop: threading.Event | None = None,
              pages: PagePool | None = None) -> RunOutcome:
    """Poll every due feed (every enabled feed with ``all_feeds``) once.

    With worker processes (``pages``), the next due feed is fetched and its entries handed to the
    workers before the current feed's articles are stored, so the workers never wait on the writer.
    """
    run = RunOutcome()
    waiting: Poll | None = None  # started, its articles not stored yet

    def finish(poll: Poll) -> None:
        with store_errors(config.database, doing=f"polling feed {poll.outcome.feed.label}"):
            run.add(finish_poll(poll, config=config, fetcher=fetcher, db=db, pm=pm, now=now, stop=stop))

    try:
        for feed in config.feeds:
            if stop is not None and stop.is_set():
                break
            with store_errors(config.database, doing=f"polling feed {feed.label}"):
                if not feed.enabled or not (all_feeds or is_due(db, feed, now=now)):
                    continue
                poll = start_poll(feed, config=config, fetcher=fetcher, db=db, now=now, pages=pages)
            if pages is None:
                finish(poll)
                continue
            previous, waiting = waiting, poll
            if previous is not None:
                finish(previous)
        if waiting is not None:
            previous, waiting = waiting, None
            finish(previous)  # after a stop, it stores nothing and is due again at once
    except StoreWriteError as exc:
        # a full disk fails every later feed too: stop here, the next run retries them
        log.error("%s; feeds after it were not polled", exc)
        run.problems.append(str(exc))
    finally:
        if waiting is not None:
            waiting.abandon()
    return run


def check_once(config: Config, *, now: datetime, all_feeds: bool = False, wait: float = 0.0,
               stop: threading.Event | None = None) -> RunOutcome:
    """``monitor check``: take the lock, poll, and release."""
    from .lock import hold_lock
    from .plugins import LazyPluginManager
    from .store import open_store

    check_xml_parser()
    pm = cast("pluggy.PluginManager", LazyPluginManager(config.plugins_dir))
    with hold_lock(config.lock_path, wait=wait, command="monitor check"):
        db = open_store(config.database)
        try:
            ensure_baseline(db, pm, seeds_dir=config.seeds_dir, now=now)
            with Fetcher(config.fetch) as fetcher, _page_pool(config) as pages:
                outcome = run_check(config, fetcher=fetcher, db=db, pm=pm, now=now, all_feeds=all_feeds,
                                    stop=stop, pages=pages)
            due, scheduled = _digest_due(config, db, now)
            if due:
                outcome.delivery = deliver_pending(config, db, pm, now=now)
                outcome.problems.extend(outcome.delivery.problems)
                if scheduled is not None and not outcome.delivery.problems:
                    set_mark(db, SCHEDULED_MARK, iso(scheduled))  # this scheduled time is handled
            return outcome
        finally:
            db.close()


#: the name of the mark holding the last scheduled digest time that ``check`` delivered for
SCHEDULED_MARK = "digest.last_scheduled"


def _digest_due(config: Config, db: Database, now: datetime) -> tuple[bool, datetime | None]:
    """Whether ``check`` delivers now, and the scheduled time it delivers for: always with
    ``digest.schedule = "immediate"`` (no scheduled time), else once a scheduled time has passed
    since the last one a delivery was made for."""
    from .schedule import cron_trigger, last_scheduled, next_scheduled

    trigger = cron_trigger(config.digest.schedule, config.digest.timezone, label=config.path.name)
    if trigger is None:
        return True, None
    scheduled = last_scheduled(trigger, now)
    done = get_mark(db, SCHEDULED_MARK)
    if scheduled is not None and (done is None or parse_iso(done) < scheduled):
        return True, scheduled
    upcoming = next_scheduled(trigger, now)
    log.info("digest: next delivery at %s (digest.schedule %r); pending alerts wait for it",
             upcoming.isoformat(timespec="minutes") if upcoming else "?", config.digest.schedule)
    return False, None


def deliver_pending(config: Config, db: Database, pm: pluggy.PluginManager, *, now: datetime) -> DeliveryOutcome:
    """Deliver the pending alerts on every configured channel (for ``check``, ``digest --send``, the daemon)."""
    from .deliver import deliver_pending as deliver

    return deliver(config, db, pm, now=now)


def _page_pool(config: Config) -> contextlib.AbstractContextManager[PagePool | None]:
    """Worker processes for pages when ``schedule.processes`` asks for more than one, else nothing."""
    from .parallel import PagePool, process_count

    processes = process_count(config.schedule.processes)
    return PagePool(config, processes=processes) if processes > 1 else contextlib.nullcontext()
