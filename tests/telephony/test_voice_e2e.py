"""End to end over SIP and RTP: SIPp answers and speaks, the robot hears, understands and replies.

SIPp is the far end's signalling and its mouth (`rtp_stream` plays an espeak-ng rendering of
the debtor's utterance as PCMU; in Mandarin with a voice variant the robot never uses). SIPp
cannot record what it receives while it streams, so its SDP answer points the robot's RTP at a
UDP listener in this test: the far end's ear, which counts and measures what the robot says.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.dialogue.nlu import classify
from huikuan.dialogue.nlu.types import Intent
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.models import Turn
from huikuan.telephony import g711
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome, Disposition, Speaker
from huikuan.voice.asr import PocketsphinxAsr, default_engine
from huikuan.voice.audio import write_wav
from huikuan.voice.call_audio import CallVoice
from huikuan.voice.intelligibility import canonical, cer
from huikuan.voice.phrases import EN_NODE_HINTS, hints_for
from huikuan.voice.recording import CallRecorder
from huikuan.voice.repository import recordings_for_attempt
from huikuan.voice.speech_pool import PooledAsr
from huikuan.voice.tts import CachedTts, EspeakTts, MandarinTts, voice_for_dialect
from huikuan.voice.whisper_model import whisper_base_dir
from tests import factories
from tests.telephony.sip.sipp import Sipp

SCENARIO = Path(__file__).parent / "scenarios" / "uas_speak.xml"
UTTERANCE = "I lost my job, can I pay in installments"
GREETING = "Hello, this is the collection service calling about your loan."
REPLY = "I understand. We can split the amount into three monthly installments. Shall I send you the plan?"
VOICED_RMS = 300.0  # a packet louder than this is speech, not the silence sent between lines


def render_utterance(path: Path) -> Path:
    """The debtor's line as SIPp streams it: espeak-ng en-us, 8 kHz μ-law WAV."""
    raw = path.with_suffix(".22k.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), UTTERANCE], check=True)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-e", "u-law", str(path)], check=True)
    return path


@dataclass
class FarEndEar(asyncio.DatagramProtocol):
    """Receives the robot's RTP: arrival time and loudness of every PCMU packet."""

    packets: list[tuple[float, float]] = field(default_factory=list)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if len(data) > 12 and data[1] & 0x7F == g711.PCMU_PT:
            pcm = g711.decode(data[12:], g711.PCMU_PT).astype(np.float64)
            self.packets.append((asyncio.get_running_loop().time(), float(np.sqrt(np.mean(pcm**2)))))

    def voiced_after(self, t: float) -> int:
        return sum(1 for at, rms in self.packets if at >= t and rms > VOICED_RMS)


@dataclass
class Conversation:
    outcome: CallOutcome
    heard: str | None
    greeting_packets: int
    reply_packets: int
    reply_seconds: float
    hangup_cause: str | None
    started: datetime


async def converse(
    far: Sipp, ear_sock: socket.socket, voice: CallVoice, greeting: str = GREETING, reply: str = REPLY
) -> Conversation:
    loop = asyncio.get_running_loop()
    ear = FarEndEar()
    transport, _ = await loop.create_datagram_endpoint(lambda: ear, sock=ear_sock)
    carrier = SipCarrier([Trunk.parse(far.trunk)])
    started = datetime.now(UTC)
    try:
        call = await carrier.dial("1000", "4000", ring_timeout=5)
        assert call.result.outcome == CallOutcome.ANSWERED
        voice.attach(call)
        t_greet = loop.time()
        await call.say(greeting)
        heard = await call.hear()
        t_reply = loop.time()
        greeting_packets = ear.voiced_after(t_greet) - ear.voiced_after(t_reply)
        await call.say(reply)
        await call.hangup()
        reply_packets = ear.voiced_after(t_reply)
    finally:
        await voice.close()
        await carrier.close()
        transport.close()
    return Conversation(
        call.result.outcome,
        heard,
        greeting_packets,
        reply_packets,
        voice.played_seconds[-1],
        call.hangup_cause,
        started,
    )


def test_robot_hears_installment_request_over_rtp_and_answers(session: Session, tmp_path: Path) -> None:
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
    en = voice_for_dialect("en")
    for line in (GREETING, REPLY):  # prompts are rendered before the call, as a campaign does
        tts.synthesize(line, en)
    recorder = CallRecorder(attempt_id, datetime.now(UTC))
    voice = CallVoice(tts, PocketsphinxAsr(), en, hints=EN_NODE_HINTS["payment"], recorder=recorder)

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
        ear_sock.bind(("127.0.0.1", 0))
        keys = {
            "sink_port": str(ear_sock.getsockname()[1]),
            "listen_ms": "4000",  # the far end lets the greeting finish before it speaks
            "utterance": str(render_utterance(tmp_path / "utterance.wav")),
        }
        far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=30)
        try:
            got = asyncio.run(converse(far, ear_sock, voice))
            assert far.finish(10) == 0  # SIPp saw the whole scenario, our BYE included
        finally:
            far.kill()

    assert got.outcome == CallOutcome.ANSWERED
    assert got.greeting_packets > 50  # the greeting went out as speech, not silence
    assert got.heard is not None
    assert got.heard.lower() == "i lost my job can i pay in installments"
    assert voice.early_results_used == 1  # recognised during the end-of-turn wait, not after it
    nlu = classify(got.heard, "en-US", date(2026, 3, 9))
    assert nlu.intent == Intent.REQUEST_INSTALLMENT
    assert got.reply_seconds > 1.0
    # the far end heard most of the reply (speech pauses between words are quieter)
    assert got.reply_packets > 0.6 * got.reply_seconds / 0.02
    assert got.hangup_cause == "local_bye"
    print(f"heard={got.heard!r} reply={got.reply_seconds:.2f}s far-end voiced packets={got.reply_packets}")

    debtor_turn = voice.heard[0]
    assert 0 < debtor_turn.start < debtor_turn.end
    recorder.save(session, tmp_path)
    outcomes.complete_attempt(
        session,
        attempt_id,
        account_id=account.id,
        debtor_id=debtor.id,
        completion=outcomes.AttemptCompletion(
            ended_at=datetime.now(UTC),
            outcome=got.outcome,
            conversation=True,
            talk_seconds=round(recorder.seconds),
            disposition=Disposition.NONE,
        ),
        turns=[
            outcomes.TurnIn(Speaker.ROBOT, GREETING, got.started, node="greeting"),
            outcomes.TurnIn(Speaker.DEBTOR, got.heard, got.started, intent=nlu.intent.value),
            outcomes.TurnIn(Speaker.ROBOT, REPLY, got.started, node="payment"),
        ],
    )
    session.commit()

    (recording,) = recordings_for_attempt(session, attempt_id)
    assert (tmp_path / recording.path).exists()
    assert recording.seconds > got.reply_seconds
    speakers = [t["speaker"] for t in json.loads(recording.turns)]
    assert speakers == ["robot", "debtor", "robot"]
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt_id).order_by(Turn.seq)).all()
    assert [(t.speaker, t.intent) for t in turns] == [
        ("robot", None),
        ("debtor", "request_installment"),
        ("robot", None),
    ]


def test_debtor_talking_over_the_greeting_stops_it_and_is_still_heard(tmp_path: Path) -> None:
    tts = CachedTts(EspeakTts(), tmp_path / "tts-cache")
    en = voice_for_dialect("en")
    long_greeting = " ".join([GREETING] * 3)  # about 9 s: the debtor cuts in after 0.3 s
    full = len(tts.synthesize(long_greeting, en)) / 8000
    voice = CallVoice(tts, PocketsphinxAsr(), en, hints=EN_NODE_HINTS["payment"])

    async def go(far: Sipp) -> str | None:
        carrier = SipCarrier([Trunk.parse(far.trunk)])
        try:
            call = await carrier.dial("1000", "4000", ring_timeout=5)
            voice.attach(call)
            await call.say(long_greeting)
            heard = await call.hear()
            await call.hangup()
        finally:
            await voice.close()
            await carrier.close()
        return heard

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
        ear_sock.bind(("127.0.0.1", 0))
        keys = {
            "sink_port": str(ear_sock.getsockname()[1]),
            "listen_ms": "300",
            "utterance": str(render_utterance(tmp_path / "utterance.wav")),
        }
        far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=30)
        try:
            heard = asyncio.run(go(far))
            assert far.finish(10) == 0
        finally:
            far.kill()

    assert voice.barge_ins == 1
    assert voice.played_seconds[0] < full / 2  # playback stopped, the rest was dropped
    assert heard is not None
    assert classify(heard, "en-US", date(2026, 3, 9)).intent == Intent.REQUEST_INSTALLMENT
    print(f"barge-in: played {voice.played_seconds[0]:.2f}s of {full:.2f}s, heard={heard!r}")


ZH_GREETING = "您好，这里是安心借，请问现在方便说话吗？"
# From tests/voice/debtor_lines.py, one the isolated measurement heard exactly: this test checks
# the call path (RTP, end of turn, the speech pool, NLU), the recogniser's accuracy is measured there.
ZH_UTTERANCE = "我明天就还款"
ZH_REPLY = "好的，我们记下了，请您明天按时还款，谢谢。"


@pytest.fixture(scope="module")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return whisper_base_dir(tmp_path_factory.mktemp("models"))


def render_debtor_mandarin(path: Path) -> Path:
    """The debtor's Mandarin line (pinyin voice, variant m3; the robot speaks f3) as 8 kHz μ-law WAV."""
    debtor = MandarinTts(EspeakTts(), pinyin=EspeakTts(variant="m3", amplitude=40, words_per_minute=140))
    linear = path.with_suffix(".pcm.wav")
    write_wav(linear, debtor.synthesize(ZH_UTTERANCE, "cmn"))
    subprocess.run(["sox", str(linear), "-e", "u-law", str(path)], check=True)
    return path


@pytest.mark.slow
def test_robot_hears_a_mandarin_promise_over_rtp_through_the_speech_pool(
    tmp_path: Path, whisper_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_WHISPER_MODEL_DIR", str(whisper_dir))  # read by the pool process
    tts = CachedTts(MandarinTts(EspeakTts()), tmp_path / "tts-cache")
    greeting_s = len(tts.synthesize(ZH_GREETING, "cmn")) / 8000
    tts.synthesize(ZH_REPLY, "cmn")
    asr = PooledAsr(default_engine("zh-CN"), 1, "zh-CN")  # as attach_voice builds it for a zh-CN script
    try:
        asr.warm_up()
        voice = CallVoice(tts, asr, "cmn", hints=hints_for("zh-CN", "payment"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
            ear_sock.bind(("127.0.0.1", 0))
            keys = {
                "sink_port": str(ear_sock.getsockname()[1]),
                "listen_ms": str(round(greeting_s * 1000) + 600),  # the debtor lets the greeting finish
                "utterance": str(render_debtor_mandarin(tmp_path / "utterance.wav")),
            }
            far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=40)
            try:
                got = asyncio.run(converse(far, ear_sock, voice, ZH_GREETING, ZH_REPLY))
                assert far.finish(10) == 0
            finally:
                far.kill()
    finally:
        asr.close()

    assert got.outcome == CallOutcome.ANSWERED
    assert got.greeting_packets > 50
    assert got.heard is not None
    # Whisper base on espeak's Mandarin is fragile: over RTP the same line was heard exactly in
    # 3 of 7 runs, else as 我明天纠缠, 我明天纠缝 or 我明天旧帮旱 (the turn's samples differ a
    # little with RTP timing; 3 saved turns gave the same text again offline). The
    # NLU took the promise and the date every time: that, and at most half the characters
    # wrong, is what is asserted.
    assert cer(canonical(ZH_UTTERANCE), canonical(got.heard)) <= 0.5
    nlu = classify(got.heard, "zh-CN", date(2026, 3, 9))
    assert nlu.intent == Intent.PROMISE_TO_PAY
    assert nlu.entities.date == date(2026, 3, 10)
    assert got.reply_packets > 0.6 * got.reply_seconds / 0.02
    assert voice.barge_ins == 0
    print(f"zh heard={got.heard!r} intent={nlu.intent} date={nlu.entities.date}")
