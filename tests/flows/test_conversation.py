"""The conversation stage alone: pure async, no database; a raise names its step and keeps the
turns said before it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.flows import CallStage, Conversation, StageFailed, converse
from huikuan.types import Speaker
from tests.flows.fakes import Boom, ScriptedCall

ANSWERED = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def _engine(lang: str = "zh-CN") -> DialogueEngine:
    ctx = CallContext("王芳", "安心借", 350_000, date(2026, 2, 18), date(2026, 3, 10), now=ANSWERED)
    return DialogueEngine(load_script("reminder", lang), ctx)


def test_a_conversation_alternates_robot_and_debtor_with_their_times() -> None:
    call = ScriptedCall(["是我", "我明天还三千五"])
    conversation = asyncio.run(converse(call, _engine(), Conversation(ANSWERED)))

    speakers = [t.speaker for t in conversation.turns]
    assert speakers[:4] == [Speaker.ROBOT, Speaker.DEBTOR, Speaker.ROBOT, Speaker.DEBTOR]
    assert conversation.turns[1].intent == "confirm_identity"
    times = [t.at for t in conversation.turns]
    assert times == sorted(times)
    assert times[0] > ANSWERED  # placed on the call's own clock (talk seconds from the answer)


def test_the_conversation_stops_at_the_turn_limit() -> None:
    call = ScriptedCall(["嗯"] * 50)
    conversation = asyncio.run(converse(call, _engine(), Conversation(ANSWERED), max_turns=3))
    assert sum(t.speaker == Speaker.ROBOT for t in conversation.turns) <= 3


class _SayFails(ScriptedCall):
    async def say(self, text: str) -> None:
        if self.said:
            raise Boom("the line dropped")
        await super().say(text)


class _HearFails(ScriptedCall):
    async def hear(self) -> str | None:
        raise Boom("the ear failed")


class _StepFails(DialogueEngine):
    def step(self, text: str | None) -> tuple[None, object]:  # type: ignore[override]
        raise Boom("the engine failed")


@pytest.mark.parametrize(
    ("call", "engine", "stage", "turns_kept"),
    [
        (_SayFails(["是我"]), _engine(), CallStage.SAY, 2),
        (_HearFails(["是我"]), _engine(), CallStage.HEAR, 1),
        (
            ScriptedCall(["是我"]),
            _StepFails(load_script("reminder", "zh-CN"), _engine().ctx),
            CallStage.STEP,
            1,
        ),
    ],
)
def test_a_raise_names_its_step_and_keeps_the_turns_before_it(
    call: ScriptedCall, engine: DialogueEngine, stage: CallStage, turns_kept: int
) -> None:
    conversation = Conversation(ANSWERED)
    with pytest.raises(StageFailed) as raised:
        asyncio.run(converse(call, engine, conversation))
    assert raised.value.stage == stage
    assert isinstance(raised.value.__cause__, Boom)
    assert "王芳" not in str(raised.value)
    assert len(conversation.turns) == turns_kept
