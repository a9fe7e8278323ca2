"""`place_call`: one robot call as a pipeline of small stages.

    reserve + start attempt (db) → dial → [answering-machine check: a machine hears the
    voicemail script after its beep] → route (robot | agent | abandon; db; a US abandoned call
    hears the identification message; an agent campaign's agent gets the debtor live on their
    phone, `flows.handoff`) → converse (hear → understand → decide → guard → say;
    no db) → record (db)

Database stages run on a `DbRunner` (a dedicated thread in production, `flows.db`), so the
event loop that carries every line's RTP never waits on SQL. `LiveCall` owns the dialled call:
whatever raises after the dial, the call is hung up, its voice released, and the record stage
stores the turns so far, the recording and the attempt closed with its cause (the failing
stage and the exception's type). A failure of the record stage itself propagates: the worker
hands the task back and the attempt, written before the dial, is closed when its lease ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from huikuan.clock import Clock
from huikuan.compliance import Decision
from huikuan.dialogue import CallContext, DialogueEngine, Script, load_script
from huikuan.dialogue.llm import LlmClient, LlmTransport
from huikuan.dialogue.script import jurisdiction_for_lang
from huikuan.flows import stages
from huikuan.flows.answering import screen_answer
from huikuan.flows.conversation import Conversation, StageFailed, converse
from huikuan.flows.db import INLINE, DbRunner
from huikuan.flows.handoff import AgentLine, connect_agent, connect_routed_agent, reason_for
from huikuan.flows.live import LiveCall
from huikuan.flows.work import AnswerRoute, CallResult, CallStage, CallWork, RouteAnswer
from huikuan.outcomes.service import TurnIn
from huikuan.strategy import VOICEMAIL_SCRIPT
from huikuan.telephony.carrier import Call, Carrier
from huikuan.telephony.sip.call import SipCall
from huikuan.types import CallOutcome, Relation, Speaker
from huikuan.voice.attach import has_media
from huikuan.voice.audio import Pcm
from huikuan.voice.phrases import hints_for

log = logging.getLogger(__name__)
T = TypeVar("T")
_TALKED = (CallOutcome.ANSWERED, CallOutcome.VOICEMAIL)  # the line was up: its seconds are talk
ABANDONED_LINE = "voicemail_abandoned"  # the voicemail script's line for a US abandoned call


async def place_call(
    session: Session,
    work: CallWork,
    carrier: Carrier,
    clock: Clock,
    robot_id: str,
    *,
    script: Script | None = None,
    script_version_id: int | None = None,
    caller_id: str = "+864000000000",
    ring_timeout: float = 45.0,
    db: DbRunner = INLINE,
    on_started: Callable[[int, int], None] | None = None,
    on_recorded: Callable[[CallResult], None] | None = None,
    agent_available: Callable[[], bool] | None = None,
    route_answer: RouteAnswer | None = None,
    llm: LlmTransport | None = None,
    agent_line: AgentLine | None = None,
) -> CallResult:
    """Reserve, dial, talk, record, each database stage one committed unit on `db`.

    `llm` (the worker's kept LLM transport): the call's engine gets its own client on it, the
    conversation steps run off the loop, and the exchanges are stored with the attempt.

    A unit never stays open across an await: with one database thread, one call's open write
    would block every other call's stage (on SQLite, the whole file). So the caller adds its
    own writes through hooks that run inside the units: `on_started(attempt_id,
    ledger_entry_id)` with the reservation and attempt, before the dial (a dialer's call in
    flight), and `on_recorded(result)` with the record (a dialer's next step for the task).
    `agent_available()` and `route_answer(session, attempt_id, at)` run on `db` too; anything
    but the robot ends the robot's part at the answer.

    `agent_line` (a worker on SIP trunks): a call whose dialogue asked for a person is handed
    live to the assigned agent's phone before it is hung up (`flows.handoff`).
    """
    script = script or load_script()
    at = clock.now()

    def start() -> stages.Started | Decision:
        began = stages.reserve_and_start(session, work, at, robot_id, script_version_id)
        if isinstance(began, stages.Started) and on_started is not None:
            on_started(began.attempt_id, began.ledger_entry_id)
        return began

    began = await db.run(committed(session, start))
    if not isinstance(began, stages.Started):
        return CallResult(decision=began)
    rec = stages.CallRecord(started=began)
    try:
        call = await carrier.dial(work.number, caller_id, ring_timeout)
    except Exception as e:
        _failed(rec, CallStage.DIAL, e)
    else:
        await _answered_call(
            call, rec, work, script, db, session, agent_available, route_answer, llm, agent_line
        )

    def finish() -> CallResult:
        result = stages.record(session, work, rec, script.lang, script_version_id)
        if on_recorded is not None:
            on_recorded(result)
        return result

    return await db.run(committed(session, finish))


async def _answered_call(
    call: Call,
    rec: stages.CallRecord,
    work: CallWork,
    script: Script,
    db: DbRunner,
    session: Session,
    agent_available: Callable[[], bool] | None,
    route_answer: RouteAnswer | None,
    llm: LlmTransport | None = None,
    agent_line: AgentLine | None = None,
) -> None:
    """Route the dialled call and, for the robot, converse; fills `rec` whatever raises."""
    rec.outcome, rec.setup = call.result.outcome, call.result.setup_seconds
    if rec.outcome == CallOutcome.TRUNK_FAILED:  # stored as failure cause "trunk:<why>"
        rec.failed_at, rec.failure = CallStage.TRUNK, (call.result.cause or "").removeprefix("trunk:")
    answered_at = rec.started.at + timedelta(seconds=rec.setup)
    conversation = Conversation(answered_at)
    engine: DialogueEngine | None = None
    responder: LlmClient | None = llm.client() if llm is not None else None
    live = LiveCall(call, rec.started.attempt_id)
    stage = CallStage.ROUTE
    heard: Pcm | None = None  # what the answering-machine check listened to
    try:
        async with live:
            if rec.outcome != CallOutcome.ANSWERED:
                return
            if work.amd and has_media(call):
                stage = CallStage.AMD
                screening = await screen_answer(call)  # type: ignore[arg-type]  # has_media checked
                heard = screening.heard
                rec.amd = screening.result  # stored on the attempt, whatever follows
                if call.remote_hung_up:  # gone during the check: nothing to say, nobody to route
                    if screening.result.machine:
                        rec.outcome = CallOutcome.VOICEMAIL
                    return
                if screening.result.machine:
                    # The limited-content message after the beep; no conversation, no NLU.
                    rec.outcome, rec.answered_by = CallOutcome.VOICEMAIL, AnswerRoute.ROBOT
                    engine = DialogueEngine(
                        load_script(VOICEMAIL_SCRIPT, script.lang), _context(work, rec, False)
                    )
                    stage = CallStage.VOICE
                    live.give_voice(script.lang, work.dialect, lambda: (), answered_at, heard)
                    await converse(call, engine, conversation, max_turns=1)
                    return
                stage = CallStage.ROUTE
            rec.answered_by = AnswerRoute.ROBOT
            if route_answer is not None:
                rec.answered_by = await db.run(
                    committed(session, partial(route_answer, session, rec.started.attempt_id, answered_at))
                )
            if rec.answered_by == AnswerRoute.ABANDONED and jurisdiction_for_lang(script.lang) == "US":
                stage = CallStage.VOICE
                # Its own engine: the attempt keeps the routed disposition (abandoned).
                vm_script = load_script(VOICEMAIL_SCRIPT, script.lang)
                notice = DialogueEngine(vm_script, _context(work, rec, False))
                live.give_voice(script.lang, work.dialect, lambda: (), answered_at, heard)
                try:
                    await _identify(call, notice, conversation)
                finally:
                    rec.guard_hits = tuple(notice.guard_hits)
                return
            if rec.answered_by == AnswerRoute.AGENT:
                # An agent campaign's call routed to a free agent at the answer (the machine
                # check above ran first): the debtor goes live to that agent's phone.
                if agent_line is not None and isinstance(call, SipCall) and not call.ended:
                    stage = CallStage.HANDOFF
                    # The voice records from the answer and speaks the callback line if the
                    # agent's phone rings out.
                    live.give_voice(script.lang, work.dialect, lambda: (), answered_at, heard)
                    await connect_routed_agent(agent_line, call, live, rec, work, script.lang, db, session)
                return
            if rec.answered_by != AnswerRoute.ROBOT:
                return
            agent_free = True if agent_available is None else await db.run(agent_available)
            engine = DialogueEngine(script, _context(work, rec, agent_free), responder=responder)
            stage = CallStage.VOICE
            live.give_voice(script.lang, work.dialect, _node_hints(engine, script.lang), answered_at, heard)
            await converse(call, engine, conversation, off_loop=responder is not None)
            if (
                agent_line is not None
                and engine.outcome.transfer_requested
                and isinstance(call, SipCall)
                and not call.ended
            ):
                stage = CallStage.HANDOFF
                reason = reason_for(engine.outcome.disposition)
                await connect_agent(agent_line, call, live, rec, work, reason, script.lang, db, session)
    except StageFailed as e:
        _failed(rec, e.stage, e.__cause__ or e)
    except Exception as e:
        _failed(rec, stage, e)
    finally:
        rec.talk = call.talk_seconds if rec.outcome in _TALKED else 0.0
        rec.turns = tuple(conversation.turns)
        rec.recorder = live.recorder
        if engine is not None:
            rec.dialogue = engine.outcome
            rec.guard_hits = tuple(engine.guard_hits)
        if responder is not None:
            rec.llm_exchanges = tuple(responder.exchanges)


async def _identify(call: Call, engine: DialogueEngine, conversation: Conversation) -> None:
    """US abandoned call (47 CFR 64.1200(a)(7)): who called and a number to call back, then the
    hang-up; the attempt keeps its disposition `abandoned`."""
    reply = engine.say_line(ABANDONED_LINE)
    try:
        await call.say(reply.text)
    except Exception as e:
        raise StageFailed(CallStage.SAY, e) from e
    conversation.turns.append(TurnIn(Speaker.ROBOT, reply.transcript, conversation.at(call), node=reply.node))


def committed(session: Session, fn: Callable[[], T]) -> Callable[[], T]:
    """`fn` as one unit of work: committed when it returns, rolled back when it raises."""

    def unit() -> T:
        try:
            out = fn()
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return out

    return unit


def _failed(rec: stages.CallRecord, stage: CallStage, error: BaseException) -> None:
    """A failed stage ends this attempt cleanly, never the worker (CONVENTIONS #8)."""
    log.error(
        "attempt %s: call failed at %s (%s)",
        rec.started.attempt_id,
        stage,
        type(error).__name__,
        exc_info=error,
    )
    rec.failed_at, rec.failure = stage, type(error).__name__


def _context(work: CallWork, rec: stages.CallRecord, agent_available: bool) -> CallContext:
    return CallContext(
        name=work.debtor_name,
        platform=work.platform,
        amount_fen=work.amount_fen,
        due_date=work.due_date,
        today=work.today,
        third_party_call=work.relation != Relation.SELF,
        variant_seed=rec.started.attempt_id,
        timezone=work.timezone,
        now=rec.started.at,
        plan_bounds=work.plan_bounds,
        agent_available=agent_available,
        callback_number=work.callback_number,
        agent_name=work.agent_name,
        knowledge_check=work.knowledge_check,
        knowledge_answer=work.knowledge_answer,
    )


def _node_hints(engine: DialogueEngine, lang: str) -> Callable[[], tuple[str, ...]]:
    """The ASR hints follow the dialogue: asked at every turn from the engine's node."""

    def hints() -> tuple[str, ...]:
        node = engine.node
        return tuple(hints_for(lang, node.id, verifies_identity=node.verifies_identity, ends=node.end))

    return hints
