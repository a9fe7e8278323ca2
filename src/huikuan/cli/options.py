"""Parsing shared by CLI options; bad values become one-line `InvalidInput` errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from huikuan.errors import InvalidInput


def parse_day(text: str, option: str, default: Callable[[], date] = date.today) -> date:
    """A `YYYY-MM-DD` option value, or `default()` when the option was left empty."""
    if not text:
        return default()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{option} must be YYYY-MM-DD") from exc
