"""Helpers for tests, ours and plugin authors': build articles, run detectors, assert figures.

::

    from monitor.testing import assert_figures

    def test_finds_pantsir_transfer():
        assert_figures("Russia gave at least one Pantsir system to Pyongyang.",
                       [("pantsir_to_dprk", 1, "at_least")], plugins=["pantsir"])

``plugins`` takes plugin names (built-in, or installed through the ``monitor``
entry-point group), paths of plugin files (``"plugins/pantsir.py"``) or
imported plugin modules. The pytest fixtures ``monitor_db`` and
``monitor_feed_server`` come with the package (``monitor._pytest_plugin``).
See docs/plugins.md.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

import pluggy

from .detect import detect_article
from .errors import PluginError
from .plugins import make_plugin_manager
from .records import Article, Detection, Figure

__all__ = [
    "FeedServer",
    "assert_figures",
    "detect_in_text",
    "feed_xml",
    "figure_keys",
    "free_port",
    "make_article",
    "monitor_command",
    "page_html",
    "plugin_manager_for",
    "scan_text",
    "seed_articles",
    "write_config",
]

#: what ``plugins=`` accepts: a plugin's name, a plugin file's path, or a plugin module
PluginRef = str | Path | ModuleType


def make_article(text: str, **fields: object) -> Article:
    """An Article holding ``text``; other fields (url, title, published…) may be given."""
    fields.setdefault("url", "https://example.com/article")
    fields.setdefault("extracted_from", "file")
    return Article(text=text, **fields)  # type: ignore[arg-type]


def _is_path(plugin: PluginRef) -> bool:
    return isinstance(plugin, Path) or (isinstance(plugin, str) and plugin.endswith(".py"))


def _plugin_name(plugin: PluginRef) -> str:
    """The name a plugin reference is registered under (a file's or module's last name part)."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__.rsplit(".", 1)[-1]
    return Path(plugin).stem if _is_path(plugin) else str(plugin)


def plugin_manager_for(
    plugins: Sequence[PluginRef] = (), *, builtins: bool = True, entry_points: bool | None = None
) -> pluggy.PluginManager:
    """A plugin manager with the built-ins and ``plugins`` (names, file paths or modules).

    Installed plugins (the ``monitor`` entry-point group) are loaded only when
    ``entry_points`` is true, or, by default, when a name in ``plugins`` is not
    found otherwise. A name that no plugin has is a ``PluginError``.
    """
    paths = tuple(Path(p) for p in plugins if _is_path(p))
    modules = tuple(p for p in plugins if isinstance(p, ModuleType))
    names = {_plugin_name(p) for p in plugins}
    pm = make_plugin_manager(None, builtins=builtins, entry_points=bool(entry_points),
                             extra_paths=paths, extra_modules=modules)
    if entry_points is None and not names <= _loaded_names(pm):
        pm = make_plugin_manager(None, builtins=builtins, entry_points=True,
                                 extra_paths=paths, extra_modules=modules)
    missing = names - _loaded_names(pm)
    if missing:
        raise PluginError(f"no plugin named {', '.join(sorted(missing))} "
                          f"(loaded: {', '.join(sorted(_loaded_names(pm)))})")
    return pm


def _loaded_names(pm: pluggy.PluginManager) -> set[str]:
    return {name for name, plugin in pm.list_name_plugin() if plugin is not None}


def scan_text(
    text: str, *, plugins: Sequence[PluginRef] = (), pm: pluggy.PluginManager | None = None, **fields: object
) -> Detection:
    """Everything the plugins find in ``text``, as ``monitor scan`` would.

    With ``plugins`` only those plugins' findings are returned (the others are
    loaded but left out); without, every plugin's. ``fields`` go to ``make_article``.
    """
    pm = pm or plugin_manager_for(plugins)
    names = tuple(_plugin_name(p) for p in plugins)
    return detect_article(pm, make_article(text, **fields), only=names)


def detect_in_text(text: str, *, plugins: Sequence[PluginRef] = (), **fields: object) -> list[Figure]:
    """The figures the plugins find in ``text`` (see ``scan_text``)."""
    return list(scan_text(text, plugins=plugins, **fields).figures)


def figure_keys(figures: Iterable[Figure]) -> list[tuple[str, int | float, str]]:
    """(metric, value, qualifier) of each figure, for short assertions."""
    return [(f.metric, f.value, str(f.qualifier)) for f in figures]


def assert_figures(
    text: str,
    expected: Iterable[tuple[str, int | float, str]],
    *,
    plugins: Sequence[PluginRef] = (),
    pm: pluggy.PluginManager | None = None,
    **fields: object,
) -> list[Figure]:
    """Check that the plugins find exactly ``expected`` (metric, value, qualifier) in ``text``.

    Order does not matter; a missing or extra figure fails with a message that
    lists both sides, with each found figure's plugin and sentence. A plugin
    that raises fails the assertion too. Returns the figures for further checks.
    """
    detection = scan_text(text, plugins=plugins, pm=pm, **fields)
    wanted = sorted((metric, value, str(qualifier)) for metric, value, qualifier in expected)
    found = list(detection.figures)
    if sorted(figure_keys(found)) == wanted and not detection.failed_plugins:
        return found
    lines = [f"figures differ in: {_shorten(text, 160)!r}", "expected:"]
    lines += [f"  {key!r}" for key in wanted] or ["  (none)"]
    lines.append("found:")
    lines += [f"  {key!r}  [{f.detector}] {_shorten(f.quote, 100)!r}"
              for key, f in sorted(zip(figure_keys(found), found), key=lambda pair: pair[0])] or ["  (none)"]
    wanted_set, found_set = set(wanted), set(figure_keys(found))
    lines += [f"missing: {key!r}" for key in wanted if key not in found_set]
    lines += [f"unexpected: {key!r}" for key in sorted(found_set - wanted_set)]
    if detection.failed_plugins:
        lines.append(f"plugins that raised (see the log): {', '.join(detection.failed_plugins)}")
    raise AssertionError("\n".join(lines))


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def seed_articles() -> list[tuple[str, Article]]:
    """The shipped seed articles as (file name, Article)."""
    seeds = importlib.resources.files("monitor._seeds")
    return [
        (entry.name, make_article(entry.read_text(encoding="utf-8"), url=f"seed:{entry.name}"))
        for entry in sorted(seeds.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".txt")
    ]


def feed_xml(entries: Iterable[dict[str, str]], *, title: str = "Test feed", link: str = "https://example.com/") -> bytes:
    """An RSS 2.0 feed with ``entries`` (dicts of title, link, description, guid, pubDate)."""
    from xml.sax.saxutils import escape

    items = []
    for entry in entries:
        fields = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in entry.items())
        items.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>test</description>"
        + "".join(items) + "</channel></rss>"
    ).encode("utf-8")


def page_html(title: str, paragraphs: Iterable[str]) -> bytes:
    """A small article page that the extractor reads like a news site's."""
    from html import escape

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"
    ).encode()


def write_config(directory: Path, *, feeds: Iterable[str | dict[str, object]] = (), extra: str = "") -> Path:
    """A config.toml in ``directory`` for tests: private addresses allowed, short timeouts."""
    lines = [
        'database = "monitor.db"',
        'digest_dir = "digests"',
        extra,
        "[fetch]",
        "allow_private_addresses = true",
        "timeout_seconds = 10",
        "connect_timeout_seconds = 5",
        "read_timeout_seconds = 5",
    ]
    for feed in feeds:
        feed = {"url": feed} if isinstance(feed, str) else feed
        lines.append("[[feeds]]")
        for key, value in feed.items():
            lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class FeedServer:
    """A small news site on 127.0.0.1 for tests: article pages and an RSS feed listing them.

    The ``monitor_feed_server`` fixture gives one, built on pytest-httpserver::

        url = monitor_feed_server.add_article("Drones", ["Iran sent 6,000 Shahed drones."])
        feed = monitor_feed_server.feed_url()   # lists every article added, at request time
    """

    def __init__(self, httpserver: object) -> None:
        #: the underlying ``pytest_httpserver.HTTPServer``, for anything more (errors, slow replies)
        self.httpserver = httpserver
        self.entries: list[dict[str, str]] = []

    def url_for(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.httpserver.url_for(path)  # type: ignore[attr-defined]

    def add_article(self, title: str, paragraphs: Iterable[str], *, path: str | None = None,
                    published: str | None = None) -> str:
        """Serve an article page (see ``page_html``), list it in the feed; return its URL.

        ``published`` is an RFC 822 date; by default the article is an hour old, so that a feed's
        first poll treats it as news (see ``digest.first_poll_window``).
        """
        if published is None:
            from datetime import UTC, datetime, timedelta
            from email.utils import format_datetime

            published = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
        paragraphs = list(paragraphs)
        path = path or f"/news/{len(self.entries) + 1}"
        self.httpserver.expect_request(path).respond_with_data(  # type: ignore[attr-defined]
            page_html(title, paragraphs), content_type="text/html; charset=utf-8")
        url = self.url_for(path)
        self.entries.append({"title": title, "link": url, "guid": url, "pubDate": published,
                             "description": paragraphs[0] if paragraphs else title})
        return url

    def feed_url(self, path: str = "/feed.xml", *, title: str = "Test feed") -> str:
        """Serve the RSS feed of every article added (built at each request); return its URL."""
        from werkzeug.wrappers import Response

        def respond(request: object) -> Response:
            body = feed_xml(self.entries, title=title, link=self.url_for("/"))
            return Response(body, content_type="application/rss+xml; charset=utf-8")

        self.httpserver.expect_request(path).respond_with_handler(respond)  # type: ignore[attr-defined]
        return self.url_for(path)


def monitor_command(*args: str | Path) -> list[str]:
    """The argv that runs the real ``monitor`` CLI in a subprocess."""
    import sys

    return [sys.executable, "-m", "monitor", *map(str, args)]


def free_port() -> int:
    """A TCP port the OS says is free on 127.0.0.1 (for servers that cannot bind port 0)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
