"""US-REG-F rules at their boundaries, and the worked examples of Regulation F's Supplement I.

Dates: 2026-03-08 is the spring DST change in the US, 2026-11-01 the autumn one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.compliance.casebuilder import call, case, decide, denied_by, local

NY, CHI, LA, PHX = "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Phoenix"


def us(at: str, history: list | None = None, **kw) -> dict:  # type: ignore[type-arg]
    tz = kw.pop("tz", NY)
    return case("US", tz, at, history, **kw)


def days_of_calls(tz: str, first_day: int, n: int, outcome: str = "no_answer", month: int = 6) -> list:  # type: ignore[type-arg]
    """One call a day at 10:00 local on June first_day, first_day+1, … (2026)."""
    return [call(local(tz, 2026, month, first_day + k), outcome) for k in range(n)]


# --- US.TIME -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("h", "m", "s", "allowed"),
    [(7, 59, 59, False), (8, 0, 0, True), (20, 59, 59, True), (21, 0, 0, False)],
)
def test_time_window_edges(h: int, m: int, s: int, allowed: bool) -> None:
    assert (denied_by(us(local(NY, 2026, 6, 10, h, m, s))) is None) is allowed
    if not allowed:
        assert denied_by(us(local(NY, 2026, 6, 10, h, m, s))) == "US.TIME"


def test_uncertain_zone_must_be_convenient_in_every_candidate() -> None:
    """Supplement I, comment 6(b)(1)(i): an Eastern area code and a Pacific address leave
    11:00–21:00 Eastern (08:00–18:00 Pacific) as the convenient hours."""
    zones = [NY, LA]
    assert denied_by(us(local(NY, 2026, 6, 10, 10, 59), tz=zones)) == "US.TIME"
    assert denied_by(us(local(NY, 2026, 6, 10, 11, 0), tz=zones)) is None
    assert denied_by(us(local(NY, 2026, 6, 10, 20, 59), tz=zones)) is None
    assert denied_by(us(local(NY, 2026, 6, 10, 21, 0), tz=zones)) == "US.TIME"
    early = decide(us(local(NY, 2026, 6, 10, 9, 0), tz=zones))
    assert early.next_allowed_at == datetime(2026, 6, 10, 11, tzinfo=ZoneInfo(NY))


def test_window_on_the_spring_dst_change() -> None:
    # 07:30 EDT on the first day of DST is 11:30 UTC: still too early; 08:00 EDT is 12:00 UTC.
    at = datetime(2026, 3, 8, 11, 30, tzinfo=UTC)
    decision = decide(us(at.isoformat()))
    assert decision.rule == "US.TIME"
    assert decision.next_allowed_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert denied_by(us(datetime(2026, 3, 8, 12, 0, tzinfo=UTC).isoformat())) is None


def test_window_on_the_autumn_dst_change() -> None:
    # 12:30 UTC is 08:30 EDT on Oct 31 but 07:30 EST on Nov 1.
    assert denied_by(us(datetime(2026, 10, 31, 12, 30, tzinfo=UTC).isoformat())) is None
    assert denied_by(us(datetime(2026, 11, 1, 12, 30, tzinfo=UTC).isoformat())) == "US.TIME"
    assert denied_by(us(datetime(2026, 11, 1, 13, 0, tzinfo=UTC).isoformat())) is None


def test_zone_without_dst_next_to_one_with_it() -> None:
    # In summer Phoenix (no DST) is 3 hours behind New York, in winter 2.
    summer = us(local(NY, 2026, 7, 1, 10, 30), tz=[NY, PHX])
    winter = us(local(NY, 2026, 1, 14, 10, 30), tz=[NY, PHX])
    assert denied_by(summer) == "US.TIME"  # 07:30 in Phoenix
    assert denied_by(winter) is None  # 08:30 in Phoenix


# --- US.7IN7 -------------------------------------------------------------------------------


def test_seven_calls_in_seven_days_deny_the_eighth() -> None:
    """Seven calls placed June 1–7: an eighth on June 7 is denied; on June 8 the window is
    June 2–8 and holds six calls, so it is allowed (comment 14(b)(2)(i)-1's counting)."""
    history = days_of_calls(NY, 1, 7)
    decision = decide(us(local(NY, 2026, 6, 7, 15), history))
    assert decision.rule == "US.7IN7"
    assert decision.next_allowed_at == datetime(2026, 6, 8, 8, tzinfo=ZoneInfo(NY))
    assert denied_by(us(local(NY, 2026, 6, 8, 8), history)) is None


def test_six_calls_leave_room_for_a_seventh() -> None:
    assert denied_by(us(local(NY, 2026, 6, 7, 15), days_of_calls(NY, 1, 6))) is None


def test_window_edges_day_six_before_counts_day_seven_before_does_not() -> None:
    # Six calls on June 3 plus one on June 2: the window of June 8 (June 2–8) holds all seven.
    history = [call(local(NY, 2026, 6, 3, 9 + k)) for k in range(6)] + [call(local(NY, 2026, 6, 2, 20))]
    assert denied_by(us(local(NY, 2026, 6, 8, 9), history)) == "US.7IN7"
    # The same seven calls a day earlier (June 1 is outside June 2–8): allowed.
    moved = [call(local(NY, 2026, 6, 3, 9 + k)) for k in range(6)] + [call(local(NY, 2026, 6, 1, 20))]
    assert denied_by(us(local(NY, 2026, 6, 8, 9), moved)) is None


@pytest.mark.parametrize("not_placed", ["busy", "invalid_number"])
def test_calls_that_did_not_connect_are_not_counted(not_placed: str) -> None:
    """§1006.14(b)(3)(ii): a busy signal or a number not in service is not a placed call."""
    history = days_of_calls(NY, 1, 6) + [call(local(NY, 2026, 6, 7, 9), not_placed)] * 3
    assert denied_by(us(local(NY, 2026, 6, 7, 15), history)) is None
    counted = [*days_of_calls(NY, 1, 6), call(local(NY, 2026, 6, 7, 9), "no_answer")]
    assert denied_by(us(local(NY, 2026, 6, 7, 15), counted)) == "US.7IN7"


def test_calls_to_every_number_of_the_consumer_count_together() -> None:
    history = [call(local(NY, 2026, 6, 1 + k), number=f"own{k % 2}") for k in range(7)]
    assert denied_by(us(local(NY, 2026, 6, 7, 15), history, number="own9")) == "US.7IN7"


def test_days_are_the_consumers_local_days_not_utc() -> None:
    # 23:30 on June 1 in Los Angeles is June 2 in UTC. Seven such late calls June 1–7 (local)
    # leave June 8's window (June 2–8 local) with six: allowed. Counting UTC days would deny.
    history = [call(local(LA, 2026, 6, 1 + k, 20, 30)) for k in range(7)]
    assert datetime.fromisoformat(history[0]["at"]).astimezone(UTC).day == 2
    assert denied_by(us(local(LA, 2026, 6, 8, 8, 30), history, tz=LA)) is None
    assert denied_by(us(local(LA, 2026, 6, 7, 20, 45), history, tz=LA)) == "US.7IN7"


def test_a_call_in_progress_counts() -> None:
    history = [*days_of_calls(NY, 1, 6), call(local(NY, 2026, 6, 7, 9), None)]
    decision = decide(us(local(NY, 2026, 6, 7, 15), history))
    assert decision.rule == "US.7IN7"
    assert "US.AFTER_CONV" in decision.denials  # and it might yet become a conversation


# --- US.AFTER_CONV --------------------------------------------------------------------------


def test_no_call_within_seven_days_after_a_conversation() -> None:
    """Comment 14(b)(2)(i)(B): a conversation on Tuesday June 2 makes June 2 day 1; the next
    call may be placed on day 8, Tuesday June 9."""
    talk = [call(local(NY, 2026, 6, 2, 14), "answered", conversation=True)]
    decision = decide(us(local(NY, 2026, 6, 8, 20), talk))
    assert decision.rule == "US.AFTER_CONV"
    assert decision.next_allowed_at == datetime(2026, 6, 9, 8, tzinfo=ZoneInfo(NY))
    assert denied_by(us(local(NY, 2026, 6, 9, 8), talk)) is None


def test_answered_without_conversation_does_not_start_the_period() -> None:
    talk = [call(local(NY, 2026, 6, 2, 14), "answered", conversation=False)]
    assert denied_by(us(local(NY, 2026, 6, 3, 10), talk)) is None


def test_conversation_day_is_the_local_day_in_every_candidate_zone() -> None:
    # 22:30 June 2 in Los Angeles is already June 3 in New York: New York's reading allows the
    # next call from June 10, Los Angeles's from June 9; both must allow.
    talk = [call(local(LA, 2026, 6, 2, 22, 30), "answered", conversation=True)]
    decision = decide(us(local(NY, 2026, 6, 9, 12), talk, tz=[NY, LA]))
    assert decision.rule == "US.AFTER_CONV"
    assert decision.next_allowed_at == datetime(2026, 6, 10, 11, tzinfo=ZoneInfo(NY))
    assert denied_by(us(local(LA, 2026, 6, 9, 12), talk, tz=LA)) is None


def test_a_third_partys_conversation_does_not_block_the_consumer() -> None:
    talk = [call(local(NY, 2026, 6, 2, 14), "answered", conversation=True, number="mum", relation="family")]
    assert denied_by(us(local(NY, 2026, 6, 3, 10), talk)) is None


# --- US.THIRD_PARTY, US.STOP, US.AI_VOICE ---------------------------------------------------


def test_third_party_once_for_location_information() -> None:
    at = local(NY, 2026, 6, 10, 10)
    assert denied_by(us(at, number="mum", relation="family")) is None
    unanswered = [call(local(NY, 2026, 6, 9, 10), "no_answer", number="mum", relation="family")]
    assert denied_by(us(at, unanswered, number="mum", relation="family")) is None
    spoken = [call(local(NY, 2026, 5, 1, 10), "answered", number="mum", relation="family", conversation=True)]
    assert denied_by(us(at, spoken, number="mum", relation="family")) == "US.THIRD_PARTY"
    refused = [call(local(NY, 2026, 6, 9, 10), "rejected", number="mum", relation="family", refused=True)]
    assert denied_by(us(at, refused, number="mum", relation="family")) == "US.THIRD_PARTY"


def test_employer_is_never_called() -> None:
    assert denied_by(us(local(NY, 2026, 6, 10, 10), number="work", relation="employer")) == "US.THIRD_PARTY"


@pytest.mark.parametrize(
    ("flag", "rule"),
    [
        ("cease_requested", "US.STOP"),
        ("dispute_open", "US.STOP"),
        ("complaint_open", None),
        ("deceased_hold", "US.STOP"),
    ],
)
def test_stops_as_the_pack_says(flag: str, rule: str | None) -> None:
    assert denied_by(us(local(NY, 2026, 6, 10, 10), flags={flag: True})) == rule
    assert decide(us(local(NY, 2026, 6, 10, 10), flags={flag: True})).next_allowed_at is None


def test_artificial_voice_needs_consent() -> None:
    at = local(NY, 2026, 6, 10, 10)
    assert denied_by(us(at, artificial_voice=True)) == "US.AI_VOICE"
    assert denied_by(us(at, artificial_voice=True, flags={"ai_voice_consent": True})) is None
    assert denied_by(us(at, artificial_voice=False)) is None


def test_sms_is_not_a_call_but_keeps_the_hours() -> None:
    history = days_of_calls(NY, 1, 7)
    assert denied_by(us(local(NY, 2026, 6, 7, 15), history, channel="sms")) is None
    assert denied_by(us(local(NY, 2026, 6, 7, 21, 30), history, channel="sms")) == "US.TIME"


def test_next_allowed_at_is_itself_allowed() -> None:
    history = days_of_calls(NY, 1, 7)
    decision = decide(us(local(NY, 2026, 6, 7, 22), history, tz=[NY, LA]))
    assert decision.next_allowed_at is not None
    again = us(decision.next_allowed_at.isoformat(), history, tz=[NY, LA])
    assert denied_by(again) is None
    assert denied_by(us((decision.next_allowed_at - timedelta(seconds=1)).isoformat(), history, tz=[NY, LA]))
