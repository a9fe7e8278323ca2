"""A robot call's live hand-off to a human agent's phone: REFER, or a bridge of two legs.

`hand_off` connects the answered debtor (`SipCall`) to the agent's SIP phone:

- the debtor's trunk carries REFER (`Trunk.refer`): a blind transfer (RFC 3515), the far end
  calls the agent and our leg ends;
- otherwise Huikuan bridges: a second leg from the same user agent to the agent's phone
  (`SipCarrier.dial_uri`), `on_ringing` at its first 180/183 (the desk's screen pop), an optional
  announcement of the case to the agent alone (attended transfer), then `relay` copies every
  received 20 ms frame debtor → agent and agent → debtor until either side hangs up, and hangs
  up the other. `tap` sees each relayed frame (the call's recording: the agent on the robot's
  channel, the debtor on theirs).

An agent leg that does not answer in `ring_timeout` (or refuses) leaves the debtor on the line:
they hear `callback_message` and the caller books the callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from huikuan.telephony import g711
from huikuan.telephony.sip.call import SipCall
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome

log = logging.getLogger(__name__)
POLL_S = 0.2  # a pump re-checks both legs at least this often while no audio arrives
FOREVER_S = 86_400.0  # a bridged call has no time limit of its own
DEBTOR, AGENT = "debtor", "agent"
Tap = Callable[[str, g711.Pcm, float], None]  # who spoke, the frame, seconds from the debtor's answer


class HandOffOutcome(StrEnum):
    TRANSFERRED = "transferred"  # the debtor talked to the agent (bridged, or REFER accepted)
    NO_ANSWER = "no_answer"  # the agent's phone rang out or refused: back to the desk as a callback
    FAILED = "failed"  # our side could not connect (the debtor hung up meanwhile, REFER refused)


@dataclass(frozen=True, slots=True)
class HandOff:
    outcome: HandOffOutcome
    how: str  # "refer" or "bridge"
    agent_status: int | None = None  # the agent leg's final SIP status (bridge), if any
    ended_by: str | None = None  # DEBTOR or AGENT: who hung up first on a bridged call
    relayed: tuple[int, int] = (0, 0)  # frames debtor → agent, agent → debtor
    talk_seconds: float = 0.0  # debtor ↔ agent, after the announcement


async def relay(debtor: SipCall, agent: SipCall, tap: Tap | None = None) -> tuple[str, tuple[int, int]]:
    """Copy audio both ways frame by frame until one leg ends; hang up the other. Returns who
    ended first and how many frames went each way."""
    counts = {DEBTOR: 0, AGENT: 0}

    async def pump(src: SipCall, dst: SipCall, who: str) -> None:
        while not src.ended and not dst.ended:
            frame = await src.receive_audio(POLL_S)
            if frame is None:
                continue
            dst.rtp.queue_pcm(frame)
            counts[who] += 1
            if tap is not None:
                tap(who, frame, debtor.talk_seconds - g711.FRAME_SAMPLES / g711.SAMPLE_RATE)

    pumps = [
        asyncio.ensure_future(pump(debtor, agent, DEBTOR)),
        asyncio.ensure_future(pump(agent, debtor, AGENT)),
    ]
    ends = {
        asyncio.ensure_future(debtor.wait_ended(FOREVER_S)): DEBTOR,
        asyncio.ensure_future(agent.wait_ended(FOREVER_S)): AGENT,
    }
    try:
        done, _ = await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in [*pumps, *ends]:
            task.cancel()
        for task in [*pumps, *ends]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    first = DEBTOR if any(ends[t] == DEBTOR for t in done) else AGENT
    await (agent if first == DEBTOR else debtor).hangup()
    return first, (counts[DEBTOR], counts[AGENT])


async def hand_off(
    carrier: SipCarrier,
    debtor: SipCall,
    agent_uri: str,
    *,
    caller_id: str,
    ring_timeout: float = 20.0,
    on_ringing: Callable[[], None] | None = None,
    announcement: g711.Pcm | None = None,
    callback_message: g711.Pcm | None = None,
    tap: Tap | None = None,
) -> HandOff:
    """Connect the live debtor to the agent at `agent_uri` (see the module's note)."""
    if debtor.ended:
        return HandOff(HandOffOutcome.FAILED, "none")
    if debtor.trunk.refer:
        if on_ringing is not None:
            on_ringing()  # the far end's call to the agent is not ours to see ringing
        done = await debtor.transfer(agent_uri, timeout=ring_timeout + 5.0)
        if done:
            return HandOff(HandOffOutcome.TRANSFERRED, "refer")
        if debtor.ended:
            return HandOff(HandOffOutcome.FAILED, "refer")
        await _tell(debtor, callback_message)
        return HandOff(HandOffOutcome.NO_ANSWER, "refer")
    agent = await carrier.dial_uri(agent_uri, caller_id, ring_timeout, on_ringing)
    status = agent.result.sip_status
    if agent.result.outcome != CallOutcome.ANSWERED:
        await _tell(debtor, callback_message)
        outcome = HandOffOutcome.FAILED if debtor.ended else HandOffOutcome.NO_ANSWER
        return HandOff(outcome, "bridge", status)
    if announcement is not None:
        await agent.send_audio(announcement)  # the debtor hears the line's silence meanwhile
    if debtor.ended or agent.ended:
        await agent.hangup()
        return HandOff(HandOffOutcome.FAILED, "bridge", status, DEBTOR if debtor.ended else AGENT)
    started = debtor.talk_seconds
    ended_by, relayed = await relay(debtor, agent, tap)
    log.info("call %s bridged to leg %s: %s hung up first", debtor.call_id, agent.call_id, ended_by)
    return HandOff(
        HandOffOutcome.TRANSFERRED, "bridge", status, ended_by, relayed, debtor.talk_seconds - started
    )


async def _tell(debtor: SipCall, message: g711.Pcm | None) -> None:
    if message is not None and not debtor.ended:
        await debtor.send_audio(message)
