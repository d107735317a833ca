"""Work ahead of the writer: pages prefetched by threads, or whole articles done in worker processes.

``monitor check`` with ``schedule.processes`` other than 1 hands each new
entry to a ``concurrent.futures.ProcessPoolExecutor``. A worker fetches the
page with its own ``Fetcher``, extracts it and runs the detectors with a plugin
manager built once per worker (from ``config.plugins_dir``, as ``check_once``
builds the main one), and sends back the picklable ``Article`` and
``Detection``. The main process stays the only writer of SQLite: it stores the
results in the feed's entry order, one transaction per article. Nothing here
touches the database. With one process, ``WorkAhead.threads`` still fetches the
next pages while the current one is extracted.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pluggy

    from .config import Config
    from .fetch import Fetcher
    from .records import Article, Detection
    from .sources import FeedEntry

log = logging.getLogger(__name__)

#: threads fetching the next pages while the main process extracts one (``schedule.processes = 1``)
PREFETCH_THREADS = 2

# One per worker process, set by ``_start_worker``.
_worker: tuple[Config, Fetcher, pluggy.PluginManager] | None = None


def process_count(setting: int) -> int:
    """The number of worker processes for ``schedule.processes`` (0: one per CPU core)."""
    if setting > 0:
        return setting
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(config: Config) -> None:
    global _worker
    from .fetch import Fetcher
    from .plugins import make_plugin_manager

    _worker = (config, Fetcher(config.fetch), make_plugin_manager(config.plugins_dir))


def _article_in_worker(entry: FeedEntry, feed_url: str) -> tuple[Article, Detection]:
    from .detect import detect_article
    from .pipeline import article_for_entry

    assert _worker is not None, "the pool's initializer did not run"
    config, fetcher, pm = _worker
    article = article_for_entry(entry, fetcher=fetcher, config=config, feed_url=feed_url)
    return article, detect_article(pm, article)


class PagePool:
    """A lazily started pool of worker processes that turn feed entries into detected articles.

    Use as a context manager; ``submit`` starts the workers on first use. A
    pool whose worker died (``BrokenProcessPool``) is replaced on the next
    ``submit``; the articles it had in hand are redone by the caller.
    """

    def __init__(self, config: Config, *, processes: int) -> None:
        self.config = config
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, entry: FeedEntry, *, feed_url: str) -> Future[tuple[Article, Detection]]:
        """The future (article, detection) of ``entry``, computed in a worker process."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._pool().submit(_article_in_worker, entry, feed_url)
        except BrokenProcessPool:  # a worker died just now: one more try on a new pool
            return self._pool().submit(_article_in_worker, entry, feed_url)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is not None and getattr(self._executor, "_broken", False):
            log.warning("a worker process died; starting new ones")
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes, mp_context=_context(),
                initializer=_start_worker, initargs=(self.config,),
            )
        return self._executor


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: no fork of a process holding threads and an SQLite handle, and,
    # with the heavy imports preloaded, cheaper workers than spawn
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["monitor.parallel", "monitor.pipeline", "monitor.extract", "trafilatura"])
        return context
    return multiprocessing.get_context("spawn")


class WorkAhead:
    """Futures for a list of entries, submitted at most ``window`` ahead of the one asked for.

    ``get(i)`` tops the window up and returns entry ``i``'s future; ``close``
    cancels what was not started (the stop event) and shuts down owned threads.
    """

    def __init__(self, entries: list[FeedEntry], submit: Callable[[FeedEntry], Future], *, window: int,
                 owned: ThreadPoolExecutor | None = None) -> None:
        self.entries = entries
        self.submit = submit
        self.window = max(window, 1)
        self.futures: list[Future] = []
        self.owned = owned

    @classmethod
    def threads(cls, entries: list[FeedEntry], fetch: Callable[[FeedEntry], object], *,
                threads: int = PREFETCH_THREADS) -> WorkAhead:
        """Pages fetched by a few threads (I/O: they wait on the network, not the GIL)."""
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="monitor-prefetch")
        return cls(entries, lambda entry: executor.submit(fetch, entry), window=2 * threads, owned=executor)

    def get(self, index: int) -> Future:
        while len(self.futures) < min(index + 1 + self.window, len(self.entries)):
            self.futures.append(self.submit(self.entries[len(self.futures)]))
        return self.futures[index]

    def close(self) -> None:
        for future in self.futures:
            future.cancel()
        if self.owned is not None:
            self.owned.shutdown(wait=True, cancel_futures=True)
