"""What ``monitor`` and ``monitor.testing`` export is deliberate (as httpx checks its own)."""

from __future__ import annotations

from types import ModuleType

import monitor
import monitor.testing


def public_members(module: ModuleType) -> set[str]:
    """Names a module defines or re-exports on purpose: public, not submodules, not typing helpers."""
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, ModuleType) and name != "annotations"}


def test_monitor_exports_what_plugin_authors_need():
    assert sorted(monitor.__all__) == [
        "Article", "Figure", "Mention", "Metric", "Qualifier", "__version__", "hookimpl",
    ]
    assert public_members(monitor) == set(monitor.__all__) - {"__version__"}
    for name in monitor.__all__:
        assert getattr(monitor, name) is not None
    assert monitor.hookimpl.project_name == "monitor"


def test_monitor_testing_exports_every_public_helper_it_defines():
    defined = {name for name in public_members(monitor.testing)
               if getattr(getattr(monitor.testing, name), "__module__", None) == "monitor.testing"}
    assert defined == set(monitor.testing.__all__)
    assert len(monitor.testing.__all__) == len(set(monitor.testing.__all__))
