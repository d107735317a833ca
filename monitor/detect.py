"""Detect stage: run every detector plugin on one article.

Pure: an article in, a ``Detection`` out; no I/O. Each implementation is called
on its own so that every figure is tagged with the plugin that found it and a
plugin that raises is named in the log while the others still run.
"""

from __future__ import annotations

import dataclasses
import logging

import pluggy

from .records import Article, Detection, Figure, Mention, Qualifier

log = logging.getLogger(__name__)


def prepare_article(pm: pluggy.PluginManager, article: Article) -> tuple[Article, list[str]]:
    """``article`` after every ``transform_article`` hook, and the plugins that raised."""
    failed = []
    for impl in reversed(pm.hook.transform_article.get_hookimpls()):
        try:
            changed = impl.function(article=article)
        except Exception as exc:  # a plugin's bug must not stop the run
            log.error("plugin %s failed on %s: %s: %s", impl.plugin_name, article.url,
                      exc.__class__.__name__, exc)
            failed.append(impl.plugin_name)
            continue
        if changed is not None:
            article = changed
    return article, failed


def detect_article(
    pm: pluggy.PluginManager, article: Article, *, only: tuple[str, ...] = ()
) -> Detection:
    """Every figure and mention the plugins find in ``article`` (``only``: these plugins)."""
    article, failed = prepare_article(pm, article)
    figures: list[Figure] = []
    mentions: list[Mention] = []
    seen: dict[tuple, int] = {}
    for impl in reversed(pm.hook.detect.get_hookimpls()):
        if only and impl.plugin_name not in only:
            continue
        try:
            found = list(impl.function(article=article) or [])
        except Exception as exc:  # a plugin's bug must not stop the run
            log.error("plugin %s failed on %s: %s: %s", impl.plugin_name, article.url,
                      exc.__class__.__name__, exc)
            failed.append(impl.plugin_name)
            continue
        for item in found:
            if isinstance(item, Figure):
                key = (item.metric, item.value, item.value_max, item.increment)
                item = item if item.detector else item.tagged(impl.plugin_name)
                if key in seen:  # the same figure twice in one article is one figure
                    # a headline's bare "6,000 casualties" and the body's "around 6,000": the
                    # hedged one says more, and keeps the first one's place
                    kept = figures[seen[key]]
                    if kept.qualifier is Qualifier.EXACT and item.qualifier is not Qualifier.EXACT:
                        figures[seen[key]] = item
                    continue
                seen[key] = len(figures)
                figures.append(item)
            elif isinstance(item, Mention):
                mentions.append(dataclasses.replace(item, detector=item.detector or impl.plugin_name))
            else:
                log.error("plugin %s returned %r, not a Figure or Mention", impl.plugin_name, item)
                failed.append(impl.plugin_name)
    return Detection(figures=tuple(figures), mentions=tuple(mentions), failed_plugins=tuple(failed))
