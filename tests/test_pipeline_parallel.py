"""``schedule.processes``: pages fetched, extracted and detected in worker processes, stored by one writer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.fetch import Fetcher
from monitor.parallel import PagePool, process_count
from monitor.pipeline import check_once, poll_feed
from monitor.plugins import make_plugin_manager
from monitor.store import feed_state, open_store
from monitor.testing import write_config

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# A detector for these tests: "<N> parallel widgets" is a figure. On a page that says
# CRASH it kills the worker process it runs in (never the main one), as a segfault would.
PLUGIN = '''
import multiprocessing, os, re
from monitor import Figure, Metric, hookimpl

@hookimpl
def register_metrics():
    return [Metric(key="parallel_widgets", unit="widgets", description="widgets (tests)")]

@hookimpl
def detect(article):
    if "CRASH" in article.text and multiprocessing.parent_process() is not None:
        os._exit(3)
    return [Figure(metric="parallel_widgets", value=int(m.group(1)), quote=m.group(0))
            for m in re.finditer(r"(\\d+) parallel widgets", article.text)]
'''


def site(server, texts: list[str]) -> str:
    for n, text in enumerate(texts):
        server.add_article(f"Widgets {n}", [text, "More words about widgets and their delivery."],
                           path=f"/widgets-{n}")
    return server.feed_url()


def make_config(folder: Path, feed: str, *, processes: int):
    folder.mkdir()
    (folder / "plugins").mkdir()
    (folder / "plugins" / "widgets.py").write_text(PLUGIN)
    path = write_config(folder, feeds=[feed],
                        extra=f'plugins_dir = "plugins"\n[schedule]\nprocesses = {processes}\n')
    return load_config(path)


def stored(config) -> tuple[list, list]:
    with sqlite3.connect(config.database) as conn:
        articles = conn.execute(
            "SELECT id, entry_key, url, title, text, extracted_from FROM articles ORDER BY id").fetchall()
        figures = conn.execute(
            "SELECT article_id, metric, value, quote, detector FROM figures ORDER BY id").fetchall()
    return articles, figures


TEXTS = [f"The factory shipped {n * 100 + 7} parallel widgets this week." for n in range(6)]


def test_parallel_pipeline_stores_what_the_serial_one_stores(monitor_feed_server, tmp_path):
    feed = site(monitor_feed_server, TEXTS)
    serial = make_config(tmp_path / "serial", feed, processes=1)
    parallel = make_config(tmp_path / "parallel", feed, processes=2)

    assert check_once(serial, now=NOW).exit_code == 0
    assert check_once(parallel, now=NOW).exit_code == 0

    articles, figures = stored(parallel)
    assert (articles, figures) == stored(serial)
    assert [a[5] for a in articles] == ["page"] * 6
    assert [f[2] for f in figures] == [n * 100 + 7 for n in range(6)]


def test_a_worker_that_dies_costs_only_a_redo_of_its_articles(monitor_feed_server, tmp_path):
    texts = TEXTS[:2] + ["CRASH: 55 parallel widgets were lost."] + TEXTS[2:4]
    feed = site(monitor_feed_server, texts)
    serial = make_config(tmp_path / "serial", feed, processes=1)
    parallel = make_config(tmp_path / "parallel", feed, processes=2)

    check_once(serial, now=NOW)
    run = check_once(parallel, now=NOW)

    assert run.exit_code == 0
    articles, figures = stored(parallel)
    assert (articles, figures) == stored(serial)
    assert sorted(f[2] for f in figures) == [7, 55, 107, 207, 307]


class StopAfter(threading.Event):
    """A stop event that is set once ``is_set`` has been asked ``calls`` times."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.calls = calls

    def is_set(self) -> bool:
        self.calls -= 1
        if self.calls < 0:
            self.set()
        return super().is_set()


def test_stop_event_ends_a_parallel_poll_after_the_article_in_hand(monitor_feed_server, tmp_path):
    feed = site(monitor_feed_server, TEXTS)
    config = make_config(tmp_path / "parallel", feed, processes=2)
    db = open_store(config.database)
    with Fetcher(config.fetch) as fetcher, PagePool(config, processes=2) as pages:
        outcome = poll_feed(config.feeds[0], config=config, fetcher=fetcher, db=db,
                            pm=make_plugin_manager(config.plugins_dir), now=NOW, stop=StopAfter(2), pages=pages)
        state = feed_state(db, feed)
    db.close()

    assert outcome.stopped and outcome.new_articles == 2
    articles, figures = stored(config)
    assert [a[2].rsplit("/", 1)[1] for a in articles] == ["widgets-0", "widgets-1"]
    assert [f[2] for f in figures] == [7, 107]
    # a first poll cut short records nothing: due again at once, still a first poll, so the rest are not lost
    assert state.etag is None and state.next_due is None and state.last_success is None


@pytest.mark.parametrize(("setting", "expected"), [(1, 1), (3, 3)])
def test_process_count_takes_the_setting(setting, expected):
    assert process_count(setting) == expected


def test_process_count_zero_means_one_per_core():
    assert process_count(0) >= 1


def test_the_next_feed_is_fetched_and_handed_to_the_workers_while_this_one_waits(tmp_path, scripted_site,
                                                                                 wait_until):
    """With worker processes, feed two's entries are under way before feed one's last article is stored."""
    from monitor.testing import feed_xml, page_html

    html = {"Content-Type": "text/html; charset=utf-8"}
    feeds = []
    gate = None
    for name in ("one", "two"):
        entries = []
        for n in range(3):
            path = f"/{name}/{n}"
            body = page_html(f"{name} {n}", [f"Officials counted {n + 1} parallel widgets on the {name} site.",
                                             "More words about widgets and their delivery."])
            if (name, n) == ("one", 2):
                gate = scripted_site.block(path, body, headers=html)  # hangs until feed two is fetched
            else:
                scripted_site.serve(path, body, headers=html)
            entries.append({"title": f"{name} {n}", "link": scripted_site.url(path), "guid": path,
                            "description": "summary only"})
        feeds.append(scripted_site.serve(f"/{name}.xml", feed_xml(entries[::-1])))  # newest first: read 0, 1, 2
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "widgets.py").write_text(PLUGIN)
    config = load_config(write_config(tmp_path, feeds=feeds,
                                      extra='plugins_dir = "plugins"\n[schedule]\nprocesses = 2\n'))
    result: list = []
    runner = threading.Thread(target=lambda: result.append(check_once(config, now=NOW)))
    runner.start()
    try:
        wait_until(lambda: scripted_site.hits("/two.xml"), what="feed two fetched while feed one's page hangs")
    finally:
        gate.set()
        runner.join(60)
    assert not runner.is_alive()
    assert [o.new_articles for o in result[0].feeds] == [3, 3]
    articles, figures = stored(config)
    assert [a[5] for a in articles] == ["page"] * 6  # nothing fell back to the summary
    assert [a[2] for a in articles] == [scripted_site.url(f"/{name}/{n}") for name in ("one", "two")
                                        for n in range(3)]
    assert len(scripted_site.hits("/one/2")) == 1
