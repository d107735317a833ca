"""The FIGURES.md seed baseline, reproduced exactly: every figure, no trap, nothing else."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.records import Figure
from monitor.testing import plugin_manager_for, scan_text, seed_articles

BASELINE = tomllib.loads((Path(__file__).parent / "data" / "seed_figures.toml").read_text(encoding="utf-8"))
SEEDS_DIR = Path(__file__).parent.parent / "seeds"
FIGURE_FIELDS = ["metric", "value", "value_max", "qualifier", "increment", "period", "quote", "detector"]


@cache
def seed_figures() -> dict[str, tuple[Figure, ...]]:
    pm = plugin_manager_for()
    return {name: scan_text(article.text, pm=pm).figures for name, article in seed_articles()}


def _label(row: dict) -> str:
    return f"{row['seed'][:3]}-{row['metric']}-{row['value']}" + ("-increment" if row.get("increment") else "")


REQUIRED = [row for row in BASELINE["figure"] if not row.get("optional")]


@pytest.mark.parametrize("row", REQUIRED, ids=[_label(r) for r in REQUIRED])
def test_seed_figure_is_found_with_its_qualifier_and_increment(row: dict) -> None:
    found = [
        (str(f.qualifier), f.increment, f.period)
        for f in seed_figures()[row["seed"]]
        if f.metric == row["metric"] and f.value == row["value"] and f.increment == row["increment"]
    ]
    assert found, f"{row['metric']} = {row['value']} not found in {row['seed']}"
    qualifier, increment, period = found[0]
    assert (qualifier, increment) == (row["qualifier"], row["increment"])
    if "period" in row:
        assert period == row["period"]


def _figure_key(metric: str, value: float, value_max: float | None, qualifier: str, increment: bool) -> tuple:
    return (metric, value, value_max, qualifier, increment)


@pytest.mark.parametrize("seed", sorted({row["seed"] for row in BASELINE["figure"]} | {"002_6b69dd72263dd88d.txt"}))
def test_seed_figures_are_exactly_the_labelled_ones(seed: str) -> None:
    """The multiset of (metric, value, value_max, qualifier, increment) found equals the labels'.

    Every required label is found as many times as it is listed, with its qualifier, range and
    kind; a figure beyond them is allowed only where an optional label (same metric and value,
    any qualifier) covers it, one figure per optional label.
    """
    from collections import Counter

    rows = [row for row in BASELINE["figure"] if row["seed"] == seed]
    required = Counter(_figure_key(row["metric"], row["value"], row.get("value_max"), row["qualifier"],
                                   row["increment"]) for row in rows if not row.get("optional"))
    optional = Counter((row["metric"], row["value"]) for row in rows if row.get("optional"))
    found = Counter(_figure_key(f.metric, f.value, f.value_max, str(f.qualifier), f.increment)
                    for f in seed_figures()[seed])
    missing = required - found
    extra = []
    for key, count in sorted((found - required).items(), key=repr):
        for _ in range(count):
            if optional[key[:2]] > 0:
                optional[key[:2]] -= 1
            else:
                extra.append(key)
    quotes = {key: [f.quote for f in seed_figures()[seed]
                    if _figure_key(f.metric, f.value, f.value_max, str(f.qualifier), f.increment) == key]
              for key in extra}
    assert (dict(missing), extra) == ({}, []), f"missing {dict(missing)}; not labelled {quotes}"


@pytest.mark.parametrize("trap", BASELINE["trap"], ids=[t["phrase"] for t in BASELINE["trap"]])
def test_seed_trap_yields_no_figure(trap: dict) -> None:
    text = (SEEDS_DIR / trap["seed"]).read_text(encoding="utf-8")
    assert trap["phrase"] in text
    assert [f.quote for f in seed_figures()[trap["seed"]] if trap["phrase"] in f.quote] == []


def test_every_figure_quotes_its_sentence_and_marks_its_words() -> None:
    for name, article in seed_articles():
        for figure in seed_figures()[name]:
            assert figure.quote in article.text
            start, end = figure.span
            assert any(ch.isdigit() or ch.isalpha() for ch in figure.quote[start:end])


def test_scan_json_prints_documents_with_figures_and_mentions() -> None:
    paths = sorted(str(p.relative_to(SEEDS_DIR.parent)) for p in SEEDS_DIR.glob("*.txt"))
    result = CliRunner().invoke(cli, ["scan", *paths, "--json"], catch_exceptions=False,
                                env={"MONITOR_CONFIG": "/nonexistent/config.toml"})
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert list(payload) == ["documents"]
    assert [doc["source"] for doc in payload["documents"]] == paths
    for doc in payload["documents"]:
        assert list(doc) == ["source", "figures", "mentions"]
        assert set(doc["mentions"]) == {"MSMT", "Pantsir"}
        for figure in doc["figures"]:
            assert list(figure) == FIGURE_FIELDS
    first = payload["documents"][0]["figures"][0]
    assert isinstance(first["value"], int) and first["detector"] in {
        "troops", "casualties", "workers", "munitions", "fuel", "pantsir", "msmt"}
