"""The plugin manager: built-in detectors, a plugins directory, installed packages.

``make_plugin_manager()`` builds a fresh manager each call (nothing at module
level). Every ``*.py`` of a directory is imported by path as
``monitor_plugins.<stem>`` so tracebacks show the file; installed packages are
found through the ``monitor`` entry-point group.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookspecs
from .errors import PluginError
from .records import Metric

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "monitor"
#: where the built-in detectors live: the project's ``plugins/`` folder, shipped
#: in the wheel as the package ``monitor._plugins``
BUILTIN_PLUGINS_PACKAGE = "monitor._plugins"


def builtin_plugins_dir() -> Path:
    """The folder of the built-in plugins (``plugins/`` in a checkout)."""
    spec = importlib.util.find_spec(BUILTIN_PLUGINS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PluginError("the built-in plugins are missing: reinstall monitor")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True, slots=True, kw_only=True)
class PluginInfo:
    """What ``monitor plugins`` shows about one loaded plugin."""

    name: str
    source: str
    hooks: tuple[str, ...]
    metrics: tuple[Metric, ...]


def make_plugin_manager(
    plugins_dir: Path | None = None,
    *,
    builtins: bool = True,
    entry_points: bool = True,
    extra_paths: tuple[Path, ...] = (),
    extra_modules: tuple[ModuleType, ...] = (),
) -> pluggy.PluginManager:
    """A manager with the built-ins, ``plugins_dir``'s files and installed plugins.

    ``extra_paths`` (plugin files) and ``extra_modules`` (imported plugin
    modules, named by the last part of their module name) are for tests.
    """
    pm = pluggy.PluginManager("monitor")
    pm.add_hookspecs(hookspecs)
    pm.monitor_sources = {}  # type: ignore[attr-defined]
    dirs: list[Path] = []
    if builtins:
        dirs.append(builtin_plugins_dir())
    if plugins_dir is not None:
        dirs.append(plugins_dir)
    seen: set[Path] = set()
    for directory in dirs:
        resolved = directory.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        if not directory.is_dir():
            raise PluginError(f"{directory}: plugins directory does not exist")
        for path in sorted(directory.glob("*.py")):
            if not path.name.startswith("_"):
                _register_module(pm, _module_from_path(path), source=str(path))
    for path in extra_paths:
        _register_module(pm, _module_from_path(path), source=str(path))
    for module in extra_modules:
        _register_module(pm, module, source=getattr(module, "__file__", None) or module.__name__)
    if entry_points:
        _load_entry_points(pm)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or "?"
        raise PluginError(
            f"plugin {name!r} ({pm.monitor_sources.get(name, '?')}): {exc} "
            f"(the hooks are: {', '.join(_hook_names(pm))})"
        ) from None
    if os.environ.get("MONITOR_TRACE_PLUGINS"):
        _trace_hook_calls(pm)
    declared_metrics(pm)  # raises on conflicting declarations
    return pm


class LazyPluginManager:
    """A ``make_plugin_manager(plugins_dir)`` made on first use, so that a ``monitor check`` with
    nothing due (the common cron run) never imports the detectors. A missing plugins directory is
    still reported at once; a broken plugin, when the plugins are first needed."""

    _pm: pluggy.PluginManager | None = None  # a class default, so __getattr__ never recurses
    _plugins_dir: Path | None = None

    def __init__(self, plugins_dir: Path | None) -> None:
        if plugins_dir is not None and not plugins_dir.is_dir():
            raise PluginError(f"{plugins_dir}: plugins directory does not exist")
        self._plugins_dir = plugins_dir
        self._pm: pluggy.PluginManager | None = None

    def __getattr__(self, name: str) -> object:
        if self._pm is None:
            self._pm = make_plugin_manager(self._plugins_dir)
        return getattr(self._pm, name)


def _module_from_path(path: Path) -> ModuleType:
    name = f"monitor_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: cannot be imported as a plugin")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise PluginError(f"{path}: plugin failed to import: {exc.__class__.__name__}: {exc}") from exc
    return module


def _register_module(pm: pluggy.PluginManager, module: ModuleType, *, source: str) -> None:
    name = module.__name__.rsplit(".", 1)[-1]
    if pm.get_plugin(name) is not None:
        raise PluginError(f"two plugins named {name!r}: {pm.monitor_sources[name]} and {source}")
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"{source}: {exc}") from None
    pm.monitor_sources[name] = source


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = entry.load()
        except Exception as exc:
            raise PluginError(f"entry point {entry.name!r} ({entry.value}) failed to load: {exc}") from exc
        if pm.is_registered(plugin):  # the same module already given by path or object (tests)
            continue
        if pm.get_plugin(entry.name) is not None:
            raise PluginError(
                f"two plugins named {entry.name!r}: {pm.monitor_sources[entry.name]} and {entry.value}"
            )
        pm.register(plugin, name=entry.name)
        dist = entry.dist
        pm.monitor_sources[entry.name] = f"{dist.name} {dist.version}" if dist else entry.value


def declared_metrics(pm: pluggy.PluginManager) -> dict[str, tuple[Metric, str]]:
    """Every declared metric by key, with the plugin that declared it first."""
    metrics: dict[str, tuple[Metric, str]] = {}
    for impl in pm.hook.register_metrics.get_hookimpls():
        for metric in impl.function() or []:
            if metric.key in metrics:
                other, owner = metrics[metric.key]
                if other.unit != metric.unit:
                    raise PluginError(
                        f"metric {metric.key!r} declared with unit {other.unit!r} by {owner} "
                        f"and with unit {metric.unit!r} by {impl.plugin_name}"
                    )
                continue
            metrics[metric.key] = (metric, impl.plugin_name)
    return metrics


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """What loaded and from where, sorted by name."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or []))
        metrics: tuple[Metric, ...] = ()
        if hasattr(plugin, "register_metrics"):
            metrics = tuple(plugin.register_metrics() or [])
        infos.append(
            PluginInfo(name=name, source=pm.monitor_sources.get(name, "?"), hooks=hooks, metrics=metrics)
        )
    return sorted(infos, key=lambda info: info.name)


def _hook_names(pm: pluggy.PluginManager) -> list[str]:
    return sorted(name for name, caller in vars(pm.hook).items()
                  if isinstance(caller, pluggy.HookCaller) and caller.spec is not None)


def _trace_hook_calls(pm: pluggy.PluginManager) -> None:
    """Print every call of every implementation on stderr, with its plugin, arguments and result.

    The implementations are wrapped one by one (not ``add_hookcall_monitoring``)
    because ``detect.py`` calls them one by one, and so that each line names its plugin.
    """
    for hook_name in _hook_names(pm):
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            impl.function = _traced(impl.function, hook_name, impl.plugin_name)


def _traced(function, hook_name: str, plugin_name: str):  # type: ignore[no-untyped-def]
    def traced(*args: object, **kwargs: object) -> object:
        shown = ", ".join(f"{key}={_short(value)}" for key, value in kwargs.items())
        print(f"monitor hook {hook_name} [{plugin_name}]({shown})", file=sys.stderr)
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            print(f"monitor hook {hook_name} [{plugin_name}] raised {exc.__class__.__name__}: {exc}",
                  file=sys.stderr)
            raise
        print(f"monitor hook {hook_name} [{plugin_name}] -> {result!r:.300}", file=sys.stderr)
        return result

    return traced


def _short(value: object) -> str:
    url = getattr(value, "url", None)  # an Article: its URL, not its whole text
    return f"<{value.__class__.__name__} {url}>" if isinstance(url, str) else f"{value!r:.100}"
