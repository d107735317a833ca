"""The one lock of ``monitor check`` and ``monitor run``: refused fast, freed by the kernel on a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from monitor.errors import LockHeldError
from monitor.lock import hold_lock, holder_path, lock_holder
from monitor.testing import feed_xml, write_config


def test_a_second_holder_is_refused_naming_the_first(tmp_path):
    lock = tmp_path / "monitor.db.lock"
    with hold_lock(lock, command="monitor run"):
        assert lock_holder(lock).startswith(f"pid {os.getpid()}, monitor run, since ")
        with pytest.raises(LockHeldError, match=f"pid {os.getpid()}, monitor run") as refused:
            with hold_lock(lock, wait=0.1, command="monitor check"):
                pass
        assert refused.value.exit_code == 75
    assert not holder_path(lock).exists()
    with hold_lock(lock, command="monitor check"):  # released: free again
        pass


def hanging_check(config, log_path):
    """A ``monitor check`` subprocess; its feed hangs until the site's gate is set."""
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "check"],
                                stdout=subprocess.DEVNULL, stderr=log)


def test_two_checks_at_once_one_exits_75_at_once(tmp_path, scripted_site, run_monitor, wait_until):
    gate = scripted_site.block("/feed", feed_xml([{"title": "One", "guid": "one", "description": "Quiet day."}]))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")])
    first = hanging_check(config, tmp_path / "first.log")
    try:
        wait_until(lambda: scripted_site.hits("/feed"), what="the first check polling")

        second = run_monitor("--config", config, "check", timeout=30)

        assert second.returncode == 75, second.stderr
        assert second.stderr.strip().splitlines()[-1].startswith(
            f"Error: another monitor holds the lock {tmp_path / 'monitor.db.lock'} (pid {first.pid}, monitor check")
        assert len(scripted_site.hits("/feed")) == 1  # the refused check fetched nothing
        gate.set()
        assert first.wait(timeout=30) == 0
    finally:
        gate.set()
        if first.poll() is None:
            first.kill()
            first.wait()


def test_waiting_check_runs_once_the_holder_is_done(tmp_path, scripted_site, wait_until):
    gate = scripted_site.block("/feed", feed_xml([{"title": "One", "guid": "one", "description": "Quiet day."}]))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")])
    first = hanging_check(config, tmp_path / "first.log")
    wait_until(lambda: scripted_site.hits("/feed"), what="the first check polling")
    second = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "check", "--all",
                               "--wait", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    gate.set()
    assert first.wait(timeout=30) == 0
    _, stderr = second.communicate(timeout=60)
    assert second.returncode == 0, stderr
    assert len(scripted_site.hits("/feed")) == 2


def test_a_sigkilled_holder_leaves_the_lock_free_at_once(tmp_path, scripted_site, run_monitor, wait_until):
    gate = scripted_site.block("/feed", feed_xml([{"title": "One", "guid": "one", "description": "Quiet day."}]))
    config = write_config(tmp_path, feeds=[scripted_site.url("/feed")])
    holder = hanging_check(config, tmp_path / "holder.log")
    wait_until(lambda: scripted_site.hits("/feed"), what="the holder polling")
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    gate.set()

    after = run_monitor("--config", config, "check", "--all", timeout=30)

    assert after.returncode == 0, after.stderr
    assert "lock" not in after.stderr
