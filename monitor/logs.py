"""Log formatting for ``--log-format json``: one JSON object per line, for log shippers.

Every line has ``time`` (ISO-8601 UTC), ``level``, ``logger`` and ``message``.
Structured fields given with ``extra=`` (``feed``, ``articles``, ``figures``,
``alerts``, ``error`` …, see ``FIELDS``) are added when present, and a
traceback, if any, goes under ``exception``. Configuring handlers is the job
of ``cli.py`` alone; this module only formats.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

#: the ``extra=`` keys copied into the JSON object when a log call gives them
FIELDS = ("feed", "url", "status", "articles", "figures", "alerts", "error", "failures", "next_due",
          "feeds", "pid", "job")


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            if key in record.__dict__:
                entry[key] = _plain(record.__dict__[key])
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _plain(value: object) -> object:
    """``value`` as something JSON holds as it is (datetimes as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return value
