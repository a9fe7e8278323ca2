from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from huikuan.dialogue import CallContext, DialogueEngine, DisclosureError, load_script
from huikuan.dialogue.render import DEBT_WORDS_ZH
from huikuan.dialogue.script import parse_script

CTX = CallContext(
    name="王芳", platform="安心借", amount_fen=350_000, due_date=date(2026, 2, 18), today=date(2026, 3, 10)
)


def run(turns: list[str | None], ctx: CallContext = CTX) -> tuple[DialogueEngine, list[str]]:
    engine = DialogueEngine(load_script(), ctx)
    said = [engine.start().text]
    for turn in turns:
        if engine.done:
            break
        said.append(engine.step(turn)[1].text)
    return engine, said


def _discloses(text: str) -> bool:
    return "3500" in text or any(word in text for word in DEBT_WORDS_ZH)


def test_greeting_discloses_ai_and_says_nothing_of_the_debt() -> None:
    _, said = run([])
    assert "智能语音助手" in said[0]
    assert "王芳本人吗" in said[0]
    assert not _discloses(said[0])


def test_no_debt_detail_before_identity_confirmed() -> None:
    engine, said = run(["欠多少？", "你是机器人吗", None])
    assert not engine.outcome.identity_confirmed
    assert not any(_discloses(s) for s in said)
    assert "不是真人" in said[2]  # answered truthfully


def test_third_party_hears_nothing_of_the_debt() -> None:
    engine, said = run(["他不在，我是他家人"])
    assert engine.outcome.disposition == "third_party"
    assert engine.done
    assert not any(_discloses(s) for s in said)
    engine, said = run(["好的，我转告他"], ctx=replace(CTX, third_party_call=True))
    assert engine.outcome.disposition == "third_party"
    assert not any(_discloses(s) for s in said)


def test_third_party_who_refuses_is_recorded() -> None:
    engine, _ = run(["你们别再打了"], ctx=replace(CTX, third_party_call=True))
    assert engine.outcome.refused_further_contact


def test_promise_captured_with_amount_and_date_and_read_back() -> None:
    engine, said = run(["是我", "明天还", "三千五", "对"])
    assert "3500" in said[1]  # the reminder, after identity
    assert "哪天" not in said[2]
    assert "多少" in said[2]
    assert "3月11日" in said[3]
    assert "3500" in said[3]
    assert "对吗" in said[3]
    promise = engine.outcome.promise
    assert engine.outcome.disposition == "ptp"
    assert (promise.amount_fen, promise.due_date, promise.confirmed) == (350_000, date(2026, 3, 11), True)


def test_abuse_gets_one_warning_then_a_polite_hangup() -> None:
    engine, said = run(["是我", "滚，神经病", "你有病吧"])
    assert "文明" in said[2]
    assert not engine.done or engine.outcome.abuse_count == 2
    assert engine.done
    assert engine.outcome.disposition == "abusive_hangup"
    assert "再见" in said[3]


def test_dispute_and_complaint_record_stops() -> None:
    assert run(["是我", "这笔钱不是我借的"])[0].outcome.stop == "dispute"
    assert run(["我要投诉你们"])[0].outcome.stop == "complaint"
    assert run(["是我", "别再打了"])[0].outcome.stop == "cease"


def test_hardship_and_human_request_mark_transfer() -> None:
    engine, _ = run(["是我", "最近失业了，手头紧"])
    assert engine.outcome.transfer_requested
    assert engine.outcome.disposition == "hardship"
    assert run(["转人工"])[0].outcome.transfer_requested


def test_refusal_answer_is_factual_without_threats() -> None:
    engine, said = run(["是我", "没钱，不还", "不还"])
    assert engine.outcome.disposition == "refused"
    for text in said:
        assert not any(w in text for w in ("起诉", "坐牢", "公安", "法院", "黑名单", "通讯录"))


def test_silence_is_reprompted_at_most_twice() -> None:
    engine, said = run([None, None, None, None])
    assert engine.done
    assert engine.outcome.reprompts == 3
    assert len(said) == 4


def test_engine_refuses_a_script_that_discloses_before_identity() -> None:
    bad = {
        "id": "bad",
        "version": 1,
        "lang": "zh-CN",
        "start": "greet",
        "third_party_start": "greet",
        "lines": {},
        "nodes": {
            "greet": {"say": "您好，您的借款已逾期{amount}元", "end": True},
            "ask_amount": {"say": "x", "end": True},
            "ask_date": {"say": "x", "end": True},
            "readback": {"say": "x", "end": True},
        },
    }
    with pytest.raises((DisclosureError, KeyError)):
        DialogueEngine(parse_script(bad), CTX).start()
