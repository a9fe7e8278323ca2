"""Retry rules per outcome: when a debtor's task is due again, or why it is done.

Pure functions over plain values. A campaign stores overrides of `RetryConfig` as JSON; the
rules never decide whether a contact is *allowed* (compliance.reserve does, at every dial),
only when the dialer asks again. Every due time is moved into the campaign's calling window
in the debtor's local time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from huikuan.errors import InvalidInput
from huikuan.types import CallOutcome, Disposition

# A call that ended with one of these needs no more calls in this campaign.
FINAL_DISPOSITIONS = frozenset(
    {
        Disposition.PAID,
        Disposition.DISPUTE,
        Disposition.HARDSHIP,
        Disposition.INSTALLMENT,
        Disposition.REFUSED,
        Disposition.TRANSFERRED,
        Disposition.CEASE_REQUESTED,
        Disposition.COMPLAINT,
        Disposition.ABUSIVE_HANGUP,
        Disposition.DECEASED,  # a hold (stop `deceased`) until a person reviews the account
    }
)
# Someone other than the debtor answered the debtor's own number.
NOT_THE_DEBTOR = frozenset({Disposition.WRONG_NUMBER, Disposition.THIRD_PARTY})
# Denials about one number: try the debtor's other numbers; the rest wait for next_allowed_at.
PER_CONTACT_DENIALS = frozenset(
    {"CN.DIALS_PER_NUMBER", "CN.EMPLOYER", "CN.THIRD_PARTY", "US.THIRD_PARTY", "US.EMPLOYER"}
)


MAX_SETTING = 10**8  # seconds (three years) or counts: beyond it a setting is a typo


@dataclass(frozen=True, slots=True)
class RetryConfig:
    """Delays and limits of the retry rules; a campaign overrides any of them (seconds in JSON)."""

    no_answer_delay: timedelta = timedelta(hours=2)
    max_no_answers_per_day: int = 3
    busy_delay: timedelta = timedelta(minutes=10)
    rejected_delay: timedelta = timedelta(hours=1)
    failed_delay: timedelta = timedelta(minutes=10)
    not_debtor_delay: timedelta = timedelta(hours=2)  # a third party answered: the debtor later
    next_number_delay: timedelta = timedelta(minutes=1)  # another number of the same debtor
    trunk_failed_delay: timedelta = timedelta(minutes=1)  # our trunk failed: not the debtor's doing
    max_attempts: int | None = None  # per task over the campaign (None: no limit)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RetryConfig:
        """Defaults overridden by a campaign's JSON (delays in seconds); unknown keys refused."""
        data = data or {}
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise InvalidInput(f"未知的重试参数 / unknown retry settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if value is None:
                values[name] = None
                continue
            if not isinstance(value, int | float) or not 0 <= value <= MAX_SETTING:
                raise InvalidInput(
                    f"重试参数 {name} 须为 0–{MAX_SETTING} 的数 / retry setting {name} must be >= 0 "
                    f"and <= {MAX_SETTING}"
                )
            default = getattr(cls(), name)
            values[name] = timedelta(seconds=value) if isinstance(default, timedelta) else int(value)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {k: (v.total_seconds() if isinstance(v, timedelta) else v) for k, v in asdict(self).items()}


@dataclass(slots=True)
class TaskMemory:
    """What the dialer learnt about a debtor's numbers today (kept on the task, survives restarts)."""

    day: str | None = None  # the debtor's local day these counts belong to
    dials: dict[int, int] = field(default_factory=dict)  # contact → dials today
    blocked: set[int] = field(default_factory=set)  # contacts not to dial again today
    own_failures: int = 0  # own-number attempts in a row that reached nobody
    no_answers: int = 0  # today

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TaskMemory:
        data = data or {}
        return cls(
            day=data.get("day"),
            dials={int(k): int(v) for k, v in (data.get("dials") or {}).items()},
            blocked={int(c) for c in data.get("blocked") or ()},
            own_failures=int(data.get("own_failures", 0)),
            no_answers=int(data.get("no_answers", 0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "dials": {str(k): v for k, v in self.dials.items()},
            "blocked": sorted(self.blocked),
            "own_failures": self.own_failures,
            "no_answers": self.no_answers,
        }

    def roll_to(self, day: date) -> None:
        """A new local day forgets yesterday's counts and blocks (own failures carry over)."""
        if self.day != day.isoformat():
            self.day = day.isoformat()
            self.dials.clear()
            self.blocked.clear()
            self.no_answers = 0


@dataclass(frozen=True, slots=True)
class Window:
    """The campaign's calling window in one debtor's local time."""

    start: time
    end: time
    tz: str
    # The debtor's best local hour to answer (their profile's reach by hour): a task moved to a
    # later day is due then rather than at the opening, when that hour is inside the window.
    preferred_hour: int | None = None

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.tz)).time()
        return self.start <= local < self.end

    def local_day(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.tz)).date()

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, self.start, tzinfo=ZoneInfo(self.tz))

    def next_day_start(self, at: datetime) -> datetime:
        """The next local day's first due time: the preferred hour if inside the window, else the opening."""
        day = self.local_day(at) + timedelta(days=1)
        if self.preferred_hour is not None and self.start <= time(self.preferred_hour) < self.end:
            return max(
                self.start_of(day), datetime.combine(day, time(self.preferred_hour), tzinfo=ZoneInfo(self.tz))
            )
        return self.start_of(day)

    def clamp(self, at: datetime) -> datetime:
        """`at` if it is inside the window, else the window's next opening."""
        if self.contains(at):
            return at
        local = at.astimezone(ZoneInfo(self.tz))
        if local.time() < self.start:
            return self.start_of(local.date())
        return self.next_day_start(at)


@dataclass(frozen=True, slots=True)
class Next:
    """The task's next due time, or why it is done (exactly one is set)."""

    due_at: datetime | None = None
    done_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Attempted:
    """What the rules need to know of a finished call."""

    contact_id: int
    own_number: bool
    outcome: CallOutcome
    disposition: Disposition
    ended: datetime
    callback_at: datetime | None = None
    promise_due: date | None = None
    other_own_number: bool = False  # the debtor has another own number not blocked today


def after_attempt(
    call: Attempted, memory: TaskMemory, attempts: int, config: RetryConfig, window: Window
) -> Next:
    """The retry rule for a call's outcome; updates `memory` (today's counts and blocks)."""
    memory.roll_to(window.local_day(call.ended))
    if call.outcome == CallOutcome.TRUNK_FAILED:
        # Nobody was dialled: no count, no block, no attempt limit; the same task again soon.
        return Next(window.clamp(call.ended + config.trunk_failed_delay))
    memory.dials[call.contact_id] = memory.dials.get(call.contact_id, 0) + 1
    reached_debtor = call.outcome == CallOutcome.ANSWERED and call.own_number
    if call.own_number:
        memory.own_failures = 0 if reached_debtor else memory.own_failures + 1
    nxt = _rule(call, memory, config, window)
    if nxt.done_reason is None and config.max_attempts is not None and attempts >= config.max_attempts:
        return Next(done_reason="max_attempts")
    return nxt


def _rule(call: Attempted, memory: TaskMemory, config: RetryConfig, window: Window) -> Next:
    ended = call.ended
    if call.outcome == CallOutcome.ANSWERED:
        if not call.own_number or call.disposition in NOT_THE_DEBTOR:
            # Third-party rules: never that contact again today; compliance decides the rest.
            memory.blocked.add(call.contact_id)
            delay = config.next_number_delay if call.other_own_number else config.not_debtor_delay
            return Next(window.clamp(ended + delay))
        if call.disposition == Disposition.PTP and call.promise_due is not None:
            # No collection call until the promise's date has passed.
            return Next(window.start_of(call.promise_due + timedelta(days=1)))
        if call.disposition in FINAL_DISPOSITIONS or call.disposition == Disposition.PTP:
            return Next(done_reason=call.disposition.value)
        if call.callback_at is not None:
            return Next(window.clamp(max(call.callback_at, ended)))
        return Next(window.clamp(ended + config.not_debtor_delay))
    if call.outcome == CallOutcome.INVALID_NUMBER:
        # Compliance marked the contact invalid in the portfolio: it is never picked again.
        memory.blocked.add(call.contact_id)
        return Next(window.clamp(ended + config.next_number_delay))
    if call.outcome == CallOutcome.POWERED_OFF:
        memory.blocked.add(call.contact_id)
        if call.other_own_number:
            return Next(window.clamp(ended + config.next_number_delay))
        return Next(window.next_day_start(ended))
    if call.outcome == CallOutcome.BUSY:
        return Next(window.clamp(ended + config.busy_delay))
    if call.outcome == CallOutcome.REJECTED:
        return Next(window.clamp(ended + config.rejected_delay))
    if call.outcome == CallOutcome.FAILED:
        return Next(window.clamp(ended + config.failed_delay))
    # No answer (and voicemail): later today, at most N times a day.
    memory.no_answers += 1
    if memory.no_answers >= config.max_no_answers_per_day:
        return Next(window.next_day_start(ended))
    return Next(window.clamp(ended + config.no_answer_delay))


def after_denial(
    rule: str | None,
    next_allowed_at: datetime | None,
    contact_id: int,
    now: datetime,
    memory: TaskMemory,
    config: RetryConfig,
    window: Window,
) -> Next:
    """Compliance said no: a per-number denial tries the other numbers, the rest wait for
    `next_allowed_at`; a denial with no next time (a stop) ends the task."""
    memory.roll_to(window.local_day(now))
    if rule in PER_CONTACT_DENIALS:
        memory.blocked.add(contact_id)
        return Next(window.clamp(now + config.next_number_delay))
    if next_allowed_at is None:
        return Next(done_reason=f"denied:{rule or '?'}")
    return Next(window.clamp(max(next_allowed_at, now)))


def nothing_to_dial_today(now: datetime, window: Window) -> Next:
    """Every number is blocked or used up today: the next local day at the window's start."""
    return Next(window.next_day_start(now))
