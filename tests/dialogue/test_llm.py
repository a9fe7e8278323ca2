"""The LLM adapter against a local OpenAI-compatible server: fallback classification, the hard
deadline, the content guard on its sentences, the records, and nothing personal sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from huikuan.compliance.guard import Context
from huikuan.config import Settings
from huikuan.dialogue.llm import LlmClient, LlmConfig, Outcome, Purpose, record_exchanges, scrub
from huikuan.dialogue.models import LlmExchange
from huikuan.dialogue.nlu import Intent
from tests.dialogue.llm_server import LlmServer, Scripted

NAME = "王小芳"
PHONE = "13812345678"
NATIONAL_ID = "11010519491231002X"
THREAT = "你今天不还钱，我们就去你单位找你领导，还要通知你家人。"
FACTS = {"平台": "安心借", "应还金额": "3,500.00元", "到期日": "2月18日"}
SCRIPT_LINE = "这个问题我会请工作人员跟进。"


@pytest.fixture
def server() -> Iterator[LlmServer]:
    with LlmServer() as s:
        yield s


def client(server: LlmServer, timeout: float = 1.5) -> LlmClient:
    return LlmClient(LlmConfig(server.base_url, "test-model", "sk-test", timeout))


def test_fallback_classification_returns_an_allowed_intent(server: LlmServer) -> None:
    server.script('{"intent": "hardship"}', '```json\n{"intent": "request_installment"}\n```')
    llm = client(server)
    allowed = [Intent.HARDSHIP, Intent.REQUEST_INSTALLMENT, Intent.OTHER]
    assert llm.classify_fallback("这个月工资还没发下来", "zh-CN", allowed) == Intent.HARDSHIP
    assert llm.classify_fallback("能不能一个月还一点", "zh-CN", allowed) == Intent.REQUEST_INSTALLMENT
    body = server.requests[0]
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    assert "request_installment" in body["messages"][0]["content"]
    assert "dispute" not in body["messages"][0]["content"]  # only the node's intents are offered
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    assert [e.outcome for e in llm.exchanges] == [Outcome.OK, Outcome.OK]


def test_an_answer_outside_the_allowed_intents_or_not_json_is_no_answer(server: LlmServer) -> None:
    server.script('{"intent": "dispute"}', "I think it is hardship", '{"intent": 3}')
    llm = client(server)
    for _ in range(3):
        assert llm.classify_fallback("嗯那个", "zh-CN", [Intent.HARDSHIP, Intent.OTHER]) is None
    assert [e.outcome for e in llm.exchanges] == [Outcome.INVALID] * 3


def test_a_late_answer_is_dropped_at_the_deadline_and_the_script_line_is_used(server: LlmServer) -> None:
    server.script(Scripted("可以在App里还款。", slow=True), Scripted('{"intent": "hardship"}', slow=True))
    llm = client(server, timeout=0.2)
    answer = llm.free_form_answer("怎么还啊", FACTS, "zh-CN")
    assert answer is None
    assert (answer or SCRIPT_LINE) == SCRIPT_LINE
    assert llm.classify_fallback("唉", "zh-CN", [Intent.HARDSHIP]) is None
    assert [e.outcome for e in llm.exchanges] == [Outcome.TIMEOUT, Outcome.TIMEOUT]
    assert all(e.reply is None for e in llm.exchanges)
    server.release.set()


def test_a_failing_endpoint_is_no_answer(server: LlmServer) -> None:
    server.script(Scripted(status=500), Scripted("not a chat completion"))
    llm = client(server)
    assert llm.free_form_answer("怎么还", FACTS, "zh-CN") is None
    assert [e.outcome for e in llm.exchanges] == [Outcome.ERROR]
    unreachable = LlmClient(LlmConfig("http://127.0.0.1:9/v1", "m", None, 0.5))
    assert unreachable.classify_fallback("嗯", "zh-CN", [Intent.OTHER]) is None
    assert unreachable.exchanges[0].outcome == Outcome.ERROR


def test_a_free_form_answer_that_passes_the_guard_is_returned(server: LlmServer) -> None:
    server.script("您可以在安心借App的“我的借款”页面还款。")
    llm = client(server)
    answer = llm.free_form_answer("我在哪里还钱", FACTS, "zh-CN", context=Context.DEBTOR)
    assert answer == "您可以在安心借App的“我的借款”页面还款。"
    assert llm.exchanges[0].outcome == Outcome.OK
    assert "安心借" in server.requests[0]["messages"][1]["content"]  # the facts are given


def test_a_threatening_answer_is_never_returned_and_is_recorded_as_blocked(server: LlmServer) -> None:
    server.script(THREAT, "您在安心借的借款应还3,500.00元。")
    llm = client(server)
    assert llm.free_form_answer("不还会怎样", FACTS, "zh-CN") is None
    # The debt to whoever may be a third party: blocked in that context.
    assert llm.free_form_answer("什么钱", FACTS, "zh-CN", context=Context.THIRD_PARTY) is None
    assert [e.outcome for e in llm.exchanges] == [Outcome.BLOCKED, Outcome.BLOCKED]
    assert llm.exchanges[0].reply == THREAT  # kept for the officer's review


def test_an_overlong_answer_is_not_said(server: LlmServer) -> None:
    server.script("好的" * 100)
    llm = client(server)
    assert llm.free_form_answer("怎么还", FACTS, "zh-CN") is None
    assert llm.exchanges[0].outcome == Outcome.INVALID


def test_nothing_personal_is_sent(server: LlmServer) -> None:
    server.script('{"intent": "confirm_identity"}', "好的，小芳女士，我们会跟进。")
    llm = client(server)
    said = f"我是{NAME}，电话{PHONE}，身份证{NATIONAL_ID}，小芳就是我，号码是幺三八一二三四五六七八"
    llm.classify_fallback(said, "zh-CN", [Intent.CONFIRM_IDENTITY], personal=[NAME])
    llm.free_form_answer(
        f"{NAME}的电话是+86 138-1234-5678吗", {**FACTS, "客户": NAME}, "zh-CN", personal=[NAME]
    )
    sent = json.dumps(server.requests, ensure_ascii=False)
    for value in (NAME, "小芳", PHONE, "1234", NATIONAL_ID, "幺三八"):
        assert value not in sent
        assert all(value not in e.prompt for e in llm.exchanges)
    assert "客户" in server.requests[0]["messages"][1]["content"]  # the placeholder stands in


def test_scrub_keeps_amounts_and_dates() -> None:
    said = "我叫John Smith, call 415-555-0100, I can pay $1,200 on the 15th, smith here"
    out = scrub(said, "en-US", ["John Smith"])
    assert "John" not in out
    assert "mith" not in out
    assert "555" not in out
    assert "$1,200" in out
    assert "15th" in out
    assert scrub("周五还三千五，12000也行", "zh-CN", ["王芳"]) == "周五还三千五，12000也行"


def test_exchanges_are_recorded_encrypted_with_their_outcome(server: LlmServer, session: Session) -> None:
    server.script('{"intent": "hardship"}', THREAT)
    llm = client(server)
    llm.classify_fallback("最近手头紧", "zh-CN", [Intent.HARDSHIP])
    llm.free_form_answer("不还会怎样", FACTS, "zh-CN")
    record_exchanges(session, llm.exchanges)
    session.commit()
    rows = session.scalars(select(LlmExchange).order_by(LlmExchange.id)).all()
    assert [(r.purpose, r.outcome, r.model) for r in rows] == [
        (Purpose.CLASSIFY.value, "ok", "test-model"),
        (Purpose.FREE_FORM.value, "blocked", "test-model"),
    ]
    assert "最近手头紧" in rows[0].prompt
    assert rows[0].reply == '{"intent": "hardship"}'
    assert rows[1].reply == THREAT
    assert rows[1].attempt_id is None
    assert all(r.latency_ms >= 0 and r.at.tzinfo is not None for r in rows)
    raw = session.execute(text("SELECT prompt FROM llm_exchange")).scalars().all()
    assert len(raw) == 2
    assert all("最近手头紧".encode() not in bytes(b) for b in raw)  # encrypted at rest


def test_settings_enable_the_llm_only_with_a_base_url() -> None:
    assert LlmClient.from_settings(Settings(llm_base_url=None)) is None
    settings = Settings(llm_base_url="http://127.0.0.1:1/v1", llm_model="qwen", llm_api_key=SecretStr("k"))
    llm = LlmClient.from_settings(settings)
    assert llm is not None
    assert (llm.config.model, llm.config.api_key, llm.config.timeout_seconds) == ("qwen", "k", 1.5)
