"""Domain errors: each carries its meaning and the HTTP status the web layer maps it to.

Messages never contain personal data (names, numbers, ID numbers): only ids, row numbers and
column names, because they end up in logs, CLI output and API responses.
"""

from __future__ import annotations


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
