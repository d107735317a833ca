"""Memory: RSS while 10,000 generated articles go through detect and store; database size.

Articles are templated from varied sentences (numbers, places; one in ten
carries figures the detectors look for), detected with the built-in plugins and stored with
``save_article`` in one SQLite file, in this process. At 1k, 5k and 10k articles
``/proc/self/status`` gives the current RSS (``VmRSS``) and the peak (``VmHWM``),
the peak being restarted when the benchmark begins (``/proc/self/clear_refs``) so that
earlier benchmarks in the same process do not count; flat means the peak at 10k is
within 10 % of the peak at 1k.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .common import Result, Target, peak_rss_mb, reset_peak_rss, rss_mb

ON_TOPIC = [
    "North Korea has sent about {n:,} troops to Russia's Kursk region, officials in {place} said.",
    "At least {n} soldiers were killed and {m} wounded, according to the {agency}.",
    "Pyongyang shipped another {n:,} containers of munitions by rail last {month}.",
    "The ministry said {n:,} workers had arrived on student visas in {place}.",
]
OFF_TOPIC = [
    "Local markets in {place} reported prices up {p} percent since {month}.",
    "Analysts at the {agency} counted {m} product launches this year, up from {p}.",
    "Weather in {place} stayed mild, with {p} millimetres of rain over the weekend.",
    "The city council in {place} approved {n:,} new housing units in {month}.",
]
#: one article in ten is about the story (a feed of general news)
ON_TOPIC_EVERY = 10
PLACES = ["Seoul", "Tokyo", "Kyiv", "Washington", "Vladivostok", "Brussels", "Pyongyang"]
AGENCIES = ["NIS", "Pentagon", "Ukrainian intelligence", "UN panel", "think tank CSIS"]
MONTHS = ["January", "March", "May", "August", "October", "December"]


def article_text(rng: random.Random, n: int) -> str:
    sentences = ON_TOPIC + OFF_TOPIC if n % ON_TOPIC_EVERY == 0 else OFF_TOPIC
    picks = [rng.choice(sentences).format(n=rng.randint(100, 20000), m=rng.randint(2, 900),
                                          p=rng.randint(1, 60), place=rng.choice(PLACES),
                                          agency=rng.choice(AGENCIES), month=rng.choice(MONTHS))
             for _ in range(rng.randint(8, 30))]
    return f"Report {n}. " + " ".join(picks)


def run(*, quick: bool) -> Result:
    from monitor.detect import detect_article
    from monitor.plugins import make_plugin_manager
    from monitor.records import Article
    from monitor.store import open_store, save_article

    result = Result("memory", "Memory and database size", __doc__.split("\n\n", 1)[1])
    total = 1000 if quick else 10_000
    marks = {total // 10, total // 2, total}
    rng = random.Random(8)
    pm = make_plugin_manager(None, entry_points=False)
    rows = []
    peak_restarted = reset_peak_rss()
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        path = Path(tmp) / "memory.db"
        db = open_store(path)
        now = datetime.now(UTC)
        figures = 0
        for n in range(1, total + 1):
            article = Article(url=f"https://news.example/{n}", title=f"Report {n}", text=article_text(rng, n),
                              extracted_from="page")
            detection = detect_article(pm, article)
            figures += len(detection.figures)
            save_article(db, article, detection, feed_id=None, entry_key=f"mem-{n}", now=now)
            if n in marks:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                size = path.stat().st_size
                rows.append({"articles": n, "rss_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1),
                             "figures_stored": figures,
                             "db_mb": round(size / 1e6, 2), "db_kb_per_1000_articles": round(size / n, 1)})
        db.close()
    result.tables.append(("RSS and database size as articles are stored", rows))
    if peak_restarted:
        growth = rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"]
        result.targets.append(Target(f"peak RSS at {total:,} / peak RSS at {total // 10:,} articles", "<= 1.10",
                                     round(growth, 3), growth <= 1.10))
    else:  # the peak may be an earlier benchmark's: judge by the current RSS and say so
        growth = rows[-1]["rss_mb"] / rows[0]["rss_mb"]
        result.targets.append(Target(f"RSS at {total:,} / RSS at {total // 10:,} articles", "<= 1.10",
                                     round(growth, 3), growth <= 1.10,
                                     "current RSS: the peak could not be restarted (no /proc/self/clear_refs)"))
        result.notes.append("peak_rss_mb is the whole process's peak, earlier benchmarks included: "
                            "/proc/self/clear_refs could not restart it")
    result.notes.append(f"database: {rows[-1]['db_kb_per_1000_articles']:,} kB per 1,000 articles "
                        "(generated texts are shorter than real pages; see the pipeline benchmark for those)")
    return result
