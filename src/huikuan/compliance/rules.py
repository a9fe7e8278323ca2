"""Rule packs: each rule is a pure function over a `RuleInput` with an id from COMPLIANCE.md.

A pack is an ordered list of rules. A rule returns None when it has nothing against the
proposed contact, or a denying `Decision` that names itself and says when it could next allow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from huikuan.compliance.schemas import (
    ALLOWED_REASON_EN,
    ALLOWED_REASON_ZH,
    Decision,
    HistoryEntry,
    RuleInput,
)
from huikuan.errors import InvalidInput
from huikuan.types import CallOutcome, ContactStatus, Relation

Rule = Callable[[RuleInput], Decision | None]


@dataclass(frozen=True, slots=True)
class LocalWindow:
    start: time
    end: time  # exclusive


CN_WINDOW = LocalWindow(start=time(8), end=time(22))  # GB/T 45251-2025: no contact 22:00-08:00
CN_MAX_CONVERSATIONS_PER_DAY = 3
CN_MAX_DIALS_PER_NUMBER_PER_DAY = 6
CN_UNREACHABLE_AFTER_FAILURES = 3
FAILED_OUTCOMES = frozenset(
    {
        CallOutcome.NO_ANSWER,
        CallOutcome.BUSY,
        CallOutcome.POWERED_OFF,
        CallOutcome.REJECTED,
        CallOutcome.INVALID_NUMBER,
        CallOutcome.FAILED,
    }
)
THIRD_PARTY_RELATIONS = frozenset({Relation.EMERGENCY_CONTACT, Relation.FAMILY})


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day_bounds(at: datetime, tz: str) -> tuple[datetime, datetime]:
    """The local calendar day containing `at`, as [start, end) aware instants."""
    local = at.astimezone(zone(tz))
    start = datetime.combine(local.date(), time(0), tzinfo=zone(tz))
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone(tz))
    return start, end


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(zone(tz)).date()


def _deny(rule: str, zh: str, en: str, next_allowed_at: datetime | None) -> Decision:
    return Decision(allowed=False, rule=rule, reason_zh=zh, reason_en=en, next_allowed_at=next_allowed_at)


def _same_local_day(entries: Sequence[HistoryEntry], at: datetime, tz: str) -> list[HistoryEntry]:
    start, end = local_day_bounds(at, tz)
    return [e for e in entries if start <= e.at < end]


def cn_time(inp: RuleInput) -> Decision | None:
    """CN.TIME: only within [08:00, 22:00) in the debtor's local time."""
    tz = inp.debtor.timezone
    local = inp.proposal.at.astimezone(zone(tz))
    if CN_WINDOW.start <= local.time() < CN_WINDOW.end:
        return None
    day = local.date() if local.time() < CN_WINDOW.start else local.date() + timedelta(days=1)
    nxt = datetime.combine(day, CN_WINDOW.start, tzinfo=zone(tz))
    return _deny(
        "CN.TIME",
        "当前不在允许联系的时段（债务人当地时间 08:00–22:00）",
        "outside the contact window 08:00-22:00 in the debtor's local time",
        nxt,
    )


def cn_stop(inp: RuleInput) -> Decision | None:
    """CN.STOP: an open complaint, dispute or cease request stops all contact until cleared."""
    if not inp.flags.open_stops:
        return None
    kinds = ",".join(sorted(k.value for k in inp.flags.open_stops))
    return _deny(
        "CN.STOP",
        f"存在未解除的投诉/争议/停止联系请求（{kinds}），须人工处理后方可联系",
        f"an open stop ({kinds}) blocks all contact until a person clears it",
        None,
    )


def cn_employer(inp: RuleInput) -> Decision | None:
    """CN.EMPLOYER: the debtor's employer or workplace is never contacted."""
    if inp.contact.relation != Relation.EMPLOYER:
        return None
    return _deny("CN.EMPLOYER", "禁止联系债务人的工作单位", "the debtor's employer is never contacted", None)


def cn_conversations_per_day(inp: RuleInput) -> Decision | None:
    """CN.CONV_PER_DAY: at most 3 connected conversations per local day, across all numbers.

    Stricter readings taken: every conversation recorded for the debtor counts, whoever answered,
    and a reservation still in progress counts as a conversation, so two workers cannot both
    start the third; once the cap is reached, no number of the debtor's is called that day.
    """
    tz = inp.debtor.timezone
    today = _same_local_day(inp.history, inp.proposal.at, tz)
    n = sum(1 for e in today if e.conversation or e.outcome is None)
    if n < CN_MAX_CONVERSATIONS_PER_DAY:
        return None
    return _deny(
        "CN.CONV_PER_DAY",
        f"债务人当日已通话{n}次，达到每日3次上限",
        f"{n} conversations with the debtor already today (cap 3 per local day)",
        local_day_bounds(inp.proposal.at, tz)[1],
    )


def cn_dials_per_number(inp: RuleInput) -> Decision | None:
    """CN.DIALS_PER_NUMBER: at most 6 dials to one number per local day, whatever the outcomes."""
    tz = inp.debtor.timezone
    key = inp.contact.number_key
    n = sum(1 for e in _same_local_day(inp.history, inp.proposal.at, tz) if e.number_key == key)
    if n < CN_MAX_DIALS_PER_NUMBER_PER_DAY:
        return None
    return _deny(
        "CN.DIALS_PER_NUMBER",
        f"该号码当日已拨打{n}次，达到每日6次上限",
        f"{n} dials to this number already today (cap 6 per local day)",
        local_day_bounds(inp.proposal.at, tz)[1],
    )


def debtor_unreachable(inp: RuleInput) -> bool:
    """Every known debtor number is invalid, or the last 3+ debtor attempts all failed."""
    own = [c for c in inp.debtor.contacts if c.relation == Relation.SELF]
    if all(c.status == ContactStatus.INVALID for c in own):
        return True
    attempts = sorted((e for e in inp.history if e.relation == Relation.SELF), key=lambda e: e.at)
    recent = attempts[-CN_UNREACHABLE_AFTER_FAILURES:]
    return len(recent) == CN_UNREACHABLE_AFTER_FAILURES and all(e.outcome in FAILED_OUTCOMES for e in recent)


def cn_third_party(inp: RuleInput) -> Decision | None:
    """CN.THIRD_PARTY: family and emergency contacts only when the debtor is unreachable.

    Someone who refused further contact is never called again. An in-progress debtor attempt
    is not a failure, so it keeps the debtor "reachable" (the stricter reading).
    """
    contact = inp.contact
    if contact.relation not in THIRD_PARTY_RELATIONS:
        return None
    refused = contact.refused_contact or any(
        e.contact_id == contact.id and e.refused_further_contact for e in inp.history
    )
    if refused:
        return _deny(
            "CN.THIRD_PARTY",
            "该联系人已明确拒绝再被联系",
            "this third party refused further contact",
            None,
        )
    if debtor_unreachable(inp):
        return None
    return _deny(
        "CN.THIRD_PARTY",
        "债务人本人可联系时不得联系第三方",
        "third parties may be contacted only when the debtor is unreachable",
        None,
    )


@dataclass(frozen=True, slots=True)
class RulePack:
    id: str
    rules: tuple[tuple[str, Rule], ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule_id for rule_id, _ in self.rules)

    def evaluate(self, inp: RuleInput) -> list[Decision]:
        """Every denial, in pack order (empty when the contact is allowed)."""
        return [d for _, rule in self.rules if (d := rule(inp)) is not None]

    def decide(self, inp: RuleInput) -> Decision:
        """The first denial in pack order, or an allowance; `next_allowed_at` is combined.

        The combined next time is found by re-asking the pack at each denial's next time (the
        history fixed), so e.g. a day cap that lifts at midnight waits for 08:00 too.
        """
        denials = self.evaluate(inp)
        if not denials:
            return Decision(True, None, ALLOWED_REASON_ZH, ALLOWED_REASON_EN)
        first = denials[0]
        nxt = _combined_next(self, inp, denials)
        return replace(first, next_allowed_at=nxt, denials=tuple(d.rule or "" for d in denials))


def _combined_next(pack: RulePack, inp: RuleInput, denials: list[Decision]) -> datetime | None:
    current = denials
    for _ in range(8):
        times = [d.next_allowed_at for d in current]
        if any(t is None for t in times):
            return None
        at = max(t for t in times if t is not None)
        probe = replace(inp, proposal=replace(inp.proposal, at=at))
        current = pack.evaluate(probe)
        if not current:
            return at
    return None


CN_PACK = RulePack(
    id="CN-NIFA-2025",
    rules=(
        ("CN.STOP", cn_stop),
        ("CN.EMPLOYER", cn_employer),
        ("CN.THIRD_PARTY", cn_third_party),
        ("CN.TIME", cn_time),
        ("CN.CONV_PER_DAY", cn_conversations_per_day),
        ("CN.DIALS_PER_NUMBER", cn_dials_per_number),
    ),
)

PACKS: dict[str, RulePack] = {"CN": CN_PACK}
LOOKBACK = timedelta(days=30)


def pack_for(jurisdiction: str) -> RulePack:
    """The rule pack of a jurisdiction; unknown ones are refused, never silently allowed."""
    try:
        return PACKS[jurisdiction]
    except KeyError:
        raise UnknownJurisdiction(jurisdiction) from None


class UnknownJurisdiction(InvalidInput):
    def __init__(self, jurisdiction: str) -> None:
        super().__init__(f"no compliance rule pack for jurisdiction {jurisdiction!r}")
