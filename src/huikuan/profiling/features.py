"""Features of one account as of an instant, computed from its history (pure, no database).

The history is what outcomes and portfolio recorded: attempts, the intents the debtor's lines were
understood as, promises, payments, numbers. Every feature is computed as of `at` from events
before `at` only, so the same code builds the training rows of a past instant (the propensity
model's time split) and today's profile without looking ahead.

Emotions are not in the record yet (the transcript stores intents, not the NLU's emotion), so
anger is read from the abusive intent and the abusive hang-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from huikuan.types import CallOutcome, ContactStatus, Disposition, PromiseStatus, Relation

# Bump when a feature is added, removed or computed differently: stored with every profile and
# part of every model version, so a profile is never read with another version's meaning.
FEATURE_VERSION = "f1"

# Intents counted as features (the NLU's labels, debtor lines only).
COUNTED_INTENTS = (
    "promise_to_pay",
    "already_paid",
    "hardship",
    "request_installment",
    "dispute",
    "refuse_to_pay",
    "abusive",
    "complaint",
    "stop_contact",
    "callback_later",
    "wrong_number",
    "third_party",
    "ask_payment_method",
)
# Dispositions counted as features (what the call came to).
COUNTED_DISPOSITIONS = (
    Disposition.PTP,
    Disposition.PAID,
    Disposition.INSTALLMENT,
    Disposition.DISPUTE,
    Disposition.HARDSHIP,
    Disposition.REFUSED,
    Disposition.ABUSIVE_HANGUP,
    Disposition.COMPLAINT,
    Disposition.THIRD_PARTY,
    Disposition.WRONG_NUMBER,
    Disposition.CEASE_REQUESTED,
)
# The dispositions that are a commitment to pay (the propensity label on call history).
COMMITMENTS = frozenset({Disposition.PTP.value, Disposition.PAID.value, Disposition.INSTALLMENT.value})
_ANSWERED = CallOutcome.ANSWERED.value
_DEAD = frozenset({CallOutcome.INVALID_NUMBER.value, CallOutcome.POWERED_OFF.value})


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: int
    debtor_id: int
    bucket: str
    days_past_due: int  # as of `as_of`
    as_of_ordinal: int  # date.toordinal() of as_of
    principal: int
    outstanding: int
    overdue: int
    timezone: str
    has_national_id: bool
    has_region: bool


@dataclass(frozen=True, slots=True)
class AttemptRow:
    contact_id: int
    at: datetime
    outcome: str | None
    conversation: bool
    disposition: str


@dataclass(frozen=True, slots=True)
class PromiseRow:
    created_at: datetime
    due_ordinal: int
    status: str


@dataclass(frozen=True, slots=True)
class ContactRow:
    contact_id: int
    relation: str
    status: str


@dataclass
class History:
    """Everything recorded about one account, in time order (events after `at` are ignored)."""

    account: AccountRow
    contacts: list[ContactRow] = field(default_factory=list)
    attempts: list[AttemptRow] = field(default_factory=list)
    intents: list[tuple[str, datetime]] = field(default_factory=list)
    promises: list[PromiseRow] = field(default_factory=list)
    payments: list[tuple[int, datetime]] = field(default_factory=list)  # (amount, paid at)


@dataclass(frozen=True, slots=True)
class Features:
    """Numbers by name (the models' input) and the per-hour and per-number reach tables."""

    values: dict[str, float]
    reach_by_hour: dict[int, tuple[int, int]]  # local hour → (attempts, answered)
    reach_by_contact: dict[int, tuple[int, int]]  # contact id → (attempts, answered)
    bucket: str

    def __getitem__(self, name: str) -> float:
        return self.values[name]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _days(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 86400


def compute(history: History, at: datetime) -> Features:
    """The account's features as of `at`, from events strictly before `at`."""
    acc = history.account
    zone = ZoneInfo(acc.timezone)
    attempts = [a for a in history.attempts if a.at < at]
    intents = Counter(i for i, when in history.intents if when < at)
    promises = [p for p in history.promises if p.created_at < at]
    payments = [(amount, when) for amount, when in history.payments if when < at]
    dispositions = Counter(a.disposition for a in attempts)
    today = at.astimezone(zone).date().toordinal()

    by_hour: dict[int, list[int]] = {}
    by_contact: dict[int, list[int]] = {}
    for a in attempts:
        answered = int(a.outcome == _ANSWERED)
        for table, key in ((by_hour, a.at.astimezone(zone).hour), (by_contact, a.contact_id)):
            cell = table.setdefault(key, [0, 0])
            cell[0] += 1
            cell[1] += answered

    answered = sum(1 for a in attempts if a.outcome == _ANSWERED)
    rpc = sum(1 for a in attempts if a.conversation)
    dead = sum(1 for a in attempts if a.outcome in _DEAD)
    own = [c for c in history.contacts if c.relation == Relation.SELF.value]
    kept = sum(1 for p in promises if p.status == PromiseStatus.KEPT.value)
    # A pending promise past its due date with no payment since counts as broken until the
    # payments import says otherwise (the promise table is only updated by that import).
    paid_after = {p for p in promises for _, when in payments if when >= p.created_at}
    broken = sum(
        1
        for p in promises
        if p.status == PromiseStatus.BROKEN.value
        or (p.status == PromiseStatus.PENDING.value and p.due_ordinal < today and p not in paid_after)
    )
    values: dict[str, float] = {
        "days_past_due": float(acc.days_past_due + max(0, today - acc.as_of_ordinal)),
        "principal": float(acc.principal),
        "outstanding": float(acc.outstanding),
        "overdue": float(acc.overdue),
        "overdue_share": _ratio(acc.overdue, acc.outstanding),
        "payments": float(len(payments)),
        "paid_amount": float(sum(amount for amount, _ in payments)),
        "promises_made": float(len(promises)),
        "promises_kept": float(kept),
        "promises_broken": float(broken),
        "attempts": float(len(attempts)),
        "answered": float(answered),
        "right_party": float(rpc),
        "reach_rate": _ratio(answered, len(attempts)),
        "right_party_rate": _ratio(rpc, len(attempts)),
        "dead_line_attempts": float(dead),
        "days_since_first_attempt": _days(attempts[0].at, at) if attempts else 0.0,
        "days_since_last_answer": min(
            (_days(a.at, at) for a in attempts if a.outcome == _ANSWERED), default=-1.0
        ),
        "numbers": float(len(history.contacts)),
        "own_numbers": float(len(own)),
        "invalid_numbers": float(sum(1 for c in history.contacts if c.status == ContactStatus.INVALID.value)),
        "missing_national_id": float(not acc.has_national_id),
        "missing_region": float(not acc.has_region),
    }
    for intent in COUNTED_INTENTS:
        values[f"intent_{intent}"] = float(intents[intent])
    for disposition in COUNTED_DISPOSITIONS:
        values[f"disp_{disposition.value}"] = float(dispositions[disposition.value])
    return Features(
        values=values,
        reach_by_hour={h: (c[0], c[1]) for h, c in sorted(by_hour.items())},
        reach_by_contact={k: (c[0], c[1]) for k, c in sorted(by_contact.items())},
        bucket=acc.bucket,
    )


def feature_names() -> list[str]:
    """The model input's column order (every numeric feature, in a fixed order)."""
    return sorted(_SAMPLE_NAMES)


def vector(features: Features, names: Sequence[str]) -> list[float]:
    return [features.values[n] for n in names]


def commitments_between(history: History, start: datetime, end: datetime) -> tuple[bool, bool]:
    """(attempted in [start, end), made a commitment to pay in it: a PTP, plan or payment)."""
    attempted = any(start <= a.at < end for a in history.attempts)
    committed = any(start <= a.at < end and a.disposition in COMMITMENTS for a in history.attempts) or any(
        start <= when < end for _, when in history.payments
    )
    return attempted, committed


def best_hours(
    reach_by_hour: dict[int, tuple[int, int]], *, min_attempts: int = 2, top: int = 3
) -> list[int]:
    """Local hours ordered by answer rate (ties: more attempts first), those tried often enough."""
    tried = [(h, n, a) for h, (n, a) in reach_by_hour.items() if n >= min_attempts]
    tried.sort(key=lambda t: (-t[2] / t[1], -t[1], t[0]))
    return [h for h, _, a in tried[:top] if a > 0]


def _sample_names() -> Iterable[str]:
    from datetime import UTC

    empty = History(AccountRow(0, 0, "M1", 0, 0, 0, 0, 0, "UTC", True, True))
    return compute(empty, datetime(2000, 1, 1, tzinfo=UTC)).values.keys()


_SAMPLE_NAMES = frozenset(_sample_names())
