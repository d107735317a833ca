"""The plugin contract: every hook a plugin may implement.

A plugin is a module (a file in ``plugins/`` or an installed package under the
``monitor`` entry-point group) with functions decorated ``@hookimpl`` and named
as the hooks below. An implementation may take fewer arguments than its spec
(pluggy's opt-in arguments), so new arguments are only ever added at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .records import Article, Channel, Figure, Mention, Metric

hookspec = pluggy.HookspecMarker("monitor")
hookimpl = pluggy.HookimplMarker("monitor")


@hookspec
def register_metrics() -> list[Metric]:
    """Return the metrics this plugin reports (key, unit, description).

    Called once when the plugin manager is built. Two plugins declaring the same
    key with different units is an error at start-up that names both.
    """


@hookspec
def transform_article(article: Article) -> Article | None:
    """Return a changed copy of ``article`` before detection, or None to leave it.

    Called once per article, before ``detect``, in plugin order; each plugin
    sees the previous one's result. Use it to clean text (drop boilerplate,
    normalise quotes); do no I/O.
    """


@hookspec
def detect(article: Article) -> list[Figure | Mention]:
    """Return the figures and mentions in one article, or [] for none.

    Called once per article, in no set order. Do no I/O and do not change
    ``article``. Leave ``Figure.detector`` and ``Mention.detector`` empty; the
    host fills them with the plugin's name. A plugin that raises is logged with
    its name and the article's URL; the other plugins still run and the article
    is still stored.
    """


@hookspec
def register_channels() -> list[Channel]:
    """Return the digest delivery channels this plugin adds (webhook, chat…).

    Called when digests are delivered. Each ``Channel`` has a ``name`` (what
    ``digest.channels`` in the config lists) and ``deliver(digest, config)``,
    which sends one ``Digest`` (subject, markdown, html, text, alerts, failing
    feeds) and returns a short note or raises ``DeliveryError``. The digest's
    alerts are marked delivered on the channel only when ``deliver`` returns, so
    a failure is retried on the next run; use ``digest.key`` to recognise a
    retry of the same digest. A name already taken (``file``, ``stdout``,
    ``email`` or another plugin's) is an error that names both.
    """
