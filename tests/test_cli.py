"""The command line: start-up stays light, scan prints its documented shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from monitor.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='monitor')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('trafilatura', 'feedparser', 'apscheduler') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: monitor" in result.stdout
    assert "HEAVY []" in result.stdout


def test_help_lists_exit_codes(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for line in ("75 another monitor holds the lock", "3  the database cannot be opened"):
        assert line in result.output


def test_scan_seeds_json_shape_and_mention_counts(run_monitor):
    relative = [str(p.relative_to(ROOT)) for p in SEEDS]
    result = run_monitor("scan", *relative, "--json", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["documents"]
    assert [d["source"] for d in payload["documents"]] == relative
    counts = {Path(d["source"]).name[:3]: d["mentions"] for d in payload["documents"]}
    # Every occurrence of a name counts: "multilateral sanctions monitoring team (MSMT)" is two.
    assert counts == {
        "000": {"MSMT": 3, "Pantsir": 1},
        "001": {"MSMT": 4, "Pantsir": 5},
        "002": {"MSMT": 3, "Pantsir": 0},
        "003": {"MSMT": 10, "Pantsir": 1},
        "004": {"MSMT": 1, "Pantsir": 0},
    }
    for document in payload["documents"]:
        assert set(document) == {"source", "figures", "mentions"}
        for figure in document["figures"]:
            assert list(figure) == ["metric", "value", "value_max", "qualifier", "increment", "period",
                                    "quote", "detector"]


def test_scan_html_file_is_extracted(tmp_path, run_cli):
    from monitor.testing import page_html

    page = tmp_path / "page.html"
    page.write_bytes(page_html("Report", [
        "The Multilateral Sanctions Monitoring Team published its first report on Thursday, "
        "describing deliveries of a Pantsir system to Pyongyang.",
        "The MSMT was set up after the UN panel of experts was disbanded by a Russian veto last year.",
        "Analysts said the transfer of air defence systems marked a new stage in the partnership.",
    ]))
    result = run_cli("scan", page, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["documents"][0]["mentions"] == {"MSMT": 2, "Pantsir": 1}


def test_scan_unknown_plugin_is_a_usage_error(run_cli):
    result = run_cli("scan", SEEDS[0], "--plugin", "nope")
    assert result.exit_code == 2
    assert "no plugin named 'nope'" in result.output


def test_plugins_lists_the_mentions_detector(run_cli):
    result = run_cli("plugins")
    assert result.exit_code == 0
    assert "mentions" in result.output and "detect" in result.output


def test_scan_reports_every_file_when_some_cannot_be_scanned(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(32)) * 8)
    (tmp_path / "folder").mkdir()
    sources = ["a.txt", "empty.html", "missing.txt", "blank.txt", "binary.txt", "folder"]
    result = run_cli("scan", *sources, "--json")
    assert result.exit_code == 1
    documents = json.loads(result.stdout)["documents"]
    assert [d["source"] for d in documents] == sources
    good, *bad = documents
    assert set(good) == {"source", "figures", "mentions"}
    assert good["mentions"] == {"MSMT": 3, "Pantsir": 1} and len(good["figures"]) >= 5
    for document in bad:
        assert document["figures"] == [] and document["mentions"] == {"MSMT": 0, "Pantsir": 0}
        assert document["error"], document
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert [w.split(":")[1].strip() for w in warnings] == sources[1:]
    assert "Error: 5 of 6 files could not be scanned" in result.stderr


def test_scan_text_output_names_the_failed_file_and_goes_on(tmp_path, run_cli):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run_cli("scan", empty, SEEDS[0])
    assert result.exit_code == 1
    assert f"Warning: {empty}: the page yields no article text" in result.stderr
    assert f"== {empty}\nerror: the page yields no article text" in result.stdout
    assert f"== {SEEDS[0]}" in result.stdout and "msmt_member_states = 11" in result.stdout


def test_scan_of_good_files_exits_0_with_no_error_field(run_cli):
    result = run_cli("scan", SEEDS[0], "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert "error" not in json.loads(result.stdout)["documents"][0]


def test_scan_source_is_the_path_as_given(run_cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    given = [f"./seeds/{SEEDS[0].name}", f"seeds/../seeds/{SEEDS[1].name}", str(SEEDS[2])]
    result = run_cli("scan", *given, "--json")
    assert result.exit_code == 0
    assert [d["source"] for d in json.loads(result.stdout)["documents"]] == given
    text = run_cli("scan", given[0]).stdout
    assert text.startswith(f"== ./seeds/{SEEDS[0].name}\n")


def test_config_precedence_is_flag_then_env_then_working_directory(tmp_path, run_cli, monkeypatch):
    """--config PATH, else $MONITOR_CONFIG (even with a ./config.toml there), else ./config.toml."""
    from monitor.testing import write_config

    configs = {}
    for name in ("cwd", "env", "flag"):
        (tmp_path / name).mkdir()
        configs[name] = write_config(tmp_path / name, feeds=[f"https://{name}.example/feed.xml"])
    monkeypatch.chdir(tmp_path / "cwd")

    def feed_url(*args: str, env: dict[str, str | None]) -> str:
        result = run_cli(*args, "feeds", "--json", env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)[0]["url"]

    assert feed_url(env={"MONITOR_CONFIG": None}) == "https://cwd.example/feed.xml"
    assert feed_url(env={"MONITOR_CONFIG": ""}) == "https://cwd.example/feed.xml"
    assert feed_url(env={"MONITOR_CONFIG": str(configs["env"])}) == "https://env.example/feed.xml"
    assert feed_url("--config", str(configs["flag"]), env={"MONITOR_CONFIG": str(configs["env"])}) == (
        "https://flag.example/feed.xml")


def test_readme_and_help_state_the_config_precedence(run_cli):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "first of: `--config PATH`; else `$MONITOR_CONFIG`" in readme
    assert "else `./config.toml`" in readme
    assert "$MONITOR_CONFIG if set, else ./config.toml" in " ".join(run_cli("--help").stdout.split())


def test_baseline_groups_by_metric_and_merges_equal_values(tmp_path, run_cli):
    from monitor.testing import write_config

    config = write_config(tmp_path)
    result = run_cli("--config", config, "baseline")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["metric", "value", "qualifier", "period", "seeds"]
    labels = [line.split()[0] for line in lines[2:] if not line.startswith(" ")]
    assert len(labels) == len(set(labels)), "each metric is named once"
    start = next(i for i, line in enumerate(lines) if line.startswith("dprk_workers_to_russia "))
    workers = [lines[start]] + [line for line in lines[start + 1:start + 4] if line.startswith(" ")]
    value_at = lines[0].index("value")
    assert [line[value_at:].split()[:2] for line in workers] == [
        ["8,000", "exact"], ["8,000", "about"], ["8,000", "exact"]]
    about = workers[1]
    assert "001_2d2ab620839c6f7d.txt, 003_0b9b36bac8ef2dab.txt" in about  # merged, every seed named in full


def test_baseline_json_is_grouped_and_keeps_every_seed_sighting(tmp_path, run_cli):
    from monitor.store import baseline_values, open_store
    from monitor.testing import write_config

    config = write_config(tmp_path)
    result = run_cli("--config", config, "baseline", "--json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)
    assert [g["metric"] for g in groups] == sorted({g["metric"] for g in groups})
    flat = []
    for group in groups:
        assert list(group) == ["metric", "values"]
        keys = [(v["value"], v["value_max"], v["qualifier"], v["increment"], v["period"]) for v in group["values"]]
        assert len(keys) == len(set(keys)), f"{group['metric']}: equal values not merged"
        for v in group["values"]:
            assert list(v) == ["value", "value_max", "qualifier", "increment", "period", "seeds"]
            flat += [(group["metric"], v["value"], v["value_max"], v["qualifier"], v["increment"], v["period"],
                      seed["source"], seed["quote"]) for seed in v["seeds"]]
    db = open_store(tmp_path / "monitor.db")
    try:
        stored = [(k.metric, k.value, k.value_max, str(k.qualifier), k.increment, k.period,
                   k.source.removeprefix("seed:"), k.quote) for k in baseline_values(db)]
    finally:
        db.close()
    assert sorted(flat, key=repr) == sorted(stored, key=repr)
    workers = next(g for g in groups if g["metric"] == "dprk_workers_to_russia")["values"]
    about = [v for v in workers if v["qualifier"] == "about"]
    assert [[s["source"] for s in v["seeds"]] for v in about] == [
        ["001_2d2ab620839c6f7d.txt", "003_0b9b36bac8ef2dab.txt"]]


def test_scan_with_a_plugin_that_raises_names_it_and_exits_1(tmp_path, run_cli):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text("from monitor import hookimpl\n\n\n@hookimpl\ndef detect(article):\n"
                                       "    raise RuntimeError('boom')\n", encoding="utf-8")
    result = run_cli("scan", "--plugins-dir", plugins, SEEDS[0])
    assert result.exit_code == 1
    assert "failed plugins: broken" in result.output
    assert "Error: plugin broken failed on some files; their figures are missing" in result.stderr
    assert ">>" in result.output  # the other detectors still report their figures


def test_missing_config_names_the_absolute_path_it_looked_for(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("feeds", env={"MONITOR_CONFIG": None})
    assert result.exit_code == 2
    assert f"config.toml: no such config file: {tmp_path / 'config.toml'} (give one with" in result.stderr


def test_feeds_json_keys_are_snake_case_and_the_table_keeps_its_headers(tmp_path, run_cli):
    from monitor.testing import write_config

    config = write_config(tmp_path, feeds=["https://example.org/feed.xml"])
    rows = json.loads(run_cli("--config", str(config), "feeds", "--json").stdout)
    assert rows == [{"feed": "https://example.org/feed.xml", "url": "https://example.org/feed.xml",
                     "last_fetched": None, "status": "new", "articles": 0, "errors": 0, "last_error": ""}]
    table = run_cli("--config", str(config), "feeds").stdout
    assert "last fetched" in table.splitlines()[0] and "last error" in table.splitlines()[0]
    assert "never" in table.splitlines()[2]


def test_plugins_tables_wrap_long_cells_instead_of_cutting_them(run_cli):
    listed = json.loads(run_cli("plugins", "--json").stdout)
    assert any(len(", ".join(p["metrics"])) > 60 for p in listed)  # the shipped munitions plugin
    table = run_cli("plugins").stdout
    words = table.split()
    for plugin in listed:
        for metric in plugin["metrics"]:
            assert metric in words or f"{metric}," in words, metric
    metrics = json.loads(run_cli("plugins", "--metrics", "--json").stdout)
    assert any(len(m["description"]) > 60 for m in metrics)
    table = " ".join(run_cli("plugins", "--metrics").stdout.split())
    for metric in metrics:
        assert " ".join(metric["description"].split()) in table, metric  # the last column: lines join up


def test_table_wraps_a_long_cell_onto_aligned_lines():
    from monitor.cli import _table

    text = _table([{"a": "x", "b": "one two three four", "c": "end"}], ["a", "b", "c"], width=9)
    assert text.splitlines() == [
        "a  b        c",
        "-  -------  ---",
        "x  one two  end",
        "   three",
        "   four",
    ]


def test_scan_with_a_plugin_that_is_not_mentions_says_mentions_were_not_run(run_cli):
    only_fuel = run_cli("scan", SEEDS[0], "--plugin", "fuel")
    assert only_fuel.exit_code == 0, only_fuel.output
    assert only_fuel.stdout.splitlines()[1] == "mentions: not run"
    with_mentions = run_cli("scan", SEEDS[0], "--plugin", "fuel", "--plugin", "mentions")
    assert with_mentions.stdout.splitlines()[1] == "mentions: MSMT 3, Pantsir 1"


def test_readme_scan_example_names_a_plugin_that_exists(run_cli):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"monitor scan \S+ --plugin (\S+)", readme)
    loaded = {p["name"] for p in json.loads(run_cli("plugins", "--json").stdout)}
    assert named and set(named) <= loaded


def test_counts_in_messages_agree_with_their_nouns(tmp_path, run_cli):
    from monitor.testing import write_config
    from monitor.wording import plural

    assert [plural(1, "alert"), plural(2, "alert"), plural(0, "alert"), plural(1, "try", "tries"),
            plural(3, "try", "tries"), plural(1500, "entry", "entries")] == [
        "1 alert", "2 alerts", "0 alerts", "1 try", "3 tries", "1,500 entries"]
    config = write_config(tmp_path)
    opml = tmp_path / "one.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                    '<outline type="rss" text="One" xmlUrl="https://one.example/feed.xml"/></body></opml>')
    first = run_cli("--config", str(config), "feeds", "import", str(opml))
    assert "added 1 feed from" in first.stdout and "0 were already there" in first.stdout
    again = run_cli("--config", str(config), "feeds", "import", str(opml))
    assert "added 0 feeds from" in again.stdout and "; 1 was already there" in again.stdout
