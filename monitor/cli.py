"""The ``monitor`` command line: parse, load config, call one pipeline or store function, print.

Heavy libraries (trafilatura, feedparser, apscheduler) are imported inside the
commands that need them, so ``monitor --help`` starts fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .errors import MonitorError
from .wording import plural

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "config.toml"


class MonitorGroup(click.Group):
    """A group that turns every ``MonitorError`` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


class State:
    """What the group's options leave for the commands."""

    def __init__(self, config_path: Path, db_path: Path | None, verbosity: int = 0) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self.verbosity = verbosity
        self._config = None

    @property
    def config(self):  # -> Config
        if self._config is None:
            from .config import load_config

            self._config = load_config(self.config_path, database=self.db_path)
        return self._config

    def optional_plugins_dir(self) -> Path | None:
        """The config's ``plugins_dir`` when a config file is there: scan and plugins work without one."""
        return self.config.plugins_dir if self.config_path.exists() else None


def configure_logging(verbosity: int, *, log_format: str = "text") -> None:
    """Logs on stderr: -q WARNING, default INFO, -v DEBUG, -vv DEBUG with httpx too."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from .logs import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)


@click.group(cls=MonitorGroup)
@click.version_option(package_name="monitor")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="MONITOR_CONFIG",
    default=DEFAULT_CONFIG, show_default=True,
    help="Config file. Without --config: $MONITOR_CONFIG if set, else ./config.toml.",
)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database (overrides the config's database).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv: HTTP too).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Log lines as text or as JSON objects (for log shippers).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, db_path: Path | None, verbose: int, quiet: bool,
        log_format: str) -> None:
    """Follow one story across many news outlets and learn, once, when a reported number moves.

    \b
    Exit codes:
      0  done (including "nothing new")
      1  the run completed, but a feed, plugin, delivery or scanned file failed
         (named on stderr)
      2  bad command line or configuration
      3  the database cannot be opened or migrated
      75 another monitor holds the lock (cron may simply try again)
    """
    configure_logging(-1 if quiet else verbose, log_format=log_format)
    ctx.obj = State(config_path, db_path, -1 if quiet else verbose)


@cli.command()
@click.option("--all", "all_feeds", is_flag=True, help="Poll every feed, not only those due.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for the lock if another monitor holds it (else exit 75).")
@click.pass_obj
def check(state: State, all_feeds: bool, wait: float) -> None:
    """Poll the due feeds once, store new articles and figures, deliver pending alerts."""
    from datetime import UTC, datetime

    from .pipeline import check_once

    outcome = check_once(state.config, now=datetime.now(UTC), all_feeds=all_feeds, wait=wait)
    log.info("check done: %s", outcome.summary())
    if outcome.delivery is not None:
        log.info("delivery: %s", outcome.delivery.summary())
        for problem in outcome.delivery.problems:
            click.echo(f"Error: {problem}", err=True)
    sys.exit(outcome.exit_code)


@cli.command()
@click.pass_obj
def run(state: State) -> None:
    """Run the daemon: poll every feed on its own schedule until SIGTERM or SIGINT.

    Holds the lock for its whole life (a `monitor check` meanwhile exits 75).
    SIGHUP re-reads the config: feeds added or removed take effect at once.
    """
    from .daemon import run_daemon

    sys.exit(run_daemon(state.config, database_override=state.db_path))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for all files.")
@click.option("--plugin", "plugin_names", multiple=True, help="Only this plugin's findings (repeatable).")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also load the plugins in this folder.")
@click.pass_obj
def scan(state: State, files: tuple[str, ...], as_json: bool, plugin_names: tuple[str, ...],
         plugins_dir: Path | None) -> None:
    """Detect figures and mentions in text (.txt) or HTML (.html) files; no config needed.

    Each file is scanned on its own: one that is missing, unreadable, binary or
    yields no text is named in a warning on stderr (and has an "error" in --json),
    the others are reported in full, and the exit code is 1.
    """
    from .plugins import make_plugin_manager
    from .scan import scan_document

    pm = make_plugin_manager(plugins_dir or state.optional_plugins_dir())
    known = {name for name, _ in pm.list_name_plugin()}
    for name in plugin_names:
        if name not in known:
            raise click.UsageError(f"no plugin named {name!r} (loaded: {', '.join(sorted(known))})")
    if state.verbosity < 2:  # a page without text gets one warning below, not the extractor's lxml chatter
        for noisy in ("trafilatura", "htmldate"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
    documents = []
    for source in files:  # the path as given: "./seeds/x.txt" stays "./seeds/x.txt"
        found, error = scan_document(pm, source, only=plugin_names)
        if error is not None:
            click.echo(f"Warning: {source}: {error}", err=True)
        documents.append((source, found, error))
    if as_json:
        payload = {"documents": []}
        for source, found, error in documents:
            document = {"source": source, "figures": [f.as_json() for f in found.figures],
                        "mentions": found.mention_counts()}
            if error is not None:
                document["error"] = error
            payload["documents"].append(document)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        from .scan import format_detection

        mentions_run = not plugin_names or "mentions" in plugin_names
        for source, found, error in documents:
            click.echo(format_detection(source, found, color=sys.stdout.isatty(), error=error,
                                        mentions_run=mentions_run))
    failed = sum(error is not None for _, _, error in documents)
    if failed:
        click.echo(f"Error: {failed} of {plural(len(documents), 'file')} could not be scanned", err=True)
    broken = sorted({name for _, found, _ in documents for name in found.failed_plugins})
    if broken:
        click.echo(f"Error: plugin {', '.join(broken)} failed on some files; their figures are missing", err=True)
    if failed or broken:
        sys.exit(1)


@cli.command()
@click.option("--metrics", is_flag=True, help="List the metric vocabulary and who declares each metric.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def plugins(state: State, metrics: bool, as_json: bool) -> None:
    """List the loaded plugins: name, where from, hooks and metrics."""
    from .plugins import declared_metrics, make_plugin_manager, plugin_infos

    pm = make_plugin_manager(state.optional_plugins_dir())
    if metrics:
        declarers: dict[str, list[str]] = {}  # a metric may be declared (same unit) by several plugins
        for info in plugin_infos(pm):
            for declared in info.metrics:
                declarers.setdefault(declared.key, []).append(info.name)
        rows = [
            {"metric": key, "unit": metric.unit, "plugin": ", ".join(declarers.get(key, [owner])),
             "description": metric.description}
            for key, (metric, owner) in sorted(declared_metrics(pm).items())
        ]
        if as_json:
            click.echo(json.dumps(rows, indent=2))
        else:
            click.echo(_table(rows, ["metric", "unit", "plugin", "description"]))
        return
    infos = plugin_infos(pm)
    if as_json:
        click.echo(json.dumps([
            {"name": i.name, "source": i.source, "hooks": list(i.hooks), "metrics": [m.key for m in i.metrics]}
            for i in infos
        ], indent=2))
        return
    rows = [
        {"plugin": i.name, "hooks": ", ".join(i.hooks), "metrics": ", ".join(m.key for m in i.metrics) or "-",
         "source": i.source}
        for i in infos
    ]
    click.echo(_table(rows, ["plugin", "hooks", "metrics", "source"]))


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """Show every feed's state: last fetched, status, articles, errors."""
    if ctx.invoked_subcommand is not None:
        return
    from .store import feed_states, open_store

    state: State = ctx.obj
    config = state.config
    db = open_store(config.database)
    known = {s.url: s for s in feed_states(db)}
    rows = []
    for feed in config.feeds:
        s = known.get(feed.url)
        rows.append({
            "feed": feed.label,
            "url": feed.url,
            "last_fetched": _iso(s.last_fetched) if s else None,
            "status": ("disabled" if s and s.disabled else (s.last_status or "-") if s else "new"),
            "articles": s.articles if s else 0,
            "errors": s.consecutive_failures if s else 0,
            "last_error": (s.last_error or "") if s else "",
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        table = [{**r, "last fetched": _when(known[r["url"]].last_fetched if r["url"] in known else None),
                  "last error": r["last_error"]} for r in rows]
        click.echo(_table(table, ["feed", "last fetched", "status", "articles", "errors", "last error"]))


@feeds.command(name="add")
@click.argument("url")
@click.option("--name", default="", help="A short name for logs and digests.")
@click.option("--interval", help='This feed\'s poll interval ("30m", "2h", or seconds); default: schedule.interval.')
@click.pass_obj
def feeds_add(state: State, url: str, name: str, interval: str | None) -> None:
    """Add a feed: appended to the config file as a [[feeds]] table (a running daemon reloads on SIGHUP)."""
    from .config import append_feeds, feed_block, parse_duration

    if interval is not None:
        try:
            parse_duration(interval)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--interval") from None
    config = state.config
    if any(feed.url == url for feed in config.feeds):
        click.echo(f"{url} is already in {config.path}; nothing changed")
        return
    append_feeds(config.path, [feed_block(url, name=name, interval=interval)], database=state.db_path)
    click.echo(f"added {url} to {config.path} (reload a running `monitor run` with SIGHUP)")


@feeds.command(name="import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def feeds_import(state: State, opml_file: Path) -> None:
    """Add every feed of an OPML file (a feed reader's export) to the config file, skipping known ones."""
    from .config import append_feeds, feed_block
    from .opml import parse_opml

    found = parse_opml(opml_file.read_bytes(), label=str(opml_file))
    config = state.config
    known = {feed.url for feed in config.feeds}
    refused = [f.url for f in found if not f.url.lower().startswith(("http://", "https://"))]
    new = [f for f in found if f.url not in known and f.url not in refused]
    if new:
        append_feeds(config.path, [feed_block(f.url, name=f.title) for f in new], database=state.db_path)
    for url in refused:
        click.echo(f"skipped {url}: not an http(s) URL", err=True)
    already = len(found) - len(new) - len(refused)
    click.echo(f"added {plural(len(new), 'feed')} from {opml_file} to {config.path}; "
               f"{already} {'was' if already == 1 else 'were'} already there")


@feeds.command(name="export")
@click.pass_obj
def feeds_export(state: State) -> None:
    """Print the configured feeds as OPML 2.0, for a feed reader."""
    from datetime import UTC, datetime

    from .opml import render_opml

    click.echo(render_opml(state.config.feeds, title="monitor feeds", now=datetime.now(UTC)), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "text"]), default="markdown",
              show_default=True, help="The format to preview.")
@click.option("--send", is_flag=True, help="Deliver the pending alerts now on every configured channel.")
@click.option("--all", "include_sent", is_flag=True, help="Preview every alert, delivered ones too.")
@click.pass_obj
def digest(state: State, fmt: str, send: bool, include_sent: bool) -> None:
    """Preview the digest of pending alerts (nothing is marked), or deliver it with --send."""
    from datetime import UTC, datetime

    from .deliver import preview_digest
    from .lock import hold_lock
    from .pipeline import deliver_pending
    from .plugins import make_plugin_manager
    from .store import open_store

    config, now = state.config, datetime.now(UTC)
    pm = make_plugin_manager(config.plugins_dir)
    if not send:
        db = open_store(config.database)
        try:
            click.echo(preview_digest(config, db, pm, now=now, include_sent=include_sent).body(fmt), nl=False)
        finally:
            db.close()
        return
    with hold_lock(config.lock_path, command="monitor digest --send"):
        db = open_store(config.database)
        try:
            outcome = deliver_pending(config, db, pm, now=now)
        finally:
            db.close()
    log.info("delivery: %s", outcome.summary())
    for problem in outcome.problems:
        click.echo(f"Error: {problem}", err=True)
    sys.exit(outcome.exit_code)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Every alert, not only those still pending somewhere.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def alerts(state: State, show_all: bool, as_json: bool) -> None:
    """List alerts (pending on a configured channel, or --all) and their delivery state per channel."""
    from .store import list_alerts, open_store

    config = state.config
    db = open_store(config.database)
    try:
        found = list_alerts(db, pending_for=None if show_all else list(config.digest.channels))
    finally:
        db.close()
    rows = [
        {"id": a.id, "status": str(a.status), "metric": a.metric, "value": a.value, "value_max": a.value_max,
         "qualifier": str(a.qualifier), "increment": a.increment, "period": a.period, "url": a.url,
         "created": _iso(a.created_at), "sources": list(a.domains),
         "deliveries": {c: _delivery_cell(a, c) for c in config.digest.channels}}
        for a in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = [{**r, "value": f"{r['value']:,}" + (f"-{r['value_max']:,}" if r["value_max"] is not None else ""),
              "sources": len(r["sources"]), "created": _when(a.created_at),
              "delivery": ", ".join(f"{c}: {v}" for c, v in r["deliveries"].items())} for r, a in zip(rows, found)]
    click.echo(_table(table, ["id", "status", "metric", "value", "qualifier", "sources", "created", "delivery"]))


def _delivery_cell(alert, channel: str) -> str:
    for state in alert.deliveries:
        if state.channel == channel:
            return state.status if state.status == "sent" else f"{state.status} ({plural(state.attempts, 'try', 'tries')})"
    return "pending"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--rebuild", is_flag=True, help="Read the seeds again and replace the baseline.")
@click.pass_obj
def baseline(state: State, as_json: bool, rebuild: bool) -> None:
    """Show the seed baseline per metric: each value, qualifier and period once, with every seed that has it."""
    from datetime import UTC, datetime

    from .baseline import build_baseline, ensure_baseline
    from .plugins import make_plugin_manager
    from .store import baseline_values, open_store

    config, now = state.config, datetime.now(UTC)
    db = open_store(config.database)
    try:
        pm = make_plugin_manager(config.plugins_dir)
        if rebuild:
            build_baseline(db, pm, seeds_dir=config.seeds_dir, now=now)
        else:
            ensure_baseline(db, pm, seeds_dir=config.seeds_dir, now=now)
        values = baseline_values(db)
    finally:
        db.close()
    groups = group_baseline(values)
    if as_json:
        click.echo(json.dumps(groups, indent=2, ensure_ascii=False))
        return
    rows = []
    for group in groups:
        for i, known in enumerate(group["values"]):
            value = f"{known['value']:,}" + (f"-{known['value_max']:,}" if known["value_max"] is not None else "")
            rows.append({"metric": group["metric"] if i == 0 else "",
                         "value": value + (" (increment)" if known["increment"] else ""),
                         "qualifier": known["qualifier"], "period": known["period"] or "",
                         "seeds": ", ".join(seed["source"] for seed in known["seeds"])})
    click.echo(_table(rows, ["metric", "value", "qualifier", "period", "seeds"], uncut=("seeds",)))


def group_baseline(values) -> list[dict]:
    """Baseline values by metric; sightings with the same value, range, qualifier, kind and period merged.

    Nothing is dropped: each merged value lists every seed that reported it, with its sentence.
    """
    groups: dict[str, dict[tuple, dict]] = {}
    for v in values:
        key = (v.value, v.value_max, str(v.qualifier), v.increment, v.period)
        known = groups.setdefault(v.metric, {}).setdefault(key, {
            "value": v.value, "value_max": v.value_max, "qualifier": str(v.qualifier), "increment": v.increment,
            "period": v.period, "seeds": []})
        known["seeds"].append({"source": v.source.removeprefix("seed:"), "quote": v.quote})
    return [{"metric": metric, "values": list(merged.values())} for metric, merged in groups.items()]


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _iso(moment) -> str | None:
    """``moment`` as ISO 8601 (UTC, seconds) for --json; None when there is none."""
    if moment is None:
        return None
    from datetime import UTC

    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _table(rows: list[dict], columns: list[str], *, uncut: tuple[str, ...] = (), width: int = 60) -> str:
    """A plain fixed-width table; a cell longer than ``width`` is wrapped onto more lines (except in ``uncut``)."""
    import textwrap

    if not rows:
        return "(none)"
    lines_of = [[[str(row.get(c, ""))] if c in uncut or len(str(row.get(c, ""))) <= width
                 else textwrap.wrap(str(row.get(c, "")), width, break_on_hyphens=False) or [""]
                 for c in columns] for row in rows]
    widths = [max(len(c), *(len(line) for r in lines_of for line in r[i])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in lines_of:
        for n in range(max(len(cell) for cell in row)):
            lines.append("  ".join((cell[n] if n < len(cell) else "").ljust(w)
                                   for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def main() -> None:
    cli(prog_name="monitor")
