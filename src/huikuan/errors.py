"""Domain errors: each carries its meaning and the HTTP status the web layer maps it to.

Messages never contain personal data (names, numbers, ID numbers): only ids, row numbers and
column names, because they end up in logs, CLI output and API responses.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar


class HuikuanError(Exception):
    """Base of every error the product reports to a person as one clear line."""

    status_code: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HuikuanError):
    status_code = 404


class Conflict(HuikuanError):
    status_code = 409


class InvalidInput(HuikuanError):
    status_code = 422


class UnreadableFile(InvalidInput):
    """A whole input file cannot be read; nothing was written."""


class PermissionDenied(HuikuanError):
    status_code = 403


E = TypeVar("E", bound=StrEnum)


def one_of(kind: type[E], value: str, zh: str, en: str, allowed: Iterable[E] | None = None) -> E:
    """`value` as a member of `kind`, or InvalidInput naming what is allowed ("未知状态 / unknown
    state (allowed: …)"); `allowed` narrows the listed choices to those the caller accepts."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in (kind if allowed is None else allowed))
        raise InvalidInput(f"未知{zh} / unknown {en} (allowed: {choices})") from None
