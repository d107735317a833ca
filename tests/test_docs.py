"""docs/plugins.md stays true: every hook and argument, every public name, its examples run."""

from __future__ import annotations

import doctest
import inspect
import re
from pathlib import Path

import pytest

import monitor
import monitor.testing
import monitor.toolkit
from monitor import hookspecs

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DOC = ROOT / "docs" / "plugins.md"


def hookspec_names() -> list[str]:
    return sorted(name for name, value in vars(hookspecs).items()
                  if callable(value) and hasattr(value, "monitor_spec"))


def test_there_are_hookspecs_to_check():
    assert {"detect", "register_metrics", "transform_article"} <= set(hookspec_names())


@pytest.mark.parametrize("name", hookspec_names())
def test_plugin_hooks_are_documented_with_every_argument(name):
    """Each hook has a heading ``### name(arg, ...)`` naming exactly the spec's arguments."""
    arguments = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    headings = re.findall(r"^### (\w+)\((.*)\)$", PLUGINS_DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert (name, arguments) in headings, f"docs/plugins.md needs a heading: ### {name}({arguments})"


@pytest.mark.parametrize(
    ("module", "name"),
    [(m.__name__, n) for m in (monitor, monitor.testing, monitor.toolkit) for n in m.__all__],
)
def test_public_names_are_documented(module, name):
    assert f"`{name}" in PLUGINS_DOC.read_text(encoding="utf-8"), f"{module}.{name} is not in docs/plugins.md"


def test_the_examples_in_the_docs_run():
    result = doctest.testfile(str(PLUGINS_DOC), module_relative=False, optionflags=doctest.ELLIPSIS,
                              verbose=False, report=True)
    assert result.attempted >= 10
    assert result.failed == 0
