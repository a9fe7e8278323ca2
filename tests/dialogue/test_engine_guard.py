"""Every sentence the robot says passes the content guard for whoever may be hearing it;
a blocked one is replaced by the safe line and kept for review, and a call records it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.compliance import guard
from huikuan.compliance.guard import Category, Context
from huikuan.compliance.models import GuardEvent
from huikuan.dialogue import CallContext, DialogueEngine
from huikuan.dialogue.engine import SAFE_LINES
from huikuan.dialogue.script import SCRIPTS_DIR, Script, parse_script
from huikuan.flows import CallWork, place_call
from huikuan.sim.personas import LineTruth, Persona
from huikuan.telephony import SimulatedCarrier, Subscriber
from huikuan.types import CallOutcome
from tests import factories
from tests.conftest import TestDatabase

CTX = CallContext(
    name="王芳", platform="安心借", amount_fen=350_000, due_date=date(2026, 2, 18), today=date(2026, 3, 10)
)
THREAT = "王芳，如果你今天不还钱，我们就去你单位找你领导。"


def _script(edit: Any, lang: str = "zh-CN") -> Script:
    data = yaml.safe_load((SCRIPTS_DIR / f"reminder.{lang}.yaml").read_text(encoding="utf-8"))
    edit(data)
    return parse_script(data)


def _threatening_reminder(data: dict[str, Any]) -> None:
    data["nodes"]["remind"]["say"] = [THREAT]


def test_a_threat_after_identity_is_replaced_by_the_safe_line_and_kept() -> None:
    engine = DialogueEngine(_script(_threatening_reminder), CTX)
    engine.start()
    _, reply = engine.step("是我")
    assert reply.text != THREAT
    assert "单位" not in reply.text
    assert [h.node for h in engine.guard_hits] == ["remind"]
    hit = engine.guard_hits[0]
    assert hit.contexts == (Context.DEBTOR,)
    assert Category.EXPOSURE_THREAT in hit.categories
    assert "王芳" not in hit.masked_text  # kept as the transcript has it
    assert guard.check(reply.text, "zh-CN", Context.DEBTOR).allowed


def test_an_opening_without_the_ai_label_is_replaced_by_one_with_it() -> None:
    def no_label(data: dict[str, Any]) -> None:
        data["nodes"]["greet"]["say"] = "您好，请问是{name}本人吗？"

    engine = DialogueEngine(_script(no_label), CTX)
    first = engine.start()
    assert "智能语音助手" in first.text
    assert engine.guard_hits[0].categories == (Category.MISSING_DISCLOSURE,)
    assert engine.guard_hits[0].contexts == (Context.OPENING, Context.THIRD_PARTY)


def test_the_shipped_scripts_say_nothing_the_guard_blocks_on_a_usual_call() -> None:
    for turns in (["是我", "我明天还3500元"], ["我不是他", "好的"], ["你是机器人吗", "是我", "没钱"]):
        engine = DialogueEngine(_script(lambda data: None), CTX)
        engine.start()
        for turn in turns:
            if not engine.done:
                engine.step(turn)
        assert engine.guard_hits == []


def test_the_built_in_safe_lines_pass_every_context_they_can_be_said_in() -> None:
    for lang, line in SAFE_LINES.items():
        text = line.format(platform="Acme")
        contexts = [Context.DEBTOR, Context.THIRD_PARTY] + ([Context.OPENING] if lang == "zh-CN" else [])
        assert all(guard.check(text, lang, c).allowed for c in contexts), lang


def _answered_seeds(directory: dict[str, Subscriber], number: str, at: datetime) -> Iterator[int]:
    """Carrier seeds whose first dial of `number` is answered. A dial that goes unanswered still
    counts against the number's daily cap, so the test places only calls that will be picked up
    (which seeds those are depends on the number the factory hands out)."""
    for seed in range(200):
        probe = SimulatedCarrier(directory, VirtualClock(at), seed=seed)
        if asyncio.run(probe.dial(number, "R01")).result.outcome == CallOutcome.ANSWERED:
            yield seed


def test_a_call_records_what_the_guard_blocked(db: TestDatabase, tmp_path: Path) -> None:
    at = datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    script = _script(_threatening_reminder)
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        d = factories.debtor(s, name="王芳")
        acct = factories.account(s, d, batch, as_of=date(2026, 3, 10))
        c = factories.contact(s, d)
        s.commit()
        directory = {c.number: Subscriber(LineTruth.ACTIVE, Persona.FORGETFUL, 0, True)}
        for seed in islice(_answered_seeds(directory, c.number, at), 5):
            carrier = SimulatedCarrier(directory, VirtualClock(at), seed=seed)
            work = CallWork(
                account_id=acct.id,
                contact=c,
                number=c.number,
                debtor_name="王芳",
                platform="安心借",
                amount_fen=acct.overdue,
                due_date=acct.due_date,
                today=date(2026, 3, 10),
            )
            result = asyncio.run(place_call(s, work, carrier, VirtualClock(at), "R01", script=script))
            s.commit()
            if result.right_party:
                break
        else:
            raise AssertionError("the debtor never confirmed identity in 5 answered calls")
        events = s.scalars(select(GuardEvent)).all()
        assert [e.attempt_id for e in events] == [result.attempt_id]
        assert events[0].node == "remind"
        assert "exposure_threat" in events[0].categories.split()
        assert "王芳" not in events[0].text
