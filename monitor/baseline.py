"""The seed baseline: the figures of the seed articles, read through the same detectors.

Built when a database has none yet (``ensure_baseline``), or on demand
(``monitor baseline --rebuild``). Every baseline figure keeps its provenance:
the seed file (``seed:000_….txt``) and the sentence.
"""

from __future__ import annotations

import importlib.resources
import logging
from datetime import datetime
from pathlib import Path

import pluggy
from sqlite_utils import Database

from .detect import detect_article
from .errors import ConfigError
from .records import Article, Figure
from .store import baseline_is_built, replace_baseline
from .wording import plural

log = logging.getLogger(__name__)


def seed_documents(seeds_dir: Path | None) -> list[tuple[str, str]]:
    """(source, text) for every ``*.txt`` seed, from ``seeds_dir`` or the shipped seeds."""
    if seeds_dir is not None:
        if not seeds_dir.is_dir():
            raise ConfigError(f"seeds_dir: {seeds_dir} is not a folder (point it at the seed articles)")
        files = sorted(seeds_dir.glob("*.txt"))
        return [(f"seed:{path.name}", path.read_text(encoding="utf-8")) for path in files]
    shipped = importlib.resources.files("monitor._seeds")
    entries = sorted((e for e in shipped.iterdir() if e.name.endswith(".txt")), key=lambda e: e.name)
    return [(f"seed:{entry.name}", entry.read_text(encoding="utf-8")) for entry in entries]


def detect_baseline(pm: pluggy.PluginManager, seeds_dir: Path | None) -> tuple[list[tuple[str, Figure]], list[str]]:
    """Every figure the detectors find in the seeds, with its seed, and the seeds read."""
    found: list[tuple[str, Figure]] = []
    sources = []
    for source, text in seed_documents(seeds_dir):
        sources.append(source)
        detection = detect_article(pm, Article(url=source, text=text, extracted_from="file"))
        found.extend((source, figure) for figure in detection.figures)
    return found, sources


def build_baseline(db: Database, pm: pluggy.PluginManager, *, seeds_dir: Path | None, now: datetime) -> int:
    """Replace the baseline with the seeds' figures; how many figures it now holds."""
    found, sources = detect_baseline(pm, seeds_dir)
    replace_baseline(db, found, sources=sources, now=now)
    log.info("baseline built: %s from %s", plural(len(found), "figure"), plural(len(sources), "seed article"))
    return len(found)


def ensure_baseline(db: Database, pm: pluggy.PluginManager, *, seeds_dir: Path | None, now: datetime) -> None:
    """Build the baseline if this database has none yet."""
    if not baseline_is_built(db):
        build_baseline(db, pm, seeds_dir=seeds_dir, now=now)
