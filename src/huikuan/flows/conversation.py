"""The conversation stage: hear → understand and decide (the dialogue engine, whose guard
checks every sentence) → say, turn by turn, until the dialogue ends or the line drops.

Pure async code with no database in it: it takes an answered call and a dialogue engine and
fills a `Conversation` as it goes, so whatever raises, the turns so far are there for the
record stage. A raise is re-raised as `StageFailed` naming the step (say, hear, step).

The engine is synchronous. Without an LLM a step is pure CPU well under a millisecond, so it
runs on the loop; with an LLM (`off_loop=True`) a step may wait up to the LLM's hard deadline on
HTTP, so it runs on a thread (`asyncio.to_thread`) and the loop keeps carrying every other
call's audio meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from huikuan.dialogue import DialogueEngine
from huikuan.flows.work import CallStage
from huikuan.outcomes.service import TurnIn
from huikuan.telephony.carrier import Call
from huikuan.types import Speaker

MAX_TURNS = 24
T = TypeVar("T")


class StageFailed(Exception):
    """A stage of a call raised; `stage` says which (no personal data in the message)."""

    def __init__(self, stage: CallStage, cause: BaseException) -> None:
        super().__init__(f"call stage {stage} failed: {type(cause).__name__}")
        self.stage = stage
        self.__cause__ = cause


@dataclass(slots=True)
class Conversation:
    """What was said so far; complete when `converse` returns, partial when it raised."""

    answered_at: datetime
    turns: list[TurnIn] = field(default_factory=list)

    def at(self, call: Call) -> datetime:
        return self.answered_at + timedelta(seconds=call.talk_seconds)


async def converse(
    call: Call,
    engine: DialogueEngine,
    conversation: Conversation,
    max_turns: int = MAX_TURNS,
    *,
    off_loop: bool = False,
) -> Conversation:
    """Talk on an answered call until the dialogue ends, the far end hangs up or turns run out.

    `off_loop`: run each step on a thread (the engine has an LLM that may wait on HTTP)."""
    reply = _stage(CallStage.STEP, engine.start)
    for _ in range(max_turns):
        try:
            await call.say(reply.text)
        except Exception as e:
            raise StageFailed(CallStage.SAY, e) from e
        conversation.turns.append(
            TurnIn(Speaker.ROBOT, reply.transcript, conversation.at(call), node=reply.node)
        )
        if reply.end or call.remote_hung_up:  # a real line may hang up mid-sentence
            break
        try:
            heard = await call.hear()
        except Exception as e:
            raise StageFailed(CallStage.HEAR, e) from e
        if call.remote_hung_up:
            if heard:
                conversation.turns.append(TurnIn(Speaker.DEBTOR, engine.masked(heard), conversation.at(call)))
            break
        step = partial(engine.step, heard)
        if off_loop:
            nlu, reply = await _stage_off_loop(CallStage.STEP, step)
        else:
            nlu, reply = _stage(CallStage.STEP, step)
        if heard is not None:
            intent = nlu.intent.value if nlu else None
            conversation.turns.append(
                TurnIn(Speaker.DEBTOR, engine.masked(heard), conversation.at(call), intent=intent)
            )
    return conversation


def _stage(stage: CallStage, fn: Callable[[], T]) -> T:
    """Run one synchronous step, naming it when it raises."""
    try:
        return fn()
    except Exception as e:
        raise StageFailed(stage, e) from e


async def _stage_off_loop(stage: CallStage, fn: Callable[[], T]) -> T:
    """Run one synchronous step on a thread, naming it when it raises."""
    try:
        return await asyncio.to_thread(fn)
    except Exception as e:
        raise StageFailed(stage, e) from e
