"""Plugins: discovery, conflicts, tracing, failures, the helpers in monitor.testing, the example package."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import Article
from monitor.detect import detect_article
from monitor.errors import PluginError
from monitor.plugins import make_plugin_manager
from monitor.testing import (
    assert_figures,
    detect_in_text,
    monitor_command,
    scan_text,
    write_config,
)

ROOT = Path(__file__).resolve().parent.parent
TEST_PLUGINS = Path(__file__).resolve().parent / "plugins"
SHIPS = "Three ports loaded cargo. Then 12 ships sailed to Russia."


def plugins_dir_with(tmp_path: Path, *files: str, folder: str = "plugins") -> Path:
    """A fresh plugins folder holding copies of these files from tests/plugins/."""
    directory = tmp_path / folder
    directory.mkdir()
    for name in files:
        shutil.copy(TEST_PLUGINS / name, directory / name)
    return directory


def write_plugin(directory: Path, name: str, source: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(source, encoding="utf-8")
    return path


def metric_plugin(key: str, unit: str) -> str:
    return (
        "from monitor import Metric, hookimpl\n\n"
        "@hookimpl\n"
        "def register_metrics():\n"
        f"    return [Metric(key={key!r}, unit={unit!r}, description='test')]\n"
    )


# monitor.testing ------------------------------------------------------------


def test_assert_figures_passes_and_returns_the_figures():
    figures = assert_figures(SHIPS, [("test_ships_to_russia", 12, "exact")],
                             plugins=[TEST_PLUGINS / "ships_count_plugin.py"])
    assert [(f.detector, f.quote) for f in figures] == [("ships_count_plugin", SHIPS)]


def test_assert_figures_failure_lists_expected_found_missing_and_unexpected():
    with pytest.raises(AssertionError) as failure:
        assert_figures(SHIPS, [("test_ships_to_russia", 13, "exact")],
                       plugins=[TEST_PLUGINS / "ships_count_plugin.py"])
    assert str(failure.value) == (
        f"figures differ in: {SHIPS!r}\n"
        "expected:\n"
        "  ('test_ships_to_russia', 13, 'exact')\n"
        "found:\n"
        f"  ('test_ships_to_russia', 12, 'exact')  [ships_count_plugin] {SHIPS!r}\n"
        "missing: ('test_ships_to_russia', 13, 'exact')\n"
        "unexpected: ('test_ships_to_russia', 12, 'exact')"
    )


def test_assert_figures_fails_when_a_plugin_raises():
    with pytest.raises(AssertionError, match="plugins that raised \\(see the log\\): raising_plugin"):
        assert_figures(SHIPS, [], plugins=[str(TEST_PLUGINS / "raising_plugin.py")])


def test_scan_text_runs_only_the_plugins_named_or_all():
    ships = str(TEST_PLUGINS / "ships_count_plugin.py")
    only = scan_text("12 ships sailed to Russia; the MSMT said so.", plugins=[ships])
    assert [f.metric for f in only.figures] == ["test_ships_to_russia"]
    assert only.mentions == ()  # the built-in mentions detector ran but is left out
    every = scan_text("12 ships sailed to Russia; the MSMT said so.",
                      pm=make_plugin_manager(None, entry_points=False, extra_paths=(Path(ships),)))
    assert every.mention_counts()["MSMT"] == 1


def test_plugins_may_be_given_as_modules(tmp_path):
    sys.path.insert(0, str(tmp_path))
    try:
        write_plugin(tmp_path, "module_ships_plugin.py", (TEST_PLUGINS / "ships_count_plugin.py").read_text())
        import module_ships_plugin

        figures = detect_in_text(SHIPS, plugins=[module_ships_plugin])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("module_ships_plugin", None)
    assert [(f.value, f.detector) for f in figures] == [(12, "module_ships_plugin")]


def test_an_unknown_plugin_name_is_an_error_listing_the_loaded_ones():
    with pytest.raises(PluginError, match=r"no plugin named shipz \(loaded: .*mentions"):
        scan_text("text", plugins=["shipz"])


# discovery and conflicts ------------------------------------------------------


def test_a_plugins_dir_file_named_like_a_built_in_is_an_error_naming_both(tmp_path, run_cli):
    plugins = plugins_dir_with(tmp_path)
    write_plugin(plugins, "mentions.py", metric_plugin("mentions_again", "mentions"))
    config = write_config(tmp_path, extra='plugins_dir = "plugins"')
    result = run_cli("--config", config, "plugins")
    assert result.exit_code == 2
    assert "two plugins named 'mentions'" in result.stderr
    assert str(ROOT / "plugins" / "mentions.py") in result.stderr
    assert str(plugins / "mentions.py") in result.stderr


def test_a_metric_declared_with_two_units_is_an_error_naming_both_plugins(tmp_path, run_cli):
    plugins = plugins_dir_with(tmp_path)
    write_plugin(plugins, "first_counter.py", metric_plugin("test_drones", "drones"))
    write_plugin(plugins, "second_counter.py", metric_plugin("test_drones", "batches"))
    config = write_config(tmp_path, extra='plugins_dir = "plugins"')
    result = run_cli("--config", config, "plugins", "--metrics")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: metric 'test_drones' declared with unit 'drones' by first_counter "
        "and with unit 'batches' by second_counter"
    ) or result.stderr.strip() == (
        "Error: metric 'test_drones' declared with unit 'batches' by second_counter "
        "and with unit 'drones' by first_counter"
    )


def test_a_metric_declared_twice_with_one_unit_is_listed_with_both_plugins(tmp_path, run_cli):
    plugins = plugins_dir_with(tmp_path)
    write_plugin(plugins, "first_counter.py", metric_plugin("test_drones", "drones"))
    write_plugin(plugins, "second_counter.py", metric_plugin("test_drones", "drones"))
    config = write_config(tmp_path, extra='plugins_dir = "plugins"')
    result = run_cli("--config", config, "plugins", "--metrics")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("test_drones ")]
    assert line.split() == ["test_drones", "drones", "first_counter,", "second_counter", "test"]


def test_a_misspelled_hook_is_an_error_naming_the_plugin(tmp_path):
    plugins = plugins_dir_with(tmp_path)
    write_plugin(plugins, "typo_plugin.py",
                 "from monitor import hookimpl\n\n@hookimpl\ndef detekt(article):\n    return []\n")
    with pytest.raises(PluginError, match="typo_plugin.*detekt"):
        make_plugin_manager(plugins, entry_points=False)


def test_plugins_lists_source_hooks_and_metrics(tmp_path, run_cli):
    plugins_dir_with(tmp_path, "ships_count_plugin.py")
    config = write_config(tmp_path, extra='plugins_dir = "plugins"')
    result = run_cli("--config", config, "plugins", "--json")
    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.stdout)}
    assert listed["ships_count_plugin"] == {
        "name": "ships_count_plugin", "source": str(tmp_path / "plugins" / "ships_count_plugin.py"),
        "hooks": ["detect", "register_metrics"], "metrics": ["test_ships_to_russia"],
    }
    metrics = run_cli("--config", config, "plugins", "--metrics", "--json")
    assert {"metric": "test_ships_to_russia", "unit": "ships", "plugin": "ships_count_plugin",
            "description": "ships sailing to Russia (tests)"} in json.loads(metrics.stdout)


def test_scan_with_plugin_shows_that_plugins_figures_sentence_by_sentence(tmp_path, run_cli):
    plugins_dir_with(tmp_path, "ships_count_plugin.py")
    article = tmp_path / "article.txt"
    article.write_text(SHIPS, encoding="utf-8")
    result = run_cli("scan", article, "--plugin", "ships_count_plugin", "--plugins-dir", tmp_path / "plugins")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"== {article}",
        "mentions: not run",
        "- test_ships_to_russia = 12 (exact) [ships_count_plugin]",
        "    Three ports loaded cargo. Then >>12<< ships sailed to Russia.",
    ]


def test_scan_with_an_unknown_plugin_is_a_usage_error(tmp_path, run_cli):
    article = tmp_path / "article.txt"
    article.write_text(SHIPS, encoding="utf-8")
    result = run_cli("scan", article, "--plugin", "shipz")
    assert result.exit_code == 2
    assert "no plugin named 'shipz'" in result.stderr


def test_trace_plugins_prints_every_hook_call(tmp_path, run_monitor):
    plugins_dir_with(tmp_path, "ships_count_plugin.py")
    article = tmp_path / "article.txt"
    article.write_text(SHIPS, encoding="utf-8")
    result = run_monitor("scan", article, "--plugins-dir", tmp_path / "plugins", cwd=tmp_path,
                         env={"MONITOR_TRACE_PLUGINS": "1"})
    assert result.returncode == 0, result.stderr
    trace = result.stderr.splitlines()
    assert "monitor hook register_metrics [ships_count_plugin]()" in trace
    assert (f"monitor hook detect [ships_count_plugin](article=<Article {article.as_uri()}>)") in trace
    assert any(line.startswith("monitor hook detect [ships_count_plugin] -> [Figure(metric='test_ships_to_russia'")
               for line in trace)
    without = run_monitor("scan", article, "--plugins-dir", tmp_path / "plugins", cwd=tmp_path,
                          env={"MONITOR_TRACE_PLUGINS": ""})
    assert "monitor hook" not in without.stderr


# a plugin that raises ---------------------------------------------------------


def test_a_plugin_raising_on_every_article_does_not_stop_check(tmp_path, monitor_feed_server):
    first = monitor_feed_server.add_article("Convoy", ["Officials said 12 ships sailed to Russia this week."])
    second = monitor_feed_server.add_article("Port", ["Satellite images show 7 ships bound for Russia."])
    plugins_dir_with(tmp_path, "raising_plugin.py", "ships_count_plugin.py")
    config = write_config(tmp_path, feeds=[monitor_feed_server.feed_url()], extra='plugins_dir = "plugins"')
    result = subprocess.run(monitor_command("--config", config, "check"), capture_output=True, text=True,
                            timeout=120, env={**os.environ, "MONITOR_TRACE_PLUGINS": ""})
    assert result.returncode == 1, result.stderr
    assert f"plugin raising_plugin failed on {first}: RuntimeError: raising_plugin always fails" in result.stderr
    assert f"plugin raising_plugin failed on {second}" in result.stderr
    db = sqlite3.connect(tmp_path / "monitor.db")
    assert db.execute("SELECT url FROM articles ORDER BY url").fetchall() == [(first,), (second,)]
    figures = db.execute("SELECT metric, value, detector FROM figures ORDER BY value").fetchall()
    assert figures == [("test_ships_to_russia", 7, "ships_count_plugin"),
                       ("test_ships_to_russia", 12, "ships_count_plugin")]


def test_the_fixtures_give_a_migrated_database_and_a_feed_of_pages(monitor_db, monitor_feed_server):
    import httpx

    url = monitor_feed_server.add_article("A title", ["First paragraph.", "Second."])
    feed = httpx.get(monitor_feed_server.feed_url()).text
    page = httpx.get(url).text
    assert f"<link>{url}</link>" in feed and "<title>A title</title>" in feed
    assert "<p>Second.</p>" in page
    assert {"articles", "figures", "feeds"} <= set(monitor_db.table_names())


# the example package ------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "drones"


@pytest.mark.slow
def test_example_package_installs_loads_through_its_entry_point_and_passes_its_tests(tmp_path):
    """examples/drones, installed by pip into a folder on PYTHONPATH (offline: no index, no isolation)."""
    source = tmp_path / "monitor-drones"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.egg-info"))
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation", "--no-deps",
         "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=120,
    )
    assert install.returncode == 0, install.stderr
    env = {key: value for key, value in os.environ.items() if key != "MONITOR_CONFIG"}
    env["PYTHONPATH"] = str(site)

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(monitor_command(*args), capture_output=True, text=True, timeout=120,
                              cwd=tmp_path, env=env)

    listed = run("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    drones = [p for p in json.loads(listed.stdout) if p["name"] == "drones"]
    assert drones == [{"name": "drones", "source": "monitor-drones 0.1.0", "hooks": ["detect", "register_metrics"],
                       "metrics": ["iran_drones_to_russia"]}]
    article = tmp_path / "article.txt"
    article.write_text("Iran has delivered more than 2,400 Shahed drones to Russia since 2022.\n", encoding="utf-8")
    scanned = run("scan", article, "--plugin", "drones", "--json")
    assert scanned.returncode == 0, scanned.stderr
    assert json.loads(scanned.stdout)["documents"][0]["figures"] == [{
        "metric": "iran_drones_to_russia", "value": 2400, "value_max": None, "qualifier": "more_than",
        "increment": False, "period": "since 2022",
        "quote": "Iran has delivered more than 2,400 Shahed drones to Russia since 2022.", "detector": "drones",
    }]
    own_tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(source),
         str(source / "tests")],
        capture_output=True, text=True, timeout=120, cwd=source, env=env,
    )
    assert own_tests.returncode == 0, own_tests.stdout + own_tests.stderr
    assert " passed" in own_tests.stdout and "failed" not in own_tests.stdout


# the tutorial of docs/plugins.md, replayed ---------------------------------------

DOC_FEED_URL = "https://www.example.com/world/rss.xml"


def tutorial_steps() -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """The files (by title) and the console commands (with their shown output) of the tutorial."""
    doc = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = doc.split("## Your first detector in 5 minutes", 1)[1].split("\n## ", 1)[0]
    files: dict[str, str] = {}
    commands: list[tuple[str, list[str]]] = []
    for language, title, body in re.findall(r'^```(\w+)(?: title="([^"]+)")?\n(.*?)^```$', section,
                                             re.MULTILINE | re.DOTALL):
        if title:
            files[title] = body
        elif language == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    commands.append((line[2:], []))
                elif commands:
                    commands[-1][1].append(line)
    return files, commands


def shown_output_matches(shown: list[str], actual: str) -> str | None:
    """None when every shown line begins an actual line, in order ("…" stands for lines left out)."""
    normalised = [" ".join(line.split()) for line in actual.splitlines()]
    position = 0
    for line in shown:
        expected = " ".join(line.rstrip("…").split())
        if not expected:
            continue
        while position < len(normalised) and not normalised[position].startswith(expected):
            position += 1
        if position == len(normalised):
            return f"shown line not in the output (in order): {line!r}"
        position += 1
    return None


@pytest.mark.slow
def test_the_tutorial_works_as_written(tmp_path, monitor_feed_server):
    """Follow docs/plugins.md's tutorial: its files, its commands, the output it shows."""
    files, commands = tutorial_steps()
    assert set(files) == {"config.toml", "my_plugins/missiles.py", "article.txt", "tests/test_missiles.py"}
    assert [command.split()[:2] for command, _ in commands] == [
        ["monitor", "plugins"], ["monitor", "plugins"], ["monitor", "scan"], ["pytest", "-q"],
        ["monitor", "check"], ["monitor", "digest"],
    ]
    # the one change: the feed is a local server carrying the tutorial's article
    monitor_feed_server.add_article("Missiles", files["article.txt"].splitlines())
    files["config.toml"] = files["config.toml"].replace(DOC_FEED_URL, monitor_feed_server.feed_url())
    files["config.toml"] += "\n[fetch]\nallow_private_addresses = true\n"
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("MONITOR_CONFIG", "MONITOR_TRACE_PLUGINS")}
    for command, shown in commands:
        program, *args = command.split()
        argv = (monitor_command(*args) if program == "monitor"
                else [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args])
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert shown_output_matches(shown, result.stdout) is None, (
            f"{command}: {shown_output_matches(shown, result.stdout)}\n{result.stdout}")
    assert [p.suffix for p in sorted((tmp_path / "digests").iterdir())] == [".html", ".md"]


def test_the_pytest_plugin_is_registered_and_imports_nothing_heavy():
    from importlib.metadata import entry_points

    assert "monitor._pytest_plugin" in [e.value for e in entry_points(group="pytest11")]
    code = (
        "import sys\n"
        "import monitor._pytest_plugin\n"
        "print(sorted(m for m in ('httpx', 'sqlite_utils', 'trafilatura', 'feedparser', 'werkzeug',\n"
        "                         'pytest_httpserver', 'monitor.store', 'monitor.testing') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_name_the_mentions_count_opens_with_one_of_its_words():
    """The mentions detector tries an entity's pattern only where one of its words stands: every
    name its pattern matches must open with one, and it counts what ``findall`` counts, on
    generated texts of names, glued words and near misses."""
    import random

    make_plugin_manager(None, entry_points=False)
    mentions = sys.modules["monitor_plugins.mentions"]
    names = ["MSMT", "msmt's", "Multilateral Sanctions Monitoring Team", "multinational sanction monitoring team",
             "Pantsir", "Pantsir-S1", "pantsir-class", "ПАНЦИРЬ-С1", "Панцирь"]
    text = " and ".join(names).lower()
    for entity, pattern in mentions.ENTITIES.items():
        found = pattern.findall(text)
        assert found, entity
        assert all(name.startswith(mentions.WORDS[entity]) for name in found), entity
    rng = random.Random(4)
    pieces = [*(name.lower() for name in names), "msmtmsmt", "amsmt", "multi", "multilateral", "sanctions", "team",
              "monitoring", "pantsirs", "xpantsir", "-", ".", "  ", "\n", "панцирьпанцирь"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 12)))
        for entity, pattern in mentions.ENTITIES.items():
            assert mentions._count(pattern, text, mentions.WORDS[entity]) == len(pattern.findall(text)), (entity, text)


def test_the_mentions_count_the_text_the_detectors_read_title_included():
    """Mentions are counted in ``article_text``, the string the figure detectors read (the title
    after the text where the text does not hold it), whose lowercase they share."""
    from monitor.toolkit import article_text, lowered

    pm = make_plugin_manager(None, entry_points=False)
    titled = Article(url="https://news.example/1", title="Russia gave Pyongyang a Pantsir",
                     text="The MSMT said one Pantsir went to North Korea. The Multilateral Sanctions Monitoring Team agreed.")
    assert article_text(titled) == f"{titled.text}\n{titled.title}"
    assert article_text(titled) is article_text(titled)  # the same string for every plugin
    assert lowered(article_text(titled)) is lowered(article_text(titled))
    assert detect_article(pm, titled).mention_counts() == {"MSMT": 2, "Pantsir": 2}
    # a title the text already holds is read once
    held = Article(url="https://news.example/2", title="One Pantsir", text="One Pantsir\nIt went to the MSMT's subject.")
    assert article_text(held) is held.text
    assert detect_article(pm, held).mention_counts() == {"MSMT": 1, "Pantsir": 1}


def test_a_tagged_figure_keeps_every_field_but_its_detector():
    """``Figure.tagged`` spells out ``dataclasses.replace``: a field added to ``Figure`` must be added there too."""
    import dataclasses

    from monitor import Figure, Qualifier

    values = {"metric": "troops_sent", "value": 11000, "value_max": 12000, "qualifier": Qualifier.RANGE, "increment": True,
              "period": "in 2024", "quote": "It sent 11,000-12,000 troops in 2024.", "detector": "", "span": (8, 19)}
    assert set(values) == {f.name for f in dataclasses.fields(Figure)}
    figure = Figure(**values)
    tagged = figure.tagged("troops")
    assert {name: getattr(tagged, name) for name in values} == {**values, "detector": "troops"}
    assert tagged == dataclasses.replace(figure, detector="troops") and tagged.span == (8, 19)
