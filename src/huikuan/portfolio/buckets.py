"""Delinquency buckets (M0…M6+) from days past due.

Buckets are industry vocabulary (M1 = first month overdue …), not a library concept, so this is a
small table of our own. Ranges are configurable through `BucketScheme`; the defaults are:

- "current": not overdue and due in more than `reminder_days` (3) days: nobody is called;
- M0: due within 3 days (or today), not yet overdue: a reminder;
- M1 1–30, M2 31–60, M3 61–90, M4 91–120, M5 121–150, M6 151–180 days past due;
- M6+: more than 180 days past due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CURRENT = "current"
M0 = "M0"


@dataclass(frozen=True, slots=True)
class BucketScheme:
    """Bucket boundaries: each `(name, last_day)` covers the days after the previous one."""

    reminder_days: int = 3
    limits: tuple[tuple[str, int], ...] = (
        ("M1", 30),
        ("M2", 60),
        ("M3", 90),
        ("M4", 120),
        ("M5", 150),
        ("M6", 180),
    )
    beyond: str = "M6+"

    def __post_init__(self) -> None:
        if self.reminder_days < 0:
            raise ValueError("reminder_days must not be negative")
        last = 0
        for _, limit in self.limits:
            if limit <= last:
                raise ValueError("bucket limits must increase")
            last = limit

    @property
    def names(self) -> tuple[str, ...]:
        """All bucket names in order, from "current" to the last."""
        return (CURRENT, M0, *(name for name, _ in self.limits), self.beyond)

    def bucket(self, days_past_due: int) -> str:
        """The bucket of an account `days_past_due` days overdue (≤ 0: not yet due)."""
        if days_past_due <= 0:
            return M0 if -days_past_due <= self.reminder_days else CURRENT
        for name, limit in self.limits:
            if days_past_due <= limit:
                return name
        return self.beyond

    def days_range(self, name: str) -> tuple[int, int | None]:
        """Inclusive range of days past due of an overdue bucket (M1…M6+); None = no upper end."""
        if name == M0:
            return (-self.reminder_days, 0)
        first = 1
        for bucket_name, limit in self.limits:
            if bucket_name == name:
                return (first, limit)
            first = limit + 1
        if name == self.beyond:
            return (first, None)
        raise ValueError(f"unknown bucket {name!r}")


DEFAULT_SCHEME = BucketScheme()


def days_past_due(due_date: date, as_of: date) -> int:
    """Signed days past due: negative while the due date is still ahead."""
    return (as_of - due_date).days


def bucket_for(due_date: date, as_of: date, scheme: BucketScheme = DEFAULT_SCHEME) -> str:
    """The bucket of an account due on `due_date`, seen on `as_of`."""
    return scheme.bucket(days_past_due(due_date, as_of))
