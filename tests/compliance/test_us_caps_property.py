"""US pack caps as a property: 7-in-7, day 8 after a conversation and the hours, in every zone.

Hypothesis draws one or two candidate zones and a run of proposals over ten days, in any order;
allowed ones join the history with a drawn outcome. Whatever was allowed must, read in each
candidate zone's calendar, never hold 8 placed calls in 7 consecutive local days, never hold a
call on local days 2–7 after a conversation, and never fall outside 08:00–21:00 local.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.compliance.rules import US_PACK
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
)
from huikuan.types import CallOutcome, ContactStatus, Relation

# The regulation's figures (COMPLIANCE.md), stated here rather than read from the pack.
START, END = time(8), time(21)
MAX_CALLS_IN_7_DAYS = 7
FIRST_DAY = date(2026, 10, 27)  # the window crosses the US autumn DST change (Nov 1)
NOT_PLACED = {CallOutcome.BUSY, CallOutcome.INVALID_NUMBER}
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"]
NUMBERS = tuple(
    ContactInfo(id=i + 1, debtor_id=1, relation=Relation.SELF, status=ContactStatus.VALID, number_key=f"k{i}")
    for i in range(2)
)

instants = st.builds(
    lambda day, minutes: (
        datetime.combine(FIRST_DAY + timedelta(days=day), time(0), tzinfo=UTC) + timedelta(minutes=minutes)
    ),
    st.integers(0, 9),
    st.integers(0, 24 * 60 - 1),
)
# Mostly calls nobody answers (so 7-in-7 is reached), some conversations, some not placed.
outcomes = st.sampled_from(
    [CallOutcome.NO_ANSWER] * 6 + [CallOutcome.BUSY, CallOutcome.INVALID_NUMBER, CallOutcome.ANSWERED]
)


def _placed_days(history: list[HistoryEntry], tz: str) -> list[date]:
    return [e.at.astimezone(ZoneInfo(tz)).date() for e in history if e.outcome not in NOT_PLACED]


def violations(history: list[HistoryEntry], zones: list[str]) -> list[str]:
    found = []
    for tz in zones:
        days = _placed_days(history, tz)
        for first in {d - timedelta(days=k) for d in days for k in range(7)}:
            n = sum(1 for d in days if first <= d <= first + timedelta(days=6))
            if n > MAX_CALLS_IN_7_DAYS:
                found.append(f"{n} calls in the 7 local days from {first} ({tz})")
        talks = [e for e in history if e.conversation]
        for e in history:
            day = e.at.astimezone(ZoneInfo(tz)).date()
            # The conversation's day is day 1 of the period: a later call that day counts too.
            if any(
                t.at < e.at and day < t.at.astimezone(ZoneInfo(tz)).date() + timedelta(days=7) for t in talks
            ):
                found.append(f"call on {day} within 7 days of a conversation ({tz})")
            if not START <= e.at.astimezone(ZoneInfo(tz)).time() < END:
                found.append(f"call at {e.at.astimezone(ZoneInfo(tz)).time()} local ({tz})")
    return found


@settings(max_examples=120, deadline=None)
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True),
    plan=st.lists(st.tuples(instants, st.integers(0, 1), outcomes), min_size=30, max_size=90),
)
def test_us_pack_never_allows_beyond_its_caps_or_hours(
    zones: list[str], plan: list[tuple[datetime, int, CallOutcome]]
) -> None:
    debtor = DebtorInfo(
        id=1, jurisdiction="US", timezone=zones[0], contacts=NUMBERS, other_timezones=tuple(zones[1:])
    )
    history: list[HistoryEntry] = []
    for at, number, outcome in plan:
        contact = NUMBERS[number]
        inp = RuleInput(debtor=debtor, history=tuple(history), flags=Flags(), proposal=Proposal(contact, at))
        if US_PACK.decide(inp).allowed:
            history.append(
                HistoryEntry(
                    contact_id=contact.id,
                    number_key=contact.number_key,
                    relation=Relation.SELF,
                    at=at,
                    outcome=outcome,
                    conversation=outcome == CallOutcome.ANSWERED,
                )
            )
    assert violations(history, zones) == []


def test_the_check_can_fail() -> None:
    """Eight unanswered calls on one day break the 7-in-7 reading; a call the day after a
    conversation breaks the day-8 reading."""
    at = datetime(2026, 10, 28, 15, tzinfo=UTC)
    eight = [
        HistoryEntry(1, "k0", Relation.SELF, at + timedelta(minutes=k), CallOutcome.NO_ANSWER, False)
        for k in range(8)
    ]
    assert violations(eight, ["America/New_York"])
    talk_then_call = [
        HistoryEntry(1, "k0", Relation.SELF, at, CallOutcome.ANSWERED, True),
        HistoryEntry(1, "k0", Relation.SELF, at + timedelta(days=1), CallOutcome.NO_ANSWER, False),
    ]
    assert violations(talk_then_call, ["America/New_York"])
