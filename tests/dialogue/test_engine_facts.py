"""The engine guards every sentence, scripted or from the LLM, with the call's facts: the amount
owed, the due date, today, the plan bounds, the debtor's promise and the plan offered."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from huikuan.compliance import guard
from huikuan.compliance.guard import Category, Context
from huikuan.dialogue import CallContext, DialogueEngine, Reply, load_script
from huikuan.dialogue.engine import PromiseCapture
from huikuan.dialogue.llm import LlmClient, LlmConfig, Outcome
from huikuan.dialogue.render import render
from huikuan.dialogue.script import SCRIPTS_DIR, Script, parse_script
from huikuan.strategy import PlanBounds, propose_plan
from tests.dialogue.llm_server import LlmServer

SCRIPTS = ("reminder", "hardship", "dispute", "unwilling", "handoff")
BOUNDS = (PlanBounds(), PlanBounds(max_terms=12, max_waiver_pct=20, min_first_payment=50_000), None)
AMOUNTS = (350_000, 86_050, 1_280_025)


def _ctx(lang: str, amount_fen: int, bounds: PlanBounds | None) -> CallContext:
    name = "王芳" if lang == "zh-CN" else "Maria Lopez"
    return CallContext(
        name=name,
        platform="安心借" if lang == "zh-CN" else "Brightline Lending",
        amount_fen=amount_fen,
        due_date=date(2026, 2, 18),
        today=date(2026, 3, 10),
        plan_bounds=bounds,
        callback_number="4008001234",
        agent_name="小李" if lang == "zh-CN" else "Sam",
    )


@pytest.mark.parametrize(("lang", "script_id"), list(itertools.product(("zh-CN", "en-US"), SCRIPTS)))
def test_every_line_of_the_shipped_scripts_passes_the_fact_guard(lang: str, script_id: str) -> None:
    """Each node's every phrasing, with a promise, a plan and a callback in the slots, for several
    balances and plan bounds, states only what the facts say."""
    script = load_script(script_id, lang)
    for amount, bounds in itertools.product(AMOUNTS, BOUNDS):
        engine = DialogueEngine(script, _ctx(lang, amount, bounds))
        engine.outcome.identity_confirmed = True
        engine.outcome.promise = PromiseCapture(amount // 2, date(2026, 3, 15))
        if bounds is not None:
            engine.outcome.plan = propose_plan(amount, bounds, bounds.max_terms)
        facts = engine._facts()
        slots = engine._slots()
        slots.setdefault("callback_time", "3月11日下午3点" if lang == "zh-CN" else "March 11 at 3 PM")
        no_plan = "plan" not in slots  # no bounds, or none fits: the engine never says {plan}
        for node in script.nodes.values():
            for template in (*node.say, node.reask or "", node.safe or ""):
                if not template or ("{plan}" in template and no_plan):
                    continue
                text = render(template, slots)
                verdict = guard.check(text, lang, Context.DEBTOR, facts)
                assert verdict.allowed, (script_id, node.id, amount, bounds, text, verdict.categories)


def _script(edit: Any, lang: str = "zh-CN") -> Script:
    data = yaml.safe_load((SCRIPTS_DIR / f"reminder.{lang}.yaml").read_text(encoding="utf-8"))
    edit(data)
    return parse_script(data)


def test_a_scripted_line_with_a_wrong_amount_is_replaced_and_kept() -> None:
    def wrong(data: dict[str, Any]) -> None:
        data["nodes"]["remind"]["say"] = ["{name}您好，您在{platform}的欠款一共是9999元，请问今天能处理吗？"]

    engine = DialogueEngine(_script(wrong), _ctx("zh-CN", 350_000, PlanBounds()))
    engine.start()
    _, reply = engine.step("是我")
    assert "9999" not in reply.text
    assert engine.guard_hits[-1].categories == (Category.WRONG_AMOUNT,)


def test_without_plan_bounds_no_line_may_offer_a_plan_or_a_waiver() -> None:
    def offers(data: dict[str, Any]) -> None:
        data["nodes"]["remind"]["say"] = ["{name}您好，可以给您分3期，还能打八折。"]

    engine = DialogueEngine(_script(offers), _ctx("zh-CN", 350_000, None))
    engine.start()
    _, reply = engine.step("是我")
    assert "分3期" not in reply.text
    hit = engine.guard_hits[-1].categories
    assert Category.OFFER_OUTSIDE_BOUNDS in hit
    assert Category.WAIVER_OUTSIDE_POLICY in hit


def test_the_facts_carry_the_promise_and_the_plan_offered() -> None:
    bounds = PlanBounds(max_terms=6, max_waiver_pct=0, min_first_payment=30_000)
    engine = DialogueEngine(load_script("hardship"), _ctx("zh-CN", 350_000, bounds))
    engine.outcome.promise = PromiseCapture(150_000, date(2026, 3, 20))
    engine.outcome.plan = propose_plan(350_000, bounds, 6)
    facts = engine._facts()
    assert facts.owed == Decimal("3500")
    assert (facts.max_terms, facts.max_waiver_pct, facts.min_first_payment) == (6, 0, Decimal("300"))
    assert facts.promise_amount == Decimal("1500")
    assert facts.promise_date == date(2026, 3, 20)
    assert facts.plan_terms == 6
    assert Decimal("3500") in facts.plan_amounts
    assert facts.today == date(2026, 3, 10)
    assert facts.due_date == date(2026, 2, 18)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "可以给您分36期，首期0元，压力小很多。"),
        ("zh-CN", "今天还的话可以给您打五折。"),
        ("zh-CN", "您的欠款是5000元。"),
        ("zh-CN", "我是真人客服小王，不是机器人。"),
        ("en-US", "We can settle for half if you pay today."),
        ("en-US", "It would be a shame if your neighbors found out."),
        ("en-US", "I'm a real person, not a recording."),
    ],
)
def test_an_llm_answer_against_the_facts_is_never_said_and_the_script_goes_on(lang: str, answer: str) -> None:
    engine, llm, reply = _llm_answers(lang, answer)
    assert answer not in reply.text
    assert llm.exchanges[-1].outcome == Outcome.BLOCKED
    if guard.check(answer, lang, Context.DEBTOR).allowed:  # only the facts refuse it: the engine did
        assert engine.guard_hits
        assert engine.guard_hits[-1].masked_text == answer
    assert guard.check(reply.text, lang, Context.DEBTOR, engine._facts()).allowed


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "您在App里点“立即还款”，大约4小时内到账。"),
        ("zh-CN", "今天先还500元，其余的我们再商量。"),
        ("en-US", "Most people pay in 3 easy steps in the app."),
        ("en-US", "You can put down 200 today and we will sort out the rest."),
    ],
)
def test_an_llm_answer_with_figures_of_its_own_is_never_said(lang: str, answer: str) -> None:
    """Figures are closed-world for the LLM: a number none of its facts state is refused even
    when no word or fact check objects; the hit is recorded for the compliance officer."""
    engine, llm, reply = _llm_answers(lang, answer)
    assert answer not in reply.text
    assert llm.exchanges[-1].outcome == Outcome.BLOCKED
    assert engine.guard_hits[-1].masked_text == answer
    if guard.check(answer, lang, Context.DEBTOR, engine._facts()).allowed:
        assert engine.guard_hits[-1].categories == (Category.UNEXPLAINED_FIGURE,)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "您在安心借的应还金额是三千五百元，2月18号到期。"),
        ("en-US", "You owe thirty-five hundred dollars, due February 18."),
    ],
)
def test_an_llm_answer_restating_its_facts_in_other_words_is_said(lang: str, answer: str) -> None:
    engine, _, reply = _llm_answers(lang, answer, "我欠多少钱？" if lang == "zh-CN" else "how much do I owe")
    assert answer in reply.text
    assert not engine.guard_hits


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "别担心，我自己也背过信用卡账单，您慢慢来。"),
        ("en-US", "No worries, I had a rough year myself, take your time."),
    ],
)
def test_an_llm_answer_living_a_life_of_its_own_is_a_human_claim(lang: str, answer: str) -> None:
    _assert_refused_as(lang, answer, Category.HUMAN_CLAIM)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "您表哥当初也是这么拖着，后来挺难看的。"),
        ("en-US", "Folks around your block tend to notice these things."),
    ],
)
def test_an_llm_answer_naming_anyone_else_is_refused(lang: str, answer: str) -> None:
    _assert_refused_as(lang, answer, Category.NAMES_OTHERS, Category.VEILED_THREAT)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "利息那部分您就别管了，还本金就行。"),
        ("en-US", "Honestly, just cover the principal and we'll call it even."),
    ],
)
def test_an_llm_answer_speaking_of_terms_is_refused(lang: str, answer: str) -> None:
    _assert_refused_as(lang, answer, Category.UNSCRIPTED_TERMS, Category.WAIVER_OUTSIDE_POLICY)


def _assert_refused_as(lang: str, answer: str, *categories: Category) -> None:
    engine, llm, reply = _llm_answers(lang, answer)
    assert answer not in reply.text
    assert llm.exchanges[-1].outcome == Outcome.BLOCKED
    assert set(categories) & set(engine.guard_hits[-1].categories)


WIDE = PlanBounds(max_terms=12, max_waiver_pct=20, min_first_payment=50_000)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "最多可以分12期，首期不低于500元。"),
        ("zh-CN", "您的情况最多能减免百分之二十，也就是减七百元。"),
        ("en-US", "You can spread it over up to 12 payments, with at least $500 up front."),
        ("en-US", "The most we can take off is 20 percent, which is $700."),
    ],
)
def test_an_llm_answer_inside_the_plan_bounds_is_said(lang: str, answer: str) -> None:
    """The plan bounds explain a term count, a first payment and a waiver inside policy, so the
    LLM may restate them (the figures of a plan beyond them are its own, and refused)."""
    engine, _, reply = _llm_answers(lang, answer, bounds=WIDE)
    assert answer in reply.text
    assert not engine.guard_hits


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "最多可以分24期，首期不低于500元。"),
        ("zh-CN", "您的情况最多能减免百分之三十。"),
        ("en-US", "You can spread it over up to 24 payments, with at least $500 up front."),
        ("en-US", "The most we can take off is 30 percent."),
    ],
)
def test_an_llm_answer_beyond_the_plan_bounds_is_refused(lang: str, answer: str) -> None:
    engine, _, reply = _llm_answers(lang, answer, bounds=WIDE)
    assert answer not in reply.text
    assert engine.guard_hits[-1].masked_text == answer


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "请放心，我们不会联系您的家人或单位。"),
        ("zh-CN", "这笔账单目前不支持减免。"),
        ("en-US", "Don't worry, we will never contact your family or your employer."),
        ("en-US", "I'm sorry, this account isn't eligible for a discount."),
    ],
)
def test_an_llm_answer_that_assures_or_refuses_is_said(lang: str, answer: str) -> None:
    """A plain privacy assurance names others only to say they will never be told, and a refused
    waiver offers nothing: both are what a careful answer says (here with no waiver allowed)."""
    engine, _, reply = _llm_answers(lang, answer)
    assert answer in reply.text
    assert not engine.guard_hits


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "只要您今天还上，我们就不会联系您的家人。"),
        ("zh-CN", "下一步会不会通知您的联系人，就看您今天的态度了。"),
        ("en-US", "As long as you pay today, we won't call your employer."),
        ("en-US", "Nobody wants this to get out of hand, right?"),
    ],
)
def test_an_llm_assurance_with_a_condition_is_refused(lang: str, answer: str) -> None:
    _assert_refused_as(lang, answer, Category.NAMES_OTHERS, Category.VEILED_THREAT, Category.EXPOSURE_THREAT)


def _llm_answers(
    lang: str, answer: str, question: str = "", bounds: PlanBounds | None = None
) -> tuple[DialogueEngine, LlmClient, Reply]:
    """A verified debtor asks `question` in the reminder script's free_form node and the LLM
    (a local OpenAI-compatible server) answers `answer`: the engine, the client and the reply
    (with the default plan bounds unless `bounds` are given)."""
    question = question or ("这笔钱怎么还？" if lang == "zh-CN" else "how do I pay this")
    with LlmServer() as server:
        server.script(answer)
        llm = LlmClient(LlmConfig(server.base_url, "test-model", None, 5.0))
        engine = DialogueEngine(
            load_script("reminder", lang), _ctx(lang, 350_000, bounds or PlanBounds()), responder=llm
        )
        engine.start()
        engine.step("是我" if lang == "zh-CN" else "yes this is Maria")
        engine.step("怎么还款" if lang == "zh-CN" else "how can I pay")  # a free_form node
        _, reply = engine.step(question)
    return engine, llm, reply
