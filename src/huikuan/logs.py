"""One logging setup for every command: the level from `HUIKUAN_LOG_LEVEL`, and nothing that
could carry personal data at any level.

- SQLAlchemy's own loggers stay at WARNING whatever the level: at INFO they print statement
  parameters and at DEBUG result rows, which hold personal data (engines are also created with
  `hide_parameters`, so a database error's message carries no values either).
- Every formatted line, exception text included, passes a redactor that masks what looks like
  a phone number (Chinese mobiles, E.164, US formats) or a Chinese ID number. Code logs ids
  only (docs/architecture.md); this is the net under that rule, not the rule. Names cannot be
  recognised by pattern, which is why the rule is ids only.

The level is read from the environment directly, not through `Settings`, so configuring logs
costs the CLI's start-up nothing.
"""

from __future__ import annotations

import logging
import os
import re

from huikuan.errors import InvalidInput

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = ("sqlalchemy", "alembic", "httpx", "httpcore", "faster_whisper", "urllib3")

# Digits not part of a longer number: CN mobile (optionally +86), CN resident ID (18, X check),
# E.164 with a plus, and US numbers written with separators.
_PERSONAL = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
    r"|\d{17}[\dXx]"
    r"|\+\d{8,15}"
    r"|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}"
    r")(?![\w])"
)


def redact(text: str) -> str:
    """`text` with phone-number and ID-number shapes replaced by a marker."""
    return _PERSONAL.sub("[redacted]", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def level_from_env(default: str = "WARNING") -> int:
    name = (os.environ.get("HUIKUAN_LOG_LEVEL") or default).strip().upper()
    if name not in LEVELS:
        raise InvalidInput(
            f"HUIKUAN_LOG_LEVEL 无效 / unknown log level {name!r} (allowed: {', '.join(LEVELS)})"
        )
    return int(getattr(logging, name))


def configure(default: str = "WARNING") -> None:
    """Route every logger to stderr at the configured level (once per process)."""
    root = logging.getLogger()
    root.setLevel(level_from_env(default))
    if not any(isinstance(h.formatter, RedactingFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
