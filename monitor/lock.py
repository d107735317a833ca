"""The one lock that ``monitor check`` and ``monitor run`` share.

An exclusive ``flock`` (through filelock) on a separate file beside the
database: the kernel releases it when the holder dies, even on SIGKILL, so a
crashed monitor never leaves a stale lock. The holder's pid is written to a
sidecar file so that a refused process can say who holds the lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LockHeldError, StoreError


def holder_path(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".pid")


def lock_holder(lock_path: Path) -> str:
    """What the sidecar says about the lock's holder ("pid 123, monitor run"), or "unknown"."""
    try:
        return holder_path(lock_path).read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def hold_lock(lock_path: Path, *, wait: float = 0.0, command: str = "monitor") -> Iterator[None]:
    """Hold the lock for the block; ``LockHeldError`` if another process keeps it past ``wait``."""
    lock = FileLock(str(lock_path), timeout=wait, thread_local=False)
    try:
        lock.acquire(timeout=wait, poll_interval=0.05)
    except Timeout:
        raise LockHeldError(
            f"another monitor holds the lock {lock_path} ({lock_holder(lock_path)}); "
            "try again later or pass --wait SECONDS"
        ) from None
    except OSError as exc:
        raise StoreError(f"{lock_path}: cannot create the lock file: {exc.strerror}") from None
    try:
        with contextlib.suppress(OSError):  # who holds it is a courtesy; a read-only folder is reported by the store
            holder_path(lock_path).write_text(
                f"pid {os.getpid()}, {command}, since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n", encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            holder_path(lock_path).unlink()
        lock.release()
