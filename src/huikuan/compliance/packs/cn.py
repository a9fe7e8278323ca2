"""The CN pack's rule functions (GB/T 45251-2025; CBA guideline 2026). Specs: cn.yaml."""

from __future__ import annotations

from datetime import datetime

from huikuan.compliance.calendars import is_cn_public_holiday
from huikuan.compliance.packs.base import Params, Rule
from huikuan.compliance.packs.common import (
    calls_to_number,
    debtor_unreachable,
    deny,
    entries_between,
    holiday_rule,
    local_date,
    local_days_span,
    refused_before,
    voice,
    window_rule,
)
from huikuan.compliance.schemas import Decision, HistoryEntry, RuleInput
from huikuan.types import Channel, Relation

THIRD_PARTY_RELATIONS = frozenset({Relation.EMERGENCY_CONTACT, Relation.FAMILY})


def cn_stop(inp: RuleInput, params: Params) -> Decision | None:
    """CN.STOP: an open complaint, dispute or cease request stops all contact until cleared."""
    if not inp.flags.open_stops:
        return None
    kinds = ",".join(sorted(k.value for k in inp.flags.open_stops))
    return deny(
        "CN.STOP",
        f"存在未解除的投诉/争议/停止联系请求（{kinds}），须人工处理后方可联系",
        f"an open stop ({kinds}) blocks all contact until a person clears it",
        None,
    )


def cn_employer(inp: RuleInput, params: Params) -> Decision | None:
    """CN.EMPLOYER: the debtor's employer or workplace is never contacted."""
    if inp.contact.relation != Relation.EMPLOYER:
        return None
    return deny("CN.EMPLOYER", "禁止联系债务人的工作单位", "the debtor's employer is never contacted", None)


def cn_third_party(inp: RuleInput, params: Params) -> Decision | None:
    """CN.THIRD_PARTY: family and emergency contacts only when the debtor is unreachable."""
    if inp.contact.relation not in THIRD_PARTY_RELATIONS:
        return None
    if refused_before(inp):
        return deny(
            "CN.THIRD_PARTY", "该联系人已明确拒绝再被联系", "this third party refused further contact", None
        )
    if debtor_unreachable(inp, params.int("after_failures")):
        return None
    return deny(
        "CN.THIRD_PARTY",
        "债务人本人可联系时不得联系第三方",
        "third parties may be contacted only when the debtor is unreachable",
        None,
    )


def cn_conversations_per_day(inp: RuleInput, params: Params) -> Decision | None:
    """CN.CONV_PER_DAY: at most N conversations with the debtor per local day, all numbers.

    Counts answered calls and calls still in progress on the debtor's own numbers.
    """
    if inp.proposal.channel != Channel.VOICE:
        return None
    cap = params.int("max_conversations")
    counted = [
        e for e in voice(inp.history) if e.relation == Relation.SELF and (e.conversation or e.in_progress)
    ]
    n, day_end = _busiest_local_day(inp, counted, cap)
    if day_end is None:
        return None
    return deny(
        "CN.CONV_PER_DAY",
        f"债务人当日已通话{n}次，达到每日{cap}次上限",
        f"{n} conversations with the debtor already today (cap {cap} per local day)",
        day_end,
    )


def _busiest_local_day(inp: RuleInput, entries: list[HistoryEntry], cap: int) -> tuple[int, datetime | None]:
    """How many `entries` fall on the proposal's local day, in the zone where most do, and
    that day's end if the count reached `cap` in any candidate zone (the latest such end)."""
    n_max, day_end = 0, None
    for tz in inp.debtor.timezones:
        day = local_date(inp.proposal.at, tz)
        start, end = local_days_span(day, day, tz)
        n = len(entries_between(entries, start, end))
        n_max = max(n_max, n)
        if n >= cap and (day_end is None or end > day_end):
            day_end = end
    return n_max, day_end


def cn_dials_per_number(inp: RuleInput, params: Params) -> Decision | None:
    """CN.DIALS_PER_NUMBER: at most N dials to one number per local day, whatever the outcomes,
    whichever debtor each dial was about (the cap protects the phone's owner)."""
    if inp.proposal.channel != Channel.VOICE:
        return None
    cap = params.int("max_dials")
    dials = calls_to_number(inp)
    n, day_end = _busiest_local_day(inp, dials, cap)
    if day_end is None:
        return None
    return deny(
        "CN.DIALS_PER_NUMBER",
        f"该号码当日已拨打{n}次，达到每日{cap}次上限",
        f"{n} dials to this number already today (cap {cap} per local day)",
        day_end,
    )


FUNCTIONS: dict[str, Rule] = {
    "CN.STOP": cn_stop,
    "CN.EMPLOYER": cn_employer,
    "CN.THIRD_PARTY": cn_third_party,
    "CN.TIME": window_rule("CN.TIME", "当前不在允许联系的时段", "outside the contact window"),
    "CN.HOLIDAY": holiday_rule("CN.HOLIDAY", is_cn_public_holiday),
    "CN.CONV_PER_DAY": cn_conversations_per_day,
    "CN.DIALS_PER_NUMBER": cn_dials_per_number,
}
