"""Building blocks the packs share: local days in every candidate zone, windows, holidays.

Every instant a rule returns is UTC: comparing aware datetimes that share a ZoneInfo compares
wall times, which is wrong across a DST fold, so rules compare and return in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from huikuan.compliance.packs.base import Params, Rule
from huikuan.compliance.schemas import Decision, HistoryEntry, RuleInput
from huikuan.types import CallOutcome, Channel, ContactStatus, Relation

# Outcomes in which nobody was reached: the attempts that make a debtor "unreachable".
FAILED_OUTCOMES = frozenset(
    {
        CallOutcome.NO_ANSWER,
        CallOutcome.BUSY,
        CallOutcome.POWERED_OFF,
        CallOutcome.REJECTED,
        CallOutcome.INVALID_NUMBER,
        CallOutcome.FAILED,
        CallOutcome.VOICEMAIL,
    }
)
THIRD_PARTIES = frozenset({Relation.EMERGENCY_CONTACT, Relation.FAMILY, Relation.EMPLOYER})


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(zone(tz)).date()


def local_midnight(day: date, tz: str) -> datetime:
    """The first instant of a local calendar day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def local_days_span(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """Local calendar days [first, last] as an [start, end) UTC interval."""
    return local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)


def entries_between(entries: Iterable[HistoryEntry], start: datetime, end: datetime) -> list[HistoryEntry]:
    return [e for e in entries if start <= e.at < end]


def deny(rule: str, zh: str, en: str, next_allowed_at: datetime | None) -> Decision:
    nxt = None if next_allowed_at is None else next_allowed_at.astimezone(UTC)
    return Decision(allowed=False, rule=rule, reason_zh=zh, reason_en=en, next_allowed_at=nxt)


def voice(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    return [e for e in entries if e.channel == Channel.VOICE]


def in_window(at: datetime, zones: Sequence[str], start: time, end: time) -> bool:
    return all(start <= at.astimezone(zone(z)).time() < end for z in zones)


def next_in_window(at: datetime, zones: Sequence[str], start: time, end: time) -> datetime | None:
    """The earliest instant ≥ `at` inside [start, end) in every zone; None if they never overlap.

    The overlap of the windows always begins at some zone's local `start`, so those instants
    over the next few days are the only candidates.
    """
    if in_window(at, zones, start, end):
        return at.astimezone(UTC)
    candidates = sorted(
        datetime.combine(local_date(at, z) + timedelta(days=k), start, tzinfo=zone(z)).astimezone(UTC)
        for z in zones
        for k in range(3)
    )
    return next((c for c in candidates if c >= at and in_window(c, zones, start, end)), None)


def window_rule(rule_id: str, zh: str, en: str) -> Rule:
    """A calling window [start, end) that must hold in every candidate zone of the debtor."""

    def rule(inp: RuleInput, params: Params) -> Decision | None:
        start, end = params.time("start"), params.time("end")
        zones = inp.debtor.timezones
        if in_window(inp.proposal.at, zones, start, end):
            return None
        window = f"{start:%H:%M}–{end:%H:%M}"
        return deny(
            rule_id,
            f"{zh}（债务人当地时间 {window}，涉及时区：{'、'.join(zones)}）",
            f"{en} ({window} local time in {', '.join(zones)})",
            next_in_window(inp.proposal.at, zones, start, end),
        )

    return rule


HolidayCheck = Callable[[date], bool]


def holiday_rule(rule_id: str, is_holiday: HolidayCheck) -> Rule:
    """The operator's optional "no calls on public holidays", in every candidate zone."""

    def rule(inp: RuleInput, params: Params) -> Decision | None:
        zones = inp.debtor.timezones
        at = inp.proposal.at
        if not any(is_holiday(local_date(at, z)) for z in zones):
            return None
        nxt = at
        for _ in range(40):  # Spring Festival is the longest run of holidays, about 9 days
            nxt = max(local_midnight(local_date(nxt, z) + timedelta(days=1), z) for z in zones)
            if not any(is_holiday(local_date(nxt, z)) for z in zones):
                break
        return deny(
            rule_id,
            "今天是债务人当地的法定节假日，按运营方设置不外呼",
            "a public holiday in the debtor's local calendar; the operator chose no calls on holidays",
            nxt,
        )

    return rule


def known_own_numbers(inp: RuleInput) -> set[str]:
    keys = {c.number_key for c in inp.debtor.contacts if c.relation == Relation.SELF}
    keys |= {e.number_key for e in inp.history if e.relation == Relation.SELF}
    if inp.contact.relation == Relation.SELF:
        keys.add(inp.contact.number_key)
    return keys


def number_invalid(inp: RuleInput, number_key: str) -> bool:
    """Known invalid: marked so, or its latest attempt found it not in service."""
    if any(c.number_key == number_key and c.status == ContactStatus.INVALID for c in inp.debtor.contacts):
        return True
    tried = [e for e in inp.history if e.number_key == number_key and e.outcome is not None]
    return bool(tried) and max(tried, key=lambda e: e.at).outcome == CallOutcome.INVALID_NUMBER


def debtor_unreachable(inp: RuleInput, after_failures: int) -> bool:
    """Every known own number is invalid, or the last `after_failures`+ own attempts all failed.

    Stricter readings: with no own number known at all, the debtor is not shown unreachable;
    an attempt still in progress is not a failure.
    """
    own = known_own_numbers(inp)
    if own and all(number_invalid(inp, k) for k in own):
        return True
    attempts = sorted((e for e in voice(inp.history) if e.relation == Relation.SELF), key=lambda e: e.at)
    recent = attempts[-after_failures:]
    return len(recent) == after_failures and all(e.outcome in FAILED_OUTCOMES for e in recent)


def calls_to_number(inp: RuleInput) -> list[HistoryEntry]:
    """Every voice entry to the proposed number, for this debtor or any other."""
    key = inp.contact.number_key
    return [e for e in voice(inp.history) if e.number_key == key] + voice(inp.number_history)


def refused_before(inp: RuleInput) -> bool:
    """The person at this number said never again, on this debtor's call or another's."""
    contact = inp.contact
    return contact.refused_contact or any(
        e.refused_further_contact
        for e in (*inp.history, *inp.number_history)
        if e.number_key == contact.number_key
    )
