"""`attach_voice`: what `flows.place_call` calls after an answered dial, on a SipCall and a simulated one."""

from __future__ import annotations

import asyncio
import random
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from huikuan.outcomes import service as outcomes
from huikuan.telephony.carrier import DialResult
from huikuan.telephony.simulated import SimulatedCall
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome
from huikuan.voice.asr import PocketsphinxAsr
from huikuan.voice.attach import attach_voice, finish_voice, voice_for, voice_of
from huikuan.voice.models import Recording
from huikuan.voice.phrases import EN_NODE_HINTS
from huikuan.voice.tts import CachedTts, EspeakTts
from tests import factories
from tests.telephony.sip.sipp import Sipp
from tests.telephony.test_voice_e2e import SCENARIO, FarEndEar, render_utterance


@pytest.mark.parametrize(
    ("lang", "dialect", "voice"),
    [
        ("zh-CN", "yue", "yue"),
        ("zh-CN", "hak", "cmn"),  # espeak-ng's Hakka says "Chinese letter" for each character
        ("zh-CN", "teo", "cmn"),  # no Teochew voice at all
        ("zh-CN", "cmn", "cmn"),
        ("zh-CN", None, "cmn"),
        ("zh-CN", "en", "cmn"),  # Chinese text is never read with the English voice
        ("en-US", "yue", "en-us"),  # nor English text with a Cantonese one
        ("en-US", "en", "en-us"),
    ],
)
def test_voice_follows_the_script_language_then_the_dialect(
    lang: str, dialect: str | None, voice: str
) -> None:
    assert voice_for(lang, dialect) == voice


def test_a_call_without_media_keeps_its_text_turns() -> None:
    call = SimulatedCall(DialResult(CallOutcome.ANSWERED, 1.0), None, random.Random(1))
    assert attach_voice(call, lang="zh-CN", dialect="cmn") is False
    assert voice_of(call) is None


@dataclass
class Heard:
    attached: bool
    again_refused: bool
    voice: str
    heard: str | None
    greeting_packets: int
    hints_asked: int
    recording: Recording | None


def test_sip_call_gets_its_voice_hears_the_debtor_and_is_recorded(session: Session, tmp_path: Path) -> None:
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session)
    contact = factories.contact(session, debtor)
    account = factories.account(session, debtor, batch, as_of=date(2026, 3, 1))
    attempt_id = outcomes.start_attempt(
        session,
        account_id=account.id,
        debtor_id=debtor.id,
        contact_id=contact.id,
        started_at=datetime.now(UTC),
    )
    tts = CachedTts(EspeakTts(), tmp_path / "tts-cache")
    greeting = "Hello, this is the collection service calling about your loan."
    # Rendered before the call: SIPp speaks [listen_ms] after the ACK whatever the robot does, so
    # synthesis on a loaded machine must not push the greeting into the debtor's turn (barge-in).
    tts.synthesize(greeting, "en-us")
    asked: list[str] = []

    def hints() -> tuple[str, ...]:  # the dialogue engine's current node, asked at each turn
        asked.append("payment")
        return EN_NODE_HINTS["payment"]

    async def go(far: Sipp, ear_sock: socket.socket) -> Heard:
        loop = asyncio.get_running_loop()
        ear = FarEndEar()
        transport, _ = await loop.create_datagram_endpoint(lambda: ear, sock=ear_sock)
        carrier = SipCarrier([Trunk.parse(far.trunk)])
        try:
            call = await carrier.dial("1000", "4000", ring_timeout=5)
            assert call.result.outcome == CallOutcome.ANSWERED
            attached = attach_voice(
                call,
                lang="en-US",
                dialect="yue",
                node_hints=hints,
                attempt_id=attempt_id,
                tts=tts,
                asr=PocketsphinxAsr(),
            )
            try:
                attach_voice(call, lang="en-US", dialect="en")
                again_refused = False
            except ValueError:
                again_refused = True
            voice = voice_of(call)
            t0 = loop.time()
            await call.say(greeting)
            greeting_packets = ear.voiced_after(t0)
            heard = await call.hear()
            await call.hangup()
            recording = await finish_voice(call, session, tmp_path)
        finally:
            await carrier.close()
            transport.close()
        return Heard(
            attached,
            again_refused,
            voice.voice if voice else "",
            heard,
            greeting_packets,
            len(asked),
            recording,
        )

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
        ear_sock.bind(("127.0.0.1", 0))
        keys = {
            "sink_port": str(ear_sock.getsockname()[1]),
            "listen_ms": "5500",
            "utterance": str(render_utterance(tmp_path / "utterance.wav")),
        }
        far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=30)
        try:
            got = asyncio.run(go(far, ear_sock))
            assert far.finish(10) == 0
        finally:
            far.kill()

    assert got.attached
    assert got.again_refused
    assert got.voice == "en-us"
    assert got.greeting_packets > 50  # the espeak voice, not the carrier's default silence
    assert got.heard == "i lost my job can i pay in installments"
    assert got.hints_asked >= 1
    assert got.recording is not None
    assert got.recording.attempt_id == attempt_id
    assert got.recording.seconds > 3
    assert (tmp_path / got.recording.path).exists()
