"""The ``file`` channel: each digest as timestamped files in ``digest_dir``.

Names are a date and a slug (``2025-06-01T0700-digest-3f2a….md``), checked to
stay inside the folder, and written through a temporary file, ``fsync`` and
``os.replace``, so a reader never sees half a digest. A retried digest (same
key) rewrites the files it wrote before instead of adding new ones.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ..errors import DeliveryError
from ..records import Digest

EXTENSIONS = {"markdown": "md", "html": "html", "text": "txt"}
_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


def slugify(text: str) -> str:
    """``text`` as ``[a-z0-9-]{1,80}``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return slug or "digest"


def digest_path(folder: Path, digest: Digest, fmt: str) -> Path:
    """Where ``digest`` in ``fmt`` goes: an earlier file of the same digest, else a new dated name."""
    slug = slugify(f"digest-{digest.key[:12]}")
    if not _SLUG.match(slug):
        raise DeliveryError(f"file: bad digest name {slug!r}")
    ext = EXTENSIONS[fmt]
    earlier = sorted(folder.glob(f"*-{slug}.{ext}"))
    path = earlier[0] if earlier else folder / f"{digest.created_at:%Y-%m-%dT%H%M%S}-{slug}.{ext}"
    if not path.resolve().is_relative_to(folder.resolve()):
        raise DeliveryError(f"file: {path} would leave the digest folder {folder}")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, fsync and rename."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def deliver_file(digest: Digest, config: Any) -> str:
    """Write the digest in each of ``digest.formats`` into ``digest_dir``; the paths written."""
    folder = Path(config.digest_dir)
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise DeliveryError(f"file: digest_dir {folder} is not a directory") from None
        paths = []
        for fmt in config.digest.formats:
            path = digest_path(folder, digest, fmt)
            write_atomically(path, digest.body(fmt))
            paths.append(str(path))
    except OSError as exc:
        raise DeliveryError(f"file: cannot write into {folder}: {exc.strerror or exc}") from None
    return ", ".join(paths)
