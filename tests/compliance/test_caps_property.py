"""CN pack caps as a property: whatever is asked, in whatever order, what it allows stays in caps.

Hypothesis draws a debtor with one to three numbers of their own and a run of steps over three
local days in Asia/Shanghai: either a proposal (an instant and a number), fed to
`CN_PACK.decide` with the history so far and appended to it when allowed, or the outcome of an
earlier allowed call arriving later (answered or not, a conversation or not), as the dialer
records it. Proposals come in any order, not only forwards in time, so a rule that only looked
backwards would be caught.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from huikuan.compliance.rules import CN_PACK
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Decision,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
)
from huikuan.types import CallOutcome, ContactStatus, Relation

SH = ZoneInfo("Asia/Shanghai")
# The regulation's figures (COMPLIANCE.md), stated here rather than read from the pack under test.
WINDOW_START, WINDOW_END = time(8), time(22)
MAX_CONVERSATIONS_PER_DAY = 3
MAX_DIALS_PER_NUMBER_PER_DAY = 6
FIRST_DAY = date(2026, 3, 9)
DAYS = 3
DEBTOR = 7


class Decides(Protocol):
    def decide(self, inp: RuleInput) -> Decision: ...


@dataclass(frozen=True)
class Propose:
    at: datetime
    number: int  # index into the debtor's numbers, modulo how many there are


@dataclass(frozen=True)
class Resolve:
    which: int  # index into the in-progress entries, modulo how many there are
    outcome: CallOutcome
    conversation: bool


def _local(day: int, t: time) -> datetime:
    return datetime.combine(FIRST_DAY + timedelta(days=day), t, tzinfo=SH).astimezone(UTC)


# Instants anywhere in the local days, most inside the window (where the caps matter), with
# the window's and the day's edges drawn often.
EDGES = [time(0), time(7, 59, 59), time(8), time(21, 59, 59), time(22), time(23, 59, 59)]
days = st.integers(0, DAYS - 1)
instants = st.one_of(
    st.builds(_local, days, st.times(min_value=time(8), max_value=time(21, 59, 59))),
    st.builds(_local, days, st.times(min_value=time(8), max_value=time(21, 59, 59))),
    st.builds(_local, days, st.times()),
    st.builds(_local, days, st.sampled_from(EDGES)),
)
# Answered calls drawn often too, or the conversation cap would hardly ever be reached.
outcomes = st.one_of(st.just(CallOutcome.ANSWERED), st.sampled_from(list(CallOutcome)))
steps = st.lists(
    st.one_of(
        st.builds(Propose, at=instants, number=st.integers(0, 2)),
        st.builds(Propose, at=instants, number=st.integers(0, 2)),
        st.builds(Resolve, which=st.integers(0, 50), outcome=outcomes, conversation=st.booleans()),
    ),
    min_size=40,  # Hypothesis keeps lists short unless told; caps need a busy day to be reached
    max_size=80,
)
Drawn = tuple[CallOutcome, bool] | None
# An outcome drawn at the moment of the reservation: None keeps it in progress. Unanswered
# calls are drawn often, or the dial cap would hardly ever be reached behind the conversation cap.
unanswered = st.sampled_from([o for o in CallOutcome if o != CallOutcome.ANSWERED])
outcome_at_reservation = st.one_of(
    st.none(),
    st.tuples(unanswered, st.just(False)),
    st.tuples(outcomes, st.booleans()),
)


def _numbers(n: int) -> tuple[ContactInfo, ...]:
    return tuple(
        ContactInfo(
            id=i + 1, debtor_id=DEBTOR, relation=Relation.SELF, status=ContactStatus.VALID, number_key=f"k{i}"
        )
        for i in range(n)
    )


def _entry(
    contact: ContactInfo, at: datetime, outcome: CallOutcome | None, conversation: bool
) -> HistoryEntry:
    # The ledger's conversation flag only ever marks an answered call.
    return HistoryEntry(
        contact_id=contact.id,
        number_key=contact.number_key,
        relation=contact.relation,
        at=at,
        outcome=outcome,
        conversation=conversation and outcome == CallOutcome.ANSWERED,
    )


def run(
    pack: Decides,
    contacts: tuple[ContactInfo, ...],
    plan: list[Propose | Resolve],
    draw_outcome: Callable[[], Drawn],
    denied_by: list[str] | None = None,
) -> list[HistoryEntry]:
    """Feed the plan through the pack; the history of everything it allowed, outcomes applied.

    The rule of every denial is appended to `denied_by`, when given.
    """
    denied_by = [] if denied_by is None else denied_by
    debtor = DebtorInfo(id=DEBTOR, jurisdiction="CN", timezone="Asia/Shanghai", contacts=contacts)
    history: list[HistoryEntry] = []
    for step in plan:
        if isinstance(step, Resolve):
            pending = [i for i, e in enumerate(history) if e.outcome is None]
            if pending:
                i = pending[step.which % len(pending)]
                history[i] = _entry(
                    contacts[history[i].contact_id - 1], history[i].at, step.outcome, step.conversation
                )
            continue
        contact = contacts[step.number % len(contacts)]
        inp = RuleInput(
            debtor=debtor, history=tuple(history), flags=Flags(), proposal=Proposal(contact, step.at)
        )
        decision = pack.decide(inp)
        if decision.allowed:
            drawn = draw_outcome()
            outcome, conversation = (None, False) if drawn is None else drawn
            history.append(_entry(contact, step.at, outcome, conversation))
        else:
            denied_by.append(decision.rule or "")
        if not decision.allowed and decision.next_allowed_at is not None:
            # The combined next time really is later, and allowed with the history as it is.
            assert decision.next_allowed_at > step.at
            later = replace(inp, proposal=replace(inp.proposal, at=decision.next_allowed_at))
            assert pack.decide(later).allowed
    return history


def violations(history: list[HistoryEntry]) -> list[str]:
    """Every cap or window the history breaks, by local day (conversations count in-progress).

    A call that failed on our side (`trunk_failed`: the trunk, not the phone) dialled nobody: it
    is no dial and no conversation, though it still had to be inside the window when reserved.
    """
    conversations: Counter[date] = Counter()
    dials: Counter[tuple[str, date]] = Counter()
    found: list[str] = []
    for e in history:
        local = e.at.astimezone(SH)
        if not WINDOW_START <= local.time() < WINDOW_END:
            found.append(f"allowed at {local.time()} local")
        if e.outcome == CallOutcome.TRUNK_FAILED:
            continue
        dials[(e.number_key, local.date())] += 1
        if e.conversation or e.outcome is None:
            conversations[local.date()] += 1
    found += [f"{n} conversations on {d}" for d, n in conversations.items() if n > MAX_CONVERSATIONS_PER_DAY]
    found += [f"{n} dials to {k} on {d}" for (k, d), n in dials.items() if n > MAX_DIALS_PER_NUMBER_PER_DAY]
    return found


@settings(max_examples=150, deadline=None)
@given(numbers=st.integers(1, 3), plan=steps, data=st.data())
def test_cn_pack_never_allows_beyond_its_caps_or_window(
    numbers: int, plan: list[Propose | Resolve], data: st.DataObject
) -> None:
    denied_by: list[str] = []
    history = run(CN_PACK, _numbers(numbers), plan, lambda: data.draw(outcome_at_reservation), denied_by)
    for rule in sorted(set(denied_by)):
        event(f"denied by {rule}")  # shown by --hypothesis-show-statistics: are caps reached?
    assert violations(history) == []


class Forgetful:
    """The bug the caps exist to catch: deciding as if nothing had been dialled yet."""

    def decide(self, inp: RuleInput) -> Decision:
        return CN_PACK.decide(replace(inp, history=()))


def test_the_property_catches_a_pack_that_forgets_the_history() -> None:
    """The check can fail: deciding on an empty history lets seven unanswered calls through."""
    plan: list[Propose | Resolve] = [Propose(_local(0, time(9, m)), 0) for m in range(7)]
    no_answer: Drawn = (CallOutcome.NO_ANSWER, False)
    history = run(Forgetful(), _numbers(1), plan, lambda: no_answer)
    assert violations(history) == [f"7 dials to k0 on {FIRST_DAY}"]
    assert len(run(CN_PACK, _numbers(1), plan, lambda: no_answer)) == MAX_DIALS_PER_NUMBER_PER_DAY
