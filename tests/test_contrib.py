"""contrib/: the systemd unit and the crontab write only where they may, as the README says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from monitor.config import config_from_dict

ROOT = Path(__file__).resolve().parent.parent
UNIT = (ROOT / "contrib" / "monitor.service").read_text(encoding="utf-8")
CRONTAB = (ROOT / "contrib" / "crontab").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
PATH_LINE = re.compile(r'^(database|digest_dir) = "(/[^"]+)"$', re.MULTILINE)


def _directive(text: str, name: str) -> str:
    values = re.findall(rf"^{name}=(.+)$", text, re.MULTILINE)
    assert len(values) == 1, name
    return values[0].strip()


def _told_paths(text: str) -> dict[str, str]:
    """The absolute ``database`` / ``digest_dir`` lines a file tells to put in the config (commented or not)."""
    body = "\n".join(re.sub(r"^#\s*", "", line) for line in text.splitlines())
    return dict(PATH_LINE.findall(body))


def _deployed_config(told: dict[str, str]):
    """The shipped config.toml as installed at the unit's MONITOR_CONFIG, with the keys the docs tell to set."""
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    raw.update(told)
    config_path = Path(_directive(UNIT, "Environment").removeprefix("MONITOR_CONFIG="))
    return config_from_dict(raw, path=config_path)


def test_the_shipped_config_as_is_would_write_beside_the_config_file():
    """Why the docs must say it: relative paths follow the config's folder, not WorkingDirectory."""
    config = _deployed_config({})
    assert config.database == Path("/etc/monitor/monitor.db")


@pytest.mark.parametrize("name", ["contrib/monitor.service", "contrib/crontab", "README.md"])
def test_database_digests_and_lock_land_in_the_writable_folder(name):
    told = _told_paths((ROOT / name).read_text(encoding="utf-8"))
    assert set(told) == {"database", "digest_dir"}, f"{name} must tell to set database and digest_dir absolutely"
    config = _deployed_config(told)
    writable = Path(_directive(UNIT, "ReadWritePaths"))
    for path in (config.database, config.lock_path, config.digest_dir):
        assert path.is_relative_to(writable), f"{path} is outside ReadWritePaths={writable}"


def test_unit_and_crontab_read_the_same_config_and_work_in_the_writable_folder():
    config = _directive(UNIT, "Environment").removeprefix("MONITOR_CONFIG=")
    assert _directive(CRONTAB, "MONITOR_CONFIG") == config
    assert config in README
    writable = _directive(UNIT, "ReadWritePaths")
    assert _directive(UNIT, "WorkingDirectory") == writable
    assert f"cd {writable} &&" in CRONTAB
    assert _told_paths(UNIT) == _told_paths(CRONTAB) == _told_paths(README)
