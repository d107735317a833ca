"""Counts in messages: ``plural(1, "alert")`` is "1 alert", ``plural(2, "alert")`` "2 alerts"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural (``many``, else noun + "s") unless count is 1."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
