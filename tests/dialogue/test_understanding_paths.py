"""Issue 13 through the engine with the real NLU, as a call uses it: acknowledgements at the
read-back, promises in traditional characters and American prices, month-level callbacks, a
request for a person that is never lost, and voicemails that never go out with a hole."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from huikuan.compliance.guard import Category
from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.strategy import PlanBounds

TODAY = date(2026, 3, 10)
ZH = CallContext(
    name="王芳",
    platform="安心借",
    amount_fen=350_000,
    due_date=date(2026, 2, 18),
    today=TODAY,
    plan_bounds=PlanBounds(),
    now=datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
)
EN = replace(
    ZH,
    name="Alex Morgan",
    platform="Northgate Services",
    amount_fen=200_000,
    timezone="America/New_York",
    now=datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("America/New_York")),
)
CTX = {"zh-CN": ZH, "en-US": EN}
IDENTITY = {"zh-CN": "是我", "en-US": "yes this is me"}


def engine(script: str, lang: str, ctx: CallContext | None = None) -> DialogueEngine:
    e = DialogueEngine(load_script(script, lang), ctx or CTX[lang])
    e.start()
    return e


@pytest.mark.parametrize(
    ("lang", "promise", "ack", "amount", "day"),
    [
        ("zh-CN", "我下個禮拜五還兩千", "好的", 200_000, date(2026, 3, 20)),
        ("zh-CN", "1千5 下礼拜五", "嗯嗯", 150_000, date(2026, 3, 20)),
        ("zh-CN", "千五蚊 听日", "係呀", 150_000, date(2026, 3, 11)),
        ("en-US", "I can pay two fifty next friday", "uh huh", 25_000, date(2026, 3, 20)),
        ("en-US", "fifteen hundred on friday", "yeah", 150_000, date(2026, 3, 13)),
        ("en-US", "a grand tomorrow", "sure", 100_000, date(2026, 3, 11)),
    ],
)
def test_a_promise_is_captured_and_an_acknowledgement_confirms_the_read_back(
    lang: str, promise: str, ack: str, amount: int, day: date
) -> None:
    e = engine("reminder", lang)
    e.step(IDENTITY[lang])
    _, readback = e.step(promise)
    assert readback.node == "readback"
    assert (e.outcome.promise.amount_fen, e.outcome.promise.due_date) == (amount, day)
    _, closed = e.step(ack)
    assert e.outcome.promise.confirmed
    assert e.outcome.disposition == "ptp"
    assert closed.end


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-CN", "下个月再说"), ("en-US", "let's talk about it next month")]
)
def test_a_month_level_callback_is_the_first_of_that_month_never_today(lang: str, text: str) -> None:
    e = engine("reminder", lang)
    e.step(IDENTITY[lang])
    _, reply = e.step(text)
    assert reply.node == "callback_booked"
    assert e.outcome.callback_at is not None
    assert e.outcome.callback_at.date() == date(2026, 4, 1)


@pytest.mark.parametrize(("lang", "text"), [("zh-CN", "下周再打吧"), ("en-US", "call me next week")])
def test_a_week_level_callback_is_next_monday(lang: str, text: str) -> None:
    e = engine("reminder", lang)
    e.step(IDENTITY[lang])
    e.step(text)
    assert e.outcome.callback_at is not None
    assert e.outcome.callback_at.date() == date(2026, 3, 16)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh-CN", "你是机器人吧 我要找真人"), ("en-US", "are you a robot i want a real person")],
)
def test_a_request_for_a_person_leads_to_a_transfer(lang: str, text: str) -> None:
    e = engine("reminder", lang)
    e.step(IDENTITY[lang])
    nlu, _ = e.step(text)
    assert nlu is not None
    assert nlu.intent.value == "request_human"
    assert e.outcome.transfer_requested


@pytest.mark.parametrize(("lang", "text"), [("zh-CN", "唔该"), ("en-US", "oh shoot, I totally forgot")])
def test_thanks_or_forgetting_records_no_stop(lang: str, text: str) -> None:
    e = engine("reminder", lang)
    e.step(IDENTITY[lang])
    e.step(text)
    assert e.outcome.stop is None
    assert e.outcome.disposition not in ("dispute", "wrong_number", "abusive_hangup")


@pytest.mark.parametrize(
    ("lang", "number", "person"), [("zh-CN", "4008001234", "李娜"), ("en-US", "800-555-0100", "Jordan Lee")]
)
def test_a_voicemail_says_the_campaigns_fields(lang: str, number: str, person: str) -> None:
    ctx = replace(CTX[lang], callback_number=number, agent_name=person)
    reply = DialogueEngine(load_script("voicemail", lang), ctx).start()
    assert number in reply.text
    assert person in reply.text
    assert "  " not in reply.text


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_voicemail_with_an_empty_field_is_never_said(lang: str) -> None:
    for missing in ({"callback_number": ""}, {"agent_name": ""}):
        ctx = replace(CTX[lang], **{"callback_number": "4008001234", "agent_name": "李娜", **missing})
        e = DialogueEngine(load_script("voicemail", lang), ctx)
        reply = e.start()
        script = load_script("voicemail", lang)
        safe = script.nodes["message"].safe
        assert safe is not None
        assert reply.text == safe.format(platform=ctx.platform)
        for hole in ("  ", " .", "联系人，"):
            assert hole not in reply.text
        assert [hit.categories for hit in e.guard_hits] == [(Category.MISSING_DISCLOSURE,)]
        assert ctx.name not in e.guard_hits[0].masked_text


def test_english_sentences_said_together_are_spaced() -> None:
    e = engine("reminder", "en-US")
    _, reply = e.step("is this a robot")
    assert ".May" not in reply.text
    assert "person. " in reply.text or "that. " in reply.text
