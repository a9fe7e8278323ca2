"""The US pack's rule functions (Regulation F, 12 CFR part 1006; FCC 24-17). Specs: us.yaml.

"The person" a frequency rule counts calls to is the consumer (all the debtor's own numbers)
for a call to the consumer, and the third party's number for a call to a third party.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from huikuan.compliance.calendars import is_us_public_holiday
from huikuan.compliance.packs.base import Params, Rule
from huikuan.compliance.packs.common import (
    THIRD_PARTIES,
    calls_to_number,
    deny,
    entries_between,
    holiday_rule,
    local_date,
    local_days_span,
    local_midnight,
    refused_before,
    voice,
    window_rule,
)
from huikuan.compliance.schemas import Decision, HistoryEntry, RuleInput, StopKind
from huikuan.types import CallOutcome, Channel, Relation

# §1006.14(b)(3)(ii): a call that does not connect to the dialed number is not "placed".
NOT_CONNECTED = frozenset({CallOutcome.BUSY, CallOutcome.INVALID_NUMBER})


def us_stop(inp: RuleInput, params: Params) -> Decision | None:
    """US.STOP: a cease request or an unresolved dispute stops contact (§1006.6(c), §1006.34); a
    debtor reported deceased is held until a person reviews who may be contacted (§1006.2(e))."""
    stopping = {StopKind.CEASE, StopKind.DISPUTE, StopKind.DECEASED}
    if params.flag("complaint_stops"):
        stopping.add(StopKind.COMPLAINT)
    kinds = sorted(k.value for k in inp.flags.open_stops if k in stopping)
    if not kinds:
        return None
    return deny(
        "US.STOP",
        f"存在未解除的停止联系请求或争议（{','.join(kinds)}），须人工处理后方可联系",
        f"an open {' and '.join(kinds)} stops collection contact until a person clears it",
        None,
    )


def us_third_party(inp: RuleInput, params: Params) -> Decision | None:
    """US.THIRD_PARTY: a third party at most once, for location information (§1006.10(c))."""
    contact = inp.contact
    if contact.relation not in THIRD_PARTIES:
        return None
    if contact.relation == Relation.EMPLOYER and not params.flag("employer_calls"):
        return deny(
            "US.THIRD_PARTY",
            "本产品不联系债务人的雇主",
            "this product never calls the consumer's employer (product policy, stricter than §1006.10)",
            None,
        )
    if refused_before(inp):
        return deny(
            "US.THIRD_PARTY", "该联系人已明确拒绝再被联系", "this third party refused further contact", None
        )
    spoken = [e for e in calls_to_number(inp) if e.conversation or e.in_progress]
    if not spoken:
        return None
    return deny(
        "US.THIRD_PARTY",
        "已与该第三方沟通过一次，不得再次联系",
        "a third party may be spoken to once only, for location information (§1006.10(c))",
        None,
    )


def us_ai_voice(inp: RuleInput, params: Params) -> Decision | None:
    """US.AI_VOICE: an artificial-voice call needs the consumer's prior express consent."""
    if not inp.proposal.artificial_voice or inp.flags.ai_voice_consent:
        return None
    return deny(
        "US.AI_VOICE",
        "未取得使用AI语音外呼的事先同意，只能由人工坐席联系",
        "no prior express consent to artificial-voice calls on record (FCC 24-17); a person may call",
        None,
    )


def _person_calls(inp: RuleInput) -> list[HistoryEntry]:
    """Voice calls to the person the proposal would reach: the consumer's own numbers, or the
    third party's number (whichever debtor those calls were about)."""
    if inp.contact.relation == Relation.SELF:
        return [e for e in voice(inp.history) if e.relation == Relation.SELF]
    return calls_to_number(inp)


def _count_on_days(calls: list[HistoryEntry], first: date, last: date, tz: str) -> int:
    return len(entries_between(calls, *local_days_span(first, last, tz)))


def us_seven_in_seven(inp: RuleInput, params: Params) -> Decision | None:
    """US.7IN7: deny when the proposed call's local day and the six before hold 7+ calls.

    Stricter reading: every 7-day window that would contain the call is checked, not only the
    one ending with it, so a call reserved with a clock slightly behind another worker's (or a
    history that holds later calls) can never make 8 in any window. With nothing after the
    proposal this is exactly the regulation's count. Every candidate zone gives its own
    calendar; any zone's reading that denies, denies.
    """
    if inp.proposal.channel != Channel.VOICE:
        return None
    cap, days = params.int("max_calls"), params.int("days")
    placed = [e for e in _person_calls(inp) if e.outcome not in NOT_CONNECTED]
    worst, nxt = 0, None
    for tz in inp.debtor.timezones:
        day = local_date(inp.proposal.at, tz)
        n = _fullest_window(placed, day, days, tz)
        if n < cap:
            continue
        worst = max(worst, n)
        nxt = _latest(nxt, local_midnight(_first_day_with_room(placed, day, days, cap, tz), tz))
    if nxt is None:
        return None
    return deny(
        "US.7IN7",
        f"连续{days}个自然日内已致电{worst}次，达到上限{cap}次",
        f"{worst} calls already placed within {days} consecutive local days of this call (cap {cap})",
        nxt,
    )


def _fullest_window(placed: list[HistoryEntry], day: date, days: int, tz: str) -> int:
    """The most calls in any run of `days` local days that contains `day`."""
    return max(
        _count_on_days(placed, last - timedelta(days=days - 1), last, tz)
        for last in (day + timedelta(days=k) for k in range(days))
    )


def _first_day_with_room(placed: list[HistoryEntry], day: date, days: int, cap: int, tz: str) -> date:
    """The first local day after `day` on which one more call breaks no window."""
    for k in range(1, 3 * days):
        later = day + timedelta(days=k)
        if _fullest_window(placed, later, days, tz) < cap:
            return later
    return day + timedelta(days=3 * days)  # only calls dated far after the proposal get here


def us_after_conversation(inp: RuleInput, params: Params) -> Decision | None:
    """US.AFTER_CONV: after a conversation on local day 1, the next call from day 8.

    Stricter reading: the proposed call might itself become a conversation, so it is denied too
    when the person already has a later call within its own 7-day period (possible only with a
    worker's clock behind another's; with nothing after the proposal this adds nothing).
    """
    if inp.proposal.channel != Channel.VOICE:
        return None
    days = params.int("days")
    calls = _person_calls(inp)
    spoken = [e for e in calls if e.conversation or e.in_progress]
    at = inp.proposal.at
    nxt = None
    for tz in inp.debtor.timezones:
        if spoken:
            last_talk = max(local_date(e.at, tz) for e in spoken)
            allowed_from = last_talk + timedelta(days=days)
            if local_date(at, tz) < allowed_from:
                nxt = _latest(nxt, local_midnight(allowed_from, tz))
        period_end = local_midnight(local_date(at, tz) + timedelta(days=days), tz)
        if any(at < e.at < period_end for e in calls):
            return deny(
                "US.AFTER_CONV",
                "该人已有更晚的通话记录，本次通话可能导致七日内再次致电",
                "a later call to the person already exists within this call's own 7-day period",
                None,
            )
    if nxt is None:
        return None
    return deny(
        "US.AFTER_CONV",
        f"与本人通话后{days}日内不得再次致电",
        f"no call within {days} days after a telephone conversation with the person",
        nxt,
    )


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


FUNCTIONS: dict[str, Rule] = {
    "US.STOP": us_stop,
    "US.THIRD_PARTY": us_third_party,
    "US.TIME": window_rule("US.TIME", "当前不在允许联系的时段", "outside the convenient hours"),
    "US.HOLIDAY": holiday_rule("US.HOLIDAY", is_us_public_holiday),
    "US.AI_VOICE": us_ai_voice,
    "US.7IN7": us_seven_in_seven,
    "US.AFTER_CONV": us_after_conversation,
}
