"""The ``stdout`` channel: the digest printed on standard output (markdown, else text)."""

from __future__ import annotations

import sys
from typing import Any

from ..errors import DeliveryError
from ..records import Digest


def deliver_stdout(digest: Digest, config: Any) -> str:
    """Print the digest: markdown when it is among ``digest.formats``, else plain text."""
    fmt = "markdown" if "markdown" in config.digest.formats else "text"
    try:
        sys.stdout.write(digest.body(fmt))
        sys.stdout.flush()
    except OSError as exc:
        raise DeliveryError(f"stdout: cannot write: {exc.strerror or exc}") from None
    return f"{fmt} on stdout"
