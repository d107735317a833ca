"""The strict config loader: every mistake is one line naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.config import Config, load_config, parse_duration
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_real_outlets():
    config = load_config(ROOT / "config.toml")
    assert 8 <= len(config.feeds) <= 15
    assert all(feed.url.startswith("https://") for feed in config.feeds)
    assert config.database == ROOT / "monitor.db"
    assert config.digest_dir == ROOT / "digests"
    assert config.fetch.allow_private_addresses is False


def test_shipped_config_says_why_each_feed(tmp_path):
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    blocks = text.split("[[feeds]]")[1:]
    assert blocks and all(re.search(r"^\s*#\s*\S", block, re.MULTILINE) for block in blocks)


def test_misspelt_feed_key_names_file_key_and_suggestion(tmp_path):
    path = write(tmp_path, """
[[feeds]]
url = "https://a.example/feed"
[[feeds]]
url = "https://b.example/feed"
[[feeds]]
url = "https://c.example/feed"
intervall = "5m"
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).endswith("config.toml: feeds[2].intervall: unknown key (did you mean 'interval'?)")


def test_unknown_section_key_is_named(tmp_path):
    path = write(tmp_path, '[smtp]\nhots = "mail.example"\n')
    with pytest.raises(ConfigError, match=r"smtp\.hots: unknown key \(did you mean 'host'\?\)"):
        load_config(path)


def test_smtp_ca_file_is_relative_to_the_config_and_must_exist(tmp_path):
    assert load_config(write(tmp_path, "")).smtp.ca_file is None  # the system's CAs
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    config = load_config(write(tmp_path, '[smtp]\nca_file = "certs/ca.pem"\n'))
    assert config.smtp.ca_file == tmp_path / "certs" / "ca.pem"
    assert load_config(write(tmp_path, '[smtp]\nca_file = ""\n')).smtp.ca_file is None
    with pytest.raises(ConfigError, match=r"config\.toml: smtp\.ca_file: .*certs/missing\.pem is not a file$"):
        load_config(write(tmp_path, '[smtp]\nca_file = "certs/missing.pem"\n'))
    with pytest.raises(ConfigError, match=r"smtp\.ca_file: expected a string, got 1"):
        load_config(write(tmp_path, "[smtp]\nca_file = 1\n"))


def test_wrong_type_is_named(tmp_path):
    path = write(tmp_path, '[fetch]\nmax_bytes = "big"\n')
    with pytest.raises(ConfigError, match=r"fetch\.max_bytes: expected an integer, got 'big'"):
        load_config(path)


def test_feed_without_url_is_named(tmp_path):
    path = write(tmp_path, '[[feeds]]\nname = "no url"\n')
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.url: missing"):
        load_config(path)


def test_feed_url_must_be_http(tmp_path):
    path = write(tmp_path, '[[feeds]]\nurl = "file:///etc/passwd"\n')
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.url: 'file:///etc/passwd' is not an http\(s\) URL"):
        load_config(path)


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "database = \n"))
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.toml")


def test_paths_resolve_against_the_config_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    config = load_config(write(tmp_path / "sub", 'database = "data/m.db"\n'))
    assert config.database == (tmp_path / "sub" / "data" / "m.db").resolve()
    assert config.lock_path == config.database.with_name("m.db.lock")


def test_durations_and_defaults(tmp_path):
    config = load_config(write(tmp_path, """
[schedule]
interval = "2h"
[[feeds]]
url = "https://a.example/feed"
interval = 90
[[feeds]]
url = "https://b.example/feed"
"""))
    assert [config.interval_for(f) for f in config.feeds] == [90.0, 7200.0]
    assert parse_duration("1d") == 86400 and parse_duration("30m") == 1800
    with pytest.raises(ValueError):
        parse_duration("soon")
    with pytest.raises(ConfigError, match=r"schedule\.interval: .*not a duration"):
        load_config(write(tmp_path, '[schedule]\ninterval = "soon"\n'))


def test_every_config_key_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import dataclasses

    from monitor import config as module

    sections = {"": Config, "fetch": module.FetchConfig, "schedule": module.ScheduleConfig,
                "digest": module.DigestConfig, "smtp": module.SmtpConfig, "feeds": module.FeedConfig}
    missing = []
    for name, cls in sections.items():
        for field in dataclasses.fields(cls):
            if field.name in ("path", "fetch", "schedule", "digest", "smtp", "feeds"):
                continue
            if f"| `{field.name}` |" not in readme:
                missing.append(f"{name}.{field.name}".lstrip("."))
    assert missing == []


def test_cli_exits_2_with_one_line_for_bad_config(tmp_path, run_monitor):
    path = write(tmp_path, '[[feeds]]\nurl = "https://a.example/feed"\nintervall = 5\n')
    result = run_monitor("--config", path, "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: feeds[0].intervall: unknown key (did you mean 'interval'?)"
    ]
