"""`DialogueEngine.say_line`: one guarded script line as a whole call (the US abandoned-call notice)."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.compliance.guard import Category
from huikuan.dialogue import CallContext, DialogueEngine, ScriptError, load_script


def _ctx(callback_number: str) -> CallContext:
    return CallContext(
        name="Jane Roe",
        platform="EasyLoan",
        amount_fen=123_456,
        due_date=date(2026, 3, 1),
        today=date(2026, 3, 10),
        timezone="America/New_York",
        callback_number=callback_number,
        agent_name="Ms. Lee",
    )


def test_the_identification_names_the_business_and_the_number_and_ends() -> None:
    engine = DialogueEngine(load_script("voicemail", "en-US"), _ctx("(212) 555-0100"))
    reply = engine.say_line("voicemail_abandoned")
    assert reply.end
    assert "EasyLoan" in reply.text
    assert "(212) 555-0100" in reply.text
    assert "1,234.56" not in reply.text
    assert not engine.guard_hits
    with pytest.raises(ScriptError):
        engine.say_line("voicemail_abandoned")  # the call is over


def test_without_a_callback_number_the_safe_line_is_said() -> None:
    engine = DialogueEngine(load_script("voicemail", "en-US"), _ctx(""))
    reply = engine.say_line("voicemail_abandoned")
    assert "EasyLoan" in reply.text
    assert " at ." not in reply.text
    assert engine.guard_hits[0].categories == (Category.MISSING_DISCLOSURE,)


def test_an_unknown_line_is_refused() -> None:
    engine = DialogueEngine(load_script("voicemail", "zh-CN"), _ctx("400 800 1234"))
    with pytest.raises(ScriptError, match="no line"):
        engine.say_line("voicemail_abandoned")
