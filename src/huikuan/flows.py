"""Work that spans domains: one robot call from reservation to recorded outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.clock import Clock
from huikuan.compliance import Decision, StopKind
from huikuan.dialogue import CallContext, DialogueEngine, Script, load_script
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import AttemptCompletion, PlanIn, PromiseIn, TurnIn
from huikuan.portfolio.models import Contact
from huikuan.strategy import PlanBounds
from huikuan.telephony.carrier import Carrier
from huikuan.types import AttemptStatus, CallOutcome, Channel, Disposition, Relation, Speaker
from huikuan.voice.attach import attach_voice, finish_voice
from huikuan.voice.phrases import hints_for

log = logging.getLogger(__name__)
MAX_TURNS = 24
FIRST_PLAN_PAYMENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class CallWork:
    """Everything one call needs; `number` and `debtor_name` are personal data: never log them."""

    account_id: int
    contact: Contact
    number: str
    debtor_name: str
    platform: str
    amount_fen: int
    due_date: date
    today: date  # the debtor's local date, for resolving "明天", "周五"
    campaign_id: int | None = None
    timezone: str = "Asia/Shanghai"  # the debtor's zone: callbacks are booked in its calling window
    plan_bounds: PlanBounds | None = None  # what installment plan the robot may offer (strategy)
    dialect: str | None = None  # the debtor's dialect (cmn, yue, hak, en…): picks the robot's voice

    @property
    def relation(self) -> Relation:
        return Relation(self.contact.relation)


class AnswerRoute(StrEnum):
    """Who takes an answered call: the robot, an agent (the call left the robot), or nobody."""

    ROBOT = "robot"
    AGENT = "agent"
    ABANDONED = "abandoned"


# What the record says of an answered call the robot did not speak on.
_ROUTED_DISPOSITION = {
    AnswerRoute.ROBOT: Disposition.NONE,  # the robot's dialogue gives the disposition
    AnswerRoute.AGENT: Disposition.TRANSFERRED,
    AnswerRoute.ABANDONED: Disposition.ABANDONED,
}

# `route_answer(attempt_id, answered_at)`: asked once when the call is answered (agent campaigns).
RouteAnswer = Callable[[int, datetime], AnswerRoute]


@dataclass(frozen=True, slots=True)
class CallResult:
    decision: Decision
    attempt_id: int | None = None
    outcome: CallOutcome | None = None
    disposition: Disposition = Disposition.NONE
    right_party: bool = False
    answered_by: AnswerRoute | None = None  # None: not answered
    seconds: float = 0.0  # virtual seconds the line was busy (dial + talk)
    # As recorded on the attempt (and its promise), so a dialer need not read them back.
    callback_at: datetime | None = None
    transfer_requested: bool = False
    promise_due: date | None = None


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
    checkpoint: Callable[[], None] | None = None,
    on_started: Callable[[int, int], None] | None = None,
    agent_available: Callable[[], bool] | None = None,
    route_answer: RouteAnswer | None = None,
) -> CallResult:
    """Reserve, dial, talk, record. The caller owns the transaction (`checkpoint` may commit
    after the reservation; the caller commits at the end).

    `on_started(attempt_id, ledger_entry_id)` runs before `checkpoint`, so a dialer can write
    the call in flight in the same commit; `agent_available` tells the dialogue whether a
    person can take a transfer now (default: yes); `route_answer` (agent campaigns) decides who
    takes the answered call: anything but the robot ends the robot's part at the answer."""
    script = script or load_script()
    at = clock.now()
    decision = compliance.reserve(session, work.contact, at, Channel.VOICE, artificial_voice=True)
    if not decision.allowed or decision.ledger_entry_id is None:
        return CallResult(decision=decision)
    debtor_id = work.contact.debtor_id
    attempt_id = outcomes.start_attempt(
        session,
        account_id=work.account_id,
        debtor_id=debtor_id,
        contact_id=work.contact.id,
        started_at=at,
        campaign_id=work.campaign_id,
        robot_id=robot_id,
        script_version_id=script_version_id,
    )
    if on_started is not None:
        on_started(attempt_id, decision.ledger_entry_id)
    if checkpoint is not None:
        checkpoint()
    turns: list[TurnIn] = []
    engine: DialogueEngine | None = None
    voiced = False
    outcome = CallOutcome.FAILED
    setup = talk = 0.0
    status = AttemptStatus.COMPLETED
    answered_by: AnswerRoute | None = None
    try:
        call = await carrier.dial(work.number, caller_id, ring_timeout)
        outcome, setup = call.result.outcome, call.result.setup_seconds
        if outcome == CallOutcome.ANSWERED:
            answered_by = AnswerRoute.ROBOT
            if route_answer is not None:
                answered_by = route_answer(attempt_id, at + timedelta(seconds=setup))
        if answered_by == AnswerRoute.ROBOT:
            engine = DialogueEngine(
                script,
                CallContext(
                    name=work.debtor_name,
                    platform=work.platform,
                    amount_fen=work.amount_fen,
                    due_date=work.due_date,
                    today=work.today,
                    third_party_call=work.relation != Relation.SELF,
                    variant_seed=attempt_id,
                    timezone=work.timezone,
                    now=at,
                    plan_bounds=work.plan_bounds,
                    agent_available=agent_available() if agent_available is not None else True,
                ),
            )
            start = at + timedelta(seconds=setup)
            # A media call (SIP) speaks and listens through TTS/ASR; the simulated carrier has no media.
            voiced = _give_voice(call, engine, script.lang, work.dialect, attempt_id, start)
            reply = engine.start()
            for _ in range(MAX_TURNS):
                await call.say(reply.text)
                turns.append(
                    TurnIn(
                        Speaker.ROBOT,
                        reply.transcript,
                        start + timedelta(seconds=call.talk_seconds),
                        node=reply.node,
                    )
                )
                if reply.end or call.remote_hung_up:  # a real line may hang up mid-sentence
                    break
                heard = await call.hear()
                if call.remote_hung_up:
                    if heard:
                        turns.append(
                            TurnIn(Speaker.DEBTOR, heard, start + timedelta(seconds=call.talk_seconds))
                        )
                    break
                nlu, reply = engine.step(heard)
                if heard is not None:
                    intent = nlu.intent.value if nlu else None
                    turns.append(
                        TurnIn(
                            Speaker.DEBTOR, heard, start + timedelta(seconds=call.talk_seconds), intent=intent
                        )
                    )
            talk = call.talk_seconds
        await call.hangup()
        if voiced:
            await finish_voice(call, session)
    except Exception:
        # A failed call ends this attempt cleanly, never the worker (CONVENTIONS #8).
        log.exception("call failed: attempt %s", attempt_id)
        status = AttemptStatus.FAILED
    result = engine.outcome if engine else None
    answered = outcome == CallOutcome.ANSWERED
    # The record's `conversation` is the right party reached and speaking (export contract);
    # the compliance ledger counts every answered call instead: the stricter reading of
    # CN.CONV_PER_DAY, so an audit of the export can never find more conversations than the caps saw.
    right_party = bool(result and result.identity_confirmed and work.relation == Relation.SELF)
    if result:
        disposition = Disposition(result.disposition)
    else:
        disposition = _ROUTED_DISPOSITION[answered_by] if answered_by else Disposition.NONE
    stop = StopKind(result.stop) if result and result.stop else None
    promise = None
    if result and result.promise.confirmed and result.promise.amount_fen and result.promise.due_date:
        promise = PromiseIn(result.promise.amount_fen, result.promise.due_date)
    plan = None
    if result and result.plan_accepted and result.plan is not None:
        # The first payment falls on the date the debtor named, or a week from today.
        first_due = result.promise.due_date or work.today + timedelta(days=FIRST_PLAN_PAYMENT_DAYS)
        plan = PlanIn(result.plan.terms, result.plan.installment, result.plan.waiver, first_due)
    ended = at + timedelta(seconds=setup + talk)
    outcomes.complete_attempt(
        session,
        attempt_id,
        account_id=work.account_id,
        debtor_id=debtor_id,
        completion=AttemptCompletion(
            ended_at=ended,
            outcome=outcome,
            conversation=right_party,
            talk_seconds=round(talk),
            disposition=disposition,
            transfer_requested=bool(result and result.transfer_requested) or answered_by == AnswerRoute.AGENT,
            status=status,
            callback_at=result.callback_at if result else None,
        ),
        plan=plan,
        turns=turns,
        promise=promise,
        stop=stop,
    )
    if engine is not None and engine.guard_hits:
        compliance.record_blocked_sentences(
            session,
            [
                compliance.BlockedSentence(h.node, tuple(h.contexts), tuple(h.categories), h.masked_text)
                for h in engine.guard_hits
            ],
            at=ended,
            lang=script.lang,
            attempt_id=attempt_id,
            script_version_id=script_version_id,
        )
    compliance.record_outcome(
        session,
        decision.ledger_entry_id,
        outcome,
        conversation=answered,
        refused_further_contact=bool(result and result.refused_further_contact),
        attempt_id=attempt_id,
    )
    return CallResult(
        decision=decision,
        attempt_id=attempt_id,
        outcome=outcome,
        disposition=disposition,
        right_party=right_party,
        seconds=setup + talk,
        callback_at=result.callback_at if result else None,
        transfer_requested=bool(result and result.transfer_requested) or answered_by == AnswerRoute.AGENT,
        promise_due=promise.due_date if promise else None,
        answered_by=answered_by,
    )


def _give_voice(
    call: object, engine: DialogueEngine, lang: str, dialect: str | None, attempt_id: int, answered: datetime
) -> bool:
    """Attach TTS/ASR (and the recording) to an answered media call; False for a text-only carrier.

    The ASR hints follow the dialogue: they are asked for at every turn from the engine's node.
    """

    def node_hints() -> tuple[str, ...]:
        node = engine.node
        return hints_for(lang, node.id, verifies_identity=node.verifies_identity, ends=node.end)

    return attach_voice(
        call, lang=lang, dialect=dialect, node_hints=node_hints, attempt_id=attempt_id, answered_at=answered
    )
