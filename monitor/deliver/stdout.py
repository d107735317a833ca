"""The ``stdout`` channel: the plain-text digest printed on standard output.

Plain text, whatever ``digest.formats`` says: standard output is a terminal or a
cron log, where markdown's escapes (``fuel\\_to\\_dprk``) and HTML are noise.
"""

from __future__ import annotations

import sys
from typing import Any

from ..errors import DeliveryError
from ..records import Digest


def deliver_stdout(digest: Digest, config: Any) -> str:
    """Print the digest's plain-text body."""
    try:
        sys.stdout.write(digest.text)
        sys.stdout.flush()
    except OSError as exc:
        raise DeliveryError(f"stdout: cannot write: {exc.strerror or exc}") from None
    return "text on stdout"
