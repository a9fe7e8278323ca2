"""CN-NIFA-2025 beyond v1's boundaries: local days, unreachability over several numbers,
holidays, and operator settings that may tighten but never silently loosen a rule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from huikuan.compliance.calendars import is_cn_public_holiday
from huikuan.compliance.cases import parse_case
from huikuan.compliance.packs import LooseningRefused, Override, pack_for
from tests.compliance.casebuilder import call, case, decide, denied_by, local

SH = "Asia/Shanghai"


def cn(at: str, history: list | None = None, **kw) -> dict:  # type: ignore[type-arg]
    return case("CN", SH, at, history, **kw)


def test_conversations_count_per_local_day_not_utc_day() -> None:
    # 00:30 on March 10 in Shanghai is March 9 in UTC; three conversations then fill March 10.
    talks = [call(local(SH, 2026, 3, 10, 0, 30 + k), "answered", conversation=True) for k in range(3)]
    assert datetime.fromisoformat(talks[0]["at"]).astimezone(UTC).day == 9
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), talks)) == "CN.CONV_PER_DAY"
    decision = decide(cn(local(SH, 2026, 3, 10, 9), talks))
    assert decision.next_allowed_at == datetime(2026, 3, 11, 8, tzinfo=ZoneInfo(SH))
    late = [call(local(SH, 2026, 3, 9, 23, 50 - k), "answered", conversation=True) for k in range(3)]
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), late)) is None


def test_conversations_across_all_the_debtors_numbers() -> None:
    talks = [
        call(local(SH, 2026, 3, 10, 9 + k), "answered", number=f"own{k}", conversation=True) for k in range(3)
    ]
    assert denied_by(cn(local(SH, 2026, 3, 10, 15), talks, number="own7")) == "CN.CONV_PER_DAY"


def test_third_party_conversations_are_not_conversations_with_the_debtor() -> None:
    talks = [
        call(local(SH, 2026, 3, 10, 9 + k), "answered", number="mum", relation="family", conversation=True)
        for k in range(3)
    ]
    assert denied_by(cn(local(SH, 2026, 3, 10, 15), talks)) is None


FAMILY = {"number": "mum", "relation": "family"}


def test_unreachable_when_the_last_three_attempts_over_several_numbers_failed() -> None:
    failed = [
        call(local(SH, 2026, 3, 10, 9), "no_answer", number="own1"),
        call(local(SH, 2026, 3, 10, 10), "busy", number="own2"),
        call(local(SH, 2026, 3, 10, 11), "powered_off", number="own1"),
    ]
    assert denied_by(cn(local(SH, 2026, 3, 10, 12), failed, **FAMILY)) is None
    assert denied_by(cn(local(SH, 2026, 3, 10, 12), failed[1:], **FAMILY)) == "CN.THIRD_PARTY"


def test_an_answer_on_any_own_number_makes_the_debtor_reachable_again() -> None:
    history = [
        call(local(SH, 2026, 3, 10, 9), "no_answer", number="own1"),
        call(local(SH, 2026, 3, 10, 10), "busy", number="own1"),
        call(local(SH, 2026, 3, 10, 11), "rejected", number="own1"),
        call(local(SH, 2026, 3, 10, 12), "answered", number="own2", conversation=True),
    ]
    assert denied_by(cn(local(SH, 2026, 3, 10, 13), history, **FAMILY)) == "CN.THIRD_PARTY"


def test_unreachable_when_every_known_own_number_is_invalid() -> None:
    both_invalid = [
        call(local(SH, 2026, 3, 9, 9), "invalid_number", number="own1"),
        call(local(SH, 2026, 3, 9, 10), "invalid_number", number="own2"),
    ]
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), both_invalid, **FAMILY)) is None
    one_still_good = [*both_invalid[:1], call(local(SH, 2026, 3, 9, 10), "no_answer", number="own2")]
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), one_still_good, **FAMILY)) == "CN.THIRD_PARTY"


def test_no_known_own_number_is_not_unreachable() -> None:
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), [], **FAMILY)) == "CN.THIRD_PARTY"


def test_a_third_party_who_refused_is_never_called_again_whatever_the_debtor_does() -> None:
    failed = [call(local(SH, 2026, 3, 10, 9 + k), "no_answer") for k in range(3)]
    refusal = call(local(SH, 2026, 1, 2, 10), "answered", refused=True, **FAMILY)
    assert denied_by(cn(local(SH, 2026, 3, 10, 12), [refusal, *failed], **FAMILY)) == "CN.THIRD_PARTY"


def test_sms_keeps_the_window_but_not_the_call_caps() -> None:
    dials = [call(local(SH, 2026, 3, 10, 8, k)) for k in range(6)]
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), dials)) == "CN.DIALS_PER_NUMBER"
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), dials, channel="sms")) is None
    assert denied_by(cn(local(SH, 2026, 3, 10, 22), dials, channel="sms")) == "CN.TIME"


# --- holidays and settings ------------------------------------------------------------------


def test_holiday_rule_is_off_unless_the_operator_turns_it_on() -> None:
    national_day = cn(local(SH, 2026, 10, 1, 10))
    assert denied_by(national_day) is None
    pack = pack_for("CN").with_settings({"CN.HOLIDAY": {"enabled": True}})
    decision = pack.decide(parse_case(national_day).rule_input)
    assert decision.rule == "CN.HOLIDAY"
    assert decision.next_allowed_at is not None
    resumed = decision.next_allowed_at.astimezone(ZoneInfo(SH))
    assert resumed.hour == 8
    assert not is_cn_public_holiday(resumed.date())
    assert all(is_cn_public_holiday(datetime(2026, 10, d).date()) for d in range(1, resumed.day))
    ordinary = pack.decide(parse_case(cn(local(SH, 2026, 11, 24, 10))).rule_input)
    assert ordinary.allowed


def test_settings_may_tighten_a_cap() -> None:
    pack = pack_for("CN").with_settings({"CN.DIALS_PER_NUMBER": {"max_dials": 4}})
    dials = [call(local(SH, 2026, 3, 10, 8, k)) for k in range(4)]
    assert (
        pack.decide(parse_case(cn(local(SH, 2026, 3, 10, 9), dials)).rule_input).rule == "CN.DIALS_PER_NUMBER"
    )
    assert denied_by(cn(local(SH, 2026, 3, 10, 9), dials)) is None  # the default pack is untouched


def test_settings_may_narrow_the_window() -> None:
    pack = pack_for("CN").with_settings({"CN.TIME": {"start": "09:00", "end": "20:00"}})
    assert not pack.decide(parse_case(cn(local(SH, 2026, 3, 10, 8, 30))).rule_input).allowed
    assert not pack.decide(parse_case(cn(local(SH, 2026, 3, 10, 20, 0))).rule_input).allowed


@pytest.mark.parametrize(
    "settings",
    [
        {"CN.DIALS_PER_NUMBER": {"max_dials": 10}},
        {"CN.TIME": {"end": "23:00"}},
        {"CN.TIME": {"start": "07:00"}},
        {"CN.EMPLOYER": {"enabled": False}},
        {"CN.THIRD_PARTY": {"after_failures": 1}},
    ],
)
def test_loosening_needs_an_officers_recorded_override(settings: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(LooseningRefused):
        pack_for("CN").with_settings(settings)
    override = Override(officer_id=7, reason="regulator's written exemption")
    loosened = pack_for("CN").with_settings(settings, override=override)
    assert loosened.overrides
    assert all(o[2] == override for o in loosened.overrides)


def test_every_rule_of_compliance_md_is_in_a_pack_with_its_source() -> None:
    expected = {
        "CN": {
            "CN.TIME",
            "CN.CONV_PER_DAY",
            "CN.DIALS_PER_NUMBER",
            "CN.THIRD_PARTY",
            "CN.EMPLOYER",
            "CN.STOP",
            "CN.CONTENT",
            "CN.AI_LABEL",
            "CN.RECORD",
        },
        "US": {
            "US.TIME",
            "US.7IN7",
            "US.AFTER_CONV",
            "US.THIRD_PARTY",
            "US.STOP",
            "US.DISCLOSE",
            "US.VOICEMAIL",
            "US.AI_VOICE",
            "US.ABANDON",
        },
    }
    for jurisdiction, ids in expected.items():
        pack = pack_for(jurisdiction)
        assert ids <= set(pack.rule_ids)
        assert all(pack.spec(i).source and pack.spec(i).text for i in ids)
