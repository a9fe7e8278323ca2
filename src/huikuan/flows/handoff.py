"""A robot call handed live to a human agent's phone: desk, telephony and voice together.

An agent campaign's call routed to an agent at the answer (`dialer.agent_pacing`, its transfer
already committed) takes the same path from the ring on: `connect_routed_agent`.

When the dialogue asked for a person on a SIP call that is still up, `connect_agent` queues the
desk transfer (the longest-idle agent gets it; their screen pop is committed before their phone
is dialled, so it is there when the phone rings), then `telephony.sip.bridge.hand_off` connects
the debtor to that agent's phone: REFER where the debtor's trunk carries it, else a bridge of
two legs. In attended mode the agent first hears the case: account id, reason and amount due,
in the script's language (no name, no number). The robot's voice is released before the
bridge; the recording goes on with the agent on the robot's channel and the debtor on theirs.

The outcome goes on the desk transfer (`transferred` / `transfer_failed`) and the attempt. A
phone that does not answer is our failure, never the debtor's: the debtor hears that they will
be called back, the transfer returns to the queue as a callback due now, and nothing more goes
into the compliance ledger than the one answered call already there.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from huikuan.desk import service as desk
from huikuan.desk.schemas import REASON_LABELS, HandOffResult, TransferReason
from huikuan.flows import stages
from huikuan.flows.db import DbRunner
from huikuan.flows.live import LiveCall
from huikuan.flows.work import CallWork
from huikuan.telephony import g711
from huikuan.telephony.sip.bridge import AGENT, HandOffOutcome, hand_off
from huikuan.telephony.sip.call import SipCall
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import Disposition
from huikuan.voice.attach import voice_of
from huikuan.voice.recording import DEBTOR, ROBOT

log = logging.getLogger(__name__)

# What the agent hears before the bridge (attended) and what the debtor hears when no agent
# answers; spoken in the script's language.
ANNOUNCEMENT = {
    "zh": "转接来电。账户{account}，原因：{reason}，应还{amount}元。",
    "en": "Transferred call. Account {account}. Reason: {reason}. Amount due: {amount}.",
}
CALLBACK = {
    "zh": "抱歉，人工坐席暂时无法接听，我们会尽快给您回电。再见。",
    "en": "Sorry, no agent could take your call just now. We will call you back soon. Goodbye.",
}


@dataclass(frozen=True, slots=True)
class AgentLine:
    """How a worker reaches agents' phones: its SIP carrier (the same user agent as the robot's
    calls), the caller ID the agent's phone shows, how long it rings, attended or blind."""

    carrier: SipCarrier
    caller_id: str
    ring_timeout: float = 20.0
    attended: bool = False


def reason_for(disposition: str) -> TransferReason:
    """Why the robot hands this debtor over: a plan beyond what it may grant, or they asked."""
    if disposition in (Disposition.HARDSHIP, Disposition.INSTALLMENT):
        return TransferReason.PLAN_NEEDS_APPROVAL
    return TransferReason.ASKED_FOR_PERSON


def _lang(script_lang: str) -> str:
    return "zh" if script_lang.lower().startswith(("zh", "yue", "cmn")) else "en"


def _amount(fen: int, lang: str) -> str:
    yuan, cents = divmod(fen, 100)
    if lang == "zh":
        return f"{yuan}" if cents == 0 else f"{yuan}.{cents:02d}"
    return f"{yuan}.{cents:02d}"


def announcement_text(work: CallWork, reason: TransferReason, script_lang: str) -> str:
    """The case as the agent hears it: account id, reason, amount due (no name, no number)."""
    lang = _lang(script_lang)
    zh, en = REASON_LABELS[reason].split(" / ", 1)
    return ANNOUNCEMENT[lang].format(
        account=work.account_id, reason=zh if lang == "zh" else en, amount=_amount(work.amount_fen, lang)
    )


async def _speech(call: SipCall, text: str) -> g711.Pcm | None:
    """`text` in the call's own voice (its TTS), off the loop; None on a call without a voice."""
    voice = voice_of(call)
    if voice is None:
        return None
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, voice.tts.synthesize, text, voice.voice)


async def connect_agent(
    line: AgentLine,
    call: SipCall,
    live: LiveCall,
    rec: stages.CallRecord,
    work: CallWork,
    reason: TransferReason,
    script_lang: str,
    db: DbRunner,
    session: Session,
) -> None:
    """Queue the desk transfer and, if an agent with a phone got it, connect the debtor to them
    live; fills `rec.handoff` (and `rec.callback_at` when the agent did not answer)."""
    from huikuan.flows.place import committed  # place imports this module

    def now() -> datetime:
        return rec.started.at + timedelta(seconds=rec.setup + call.talk_seconds)

    def assign() -> tuple[int, str | None]:
        transfer = desk.request_transfer(
            session, attempt_id=rec.started.attempt_id, reason=reason, at=now(), campaign_id=work.campaign_id
        )
        return transfer.id, desk.phone_for(session, transfer.id)

    transfer_id, phone = await db.run(committed(session, assign))
    await _ring_agent(line, call, live, rec, work, reason, script_lang, db, session, transfer_id, phone)


async def connect_routed_agent(
    line: AgentLine,
    call: SipCall,
    live: LiveCall,
    rec: stages.CallRecord,
    work: CallWork,
    script_lang: str,
    db: DbRunner,
    session: Session,
) -> None:
    """An agent campaign's answered call, already routed to an agent at the answer (the desk
    transfer and its screen pop committed by `route_answer`): connect the debtor to that
    agent's phone the same way as a robot's transfer."""
    from huikuan.flows.place import committed  # place imports this module

    def assigned() -> tuple[int, str | None, str] | None:
        transfer = desk.transfer_of_attempt(session, rec.started.attempt_id)
        if transfer is None:
            return None
        return transfer.transfer_id, desk.phone_for(session, transfer.transfer_id), transfer.reason

    found = await db.run(committed(session, assigned))
    if found is None:
        return
    transfer_id, phone, reason = found
    await _ring_agent(
        line, call, live, rec, work, TransferReason(reason), script_lang, db, session, transfer_id, phone
    )


async def _ring_agent(
    line: AgentLine,
    call: SipCall,
    live: LiveCall,
    rec: stages.CallRecord,
    work: CallWork,
    reason: TransferReason,
    script_lang: str,
    db: DbRunner,
    session: Session,
    transfer_id: int,
    phone: str | None,
) -> None:
    """Ring the phone of the agent the transfer is assigned to and bridge the debtor to it."""
    from huikuan.flows.place import committed  # place imports this module

    def now() -> datetime:
        return rec.started.at + timedelta(seconds=rec.setup + call.talk_seconds)

    if phone is None:
        return  # queued, or an agent without a phone: the screen pop alone, as before
    lang = _lang(script_lang)
    announcement = None
    if line.attended:
        announcement = await _speech(call, announcement_text(work, reason, script_lang))
    callback = await _speech(call, CALLBACK[lang])
    recorder = await live.take_voice()

    def tap(who: str, frame: g711.Pcm, at: float) -> None:
        if recorder is not None:
            recorder.add(ROBOT if who == AGENT else DEBTOR, frame, at_seconds=max(at, 0.0))

    try:
        done = await hand_off(
            line.carrier,
            call,
            phone,
            caller_id=line.caller_id,
            ring_timeout=line.ring_timeout,
            announcement=announcement,
            callback_message=callback,
            tap=tap,
        )
    except Exception:
        # e.g. the agent's phone URI names a host that does not resolve: the transfer must not
        # stay with an agent whose phone never rang. The call's record names the failure.
        rec.handoff, rec.callback_at = HandOffResult.TRANSFER_FAILED.value, now()
        at = now()
        await db.run(
            committed(session, lambda: desk.phone_unanswered(session, transfer_id, at, rang_out=False))
        )
        raise
    log.info("attempt %s: hand-off by %s: %s", rec.started.attempt_id, done.how, done.outcome)
    at = now()
    if done.outcome == HandOffOutcome.TRANSFERRED:
        rec.handoff = HandOffResult.TRANSFERRED.value
        await db.run(committed(session, lambda: desk.phone_answered(session, transfer_id, at)))
        return
    rec.handoff = HandOffResult.TRANSFER_FAILED.value
    rec.callback_at = at
    rang_out = done.outcome == HandOffOutcome.NO_ANSWER
    await db.run(
        committed(session, lambda: desk.phone_unanswered(session, transfer_id, at, rang_out=rang_out))
    )
