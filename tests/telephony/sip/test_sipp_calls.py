"""Calls through SipCarrier with SIPp as the far end on loopback."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from huikuan.telephony import g711
from huikuan.telephony.carrier import CallEventKind
from huikuan.telephony.sip import Credentials, SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.message import SipMessage
from huikuan.telephony.sip.ua import Transport
from huikuan.types import CallOutcome
from tests.telephony.sip.sipp import Sipp

StartSipp = Callable[..., Sipp]
NUMBER, CALLER = "13800000000", "4001234567"


def tone(seconds: float, hz: float = 440.0, amplitude: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * g711.SAMPLE_RATE)) / g711.SAMPLE_RATE
    return (np.sin(2 * np.pi * hz * t) * amplitude).astype(np.int16)


def frames_as_sent(pcm: np.ndarray) -> set[bytes]:
    """What each 20 ms frame of `pcm` sounds like after μ-law, i.e. what an echo must give back."""
    decoded = g711.decode(g711.encode(pcm, 0), 0)
    n = g711.FRAME_SAMPLES
    return {decoded[i : i + n].tobytes() for i in range(0, len(decoded) - n + 1, n)}


async def echoed_frames(call: SipCall, sent: set[bytes], wanted: int, timeout: float = 5.0) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    got = 0
    while got < wanted and (remaining := deadline - loop.time()) > 0:
        frame = await call.receive_audio(remaining)
        if frame is not None and frame.tobytes() in sent:
            got += 1
    return got


def carrier(*trunks: Sipp, **kwargs: object) -> SipCarrier:
    return SipCarrier([Trunk.parse(t.trunk) for t in trunks], **kwargs)  # type: ignore[arg-type]


def test_answered_call_echoes_our_audio_and_dtmf_then_we_hang_up(sipp: StartSipp) -> None:
    far = sipp("uas_echo.xml")

    async def go() -> tuple[SipCall, int]:
        c = carrier(far)
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        pcm = tone(1.0)
        await call.send_audio(pcm)
        got = await echoed_frames(call, frames_as_sent(pcm), 45)
        await call.send_dtmf("19#")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while call.dtmf_received != "19#" and loop.time() < deadline:
            await call.receive_audio(0.1)
        await call.hangup()
        await c.close()
        return call, got

    call, got = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert [e.kind for e in call.events][:3] == [
        CallEventKind.RINGING,
        CallEventKind.ANSWERED,
        CallEventKind.ENDED,
    ]
    assert got >= 45  # of the 50 frames we sent, back through SIPp's RTP echo
    assert call.dtmf_received == "19#"
    assert call.hangup_cause == "local_bye"
    assert not call.remote_hung_up
    assert far.finish() == 0  # SIPp saw the ACK and our BYE


def test_far_end_hangs_up_after_options_and_reinvite_are_answered(sipp: StartSipp) -> None:
    far = sipp("uas_remote_bye.xml")

    async def go() -> tuple[SipCall, bool]:
        c = carrier(far)
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        ended = await call.wait_ended(15)
        await call.hangup()
        await c.close()
        return call, ended

    call, ended = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert ended
    assert call.remote_hung_up
    assert call.hangup_cause == "remote_bye"
    assert far.finish() == 0  # OPTIONS, re-INVITE and BYE each got their 200


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        ("486", "Busy Here", CallOutcome.BUSY),
        ("404", "Not Found", CallOutcome.INVALID_NUMBER),
        ("480", "Temporarily Unavailable", CallOutcome.POWERED_OFF),
        ("603", "Decline", CallOutcome.REJECTED),
    ],
)
def test_final_response_gives_number_status(
    sipp: StartSipp, status: str, reason: str, outcome: CallOutcome
) -> None:
    far = sipp("uas_reject.xml", keys={"status": status, "reason": reason})

    async def go() -> SipCall:
        c = carrier(far)
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == outcome
    assert call.result.sip_status == int(status)
    assert call.events[0].kind == CallEventKind.TRYING
    assert far.finish() == 0  # and it got our ACK


def test_503_moves_the_call_to_the_next_trunk(sipp: StartSipp) -> None:
    broken = sipp("uas_reject.xml", keys={"status": "503", "reason": "Service Unavailable"})
    good = sipp("uas_echo.xml")

    async def go() -> SipCall:
        c = carrier(broken, good)
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await call.hangup()
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.result.trunk == good.trunk
    assert broken.finish() == 0
    assert good.finish() == 0


@pytest.mark.parametrize(
    ("password", "outcome"), [("s3cret", CallOutcome.ANSWERED), ("wrong", CallOutcome.REJECTED)]
)
def test_digest_challenge_is_answered(sipp: StartSipp, password: str, outcome: CallOutcome) -> None:
    far = sipp("uas_auth.xml")

    async def go() -> SipCall:
        c = carrier(far, credentials=Credentials("robot", password))
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await call.hangup()
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == outcome  # SIPp's verifyauth checks our digest response
    assert far.finish() == 0


def test_ring_timeout_sends_cancel_and_487_is_no_answer(sipp: StartSipp) -> None:
    far = sipp("uas_cancel.xml")

    async def go() -> SipCall:
        c = carrier(far)
        call = await c.dial(NUMBER, CALLER, ring_timeout=0.5)
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.NO_ANSWER
    assert call.result.sip_status == 487
    assert call.hangup_cause == "cancelled"
    assert far.finish() == 0  # SIPp got the CANCEL and the ACK for its 487


def _announcement(folder: Path, text: str) -> Path:
    """A carrier-style recording: espeak-ng speech as 8 kHz μ-law WAV (what SIPp streams)."""
    raw = folder / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True)
    out = folder / "announce.wav"
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-e", "u-law", "-b", "8", str(out)], check=True)
    return out


@pytest.mark.parametrize(
    ("heard", "outcome"),
    [(None, CallOutcome.POWERED_OFF), ("the number you dialled does not exist", CallOutcome.INVALID_NUMBER)],
)
def test_183_announcement_then_480(
    sipp: StartSipp, tmp_path: Path, heard: str | None, outcome: CallOutcome
) -> None:
    assert shutil.which("espeak-ng")
    _announcement(tmp_path, "The subscriber you have dialled is powered off. Please call again later.")
    far = sipp("uas_early_media.xml", cwd=tmp_path, echo=False)
    heard_lengths: list[int] = []

    async def spotter(pcm: np.ndarray) -> str | None:
        heard_lengths.append(len(pcm))
        return heard

    async def go() -> SipCall:
        c = carrier(far, announcement_asr=spotter)
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.sip_status == 480
    assert call.result.early_media == "announcement"
    assert call.result.outcome == outcome
    assert CallEventKind.EARLY_MEDIA in [e.kind for e in call.events]
    assert heard_lengths
    assert heard_lengths[0] > g711.SAMPLE_RATE
    assert far.finish() == 0


def test_fifty_concurrent_answered_calls(sipp: StartSipp) -> None:
    far = sipp("uas_echo.xml", calls=50)
    pcm = tone(0.4)
    sent = frames_as_sent(pcm)

    async def one(c: SipCarrier, i: int) -> tuple[CallOutcome, int]:
        call = await c.dial(f"1380000{i:04d}", CALLER, ring_timeout=20)
        if call.result.outcome != CallOutcome.ANSWERED:
            return call.result.outcome, 0
        await call.send_audio(pcm)
        got = await echoed_frames(call, sent, 15, timeout=10)
        await call.hangup()
        return call.result.outcome, got

    async def go() -> tuple[list[tuple[CallOutcome, int]], int]:
        c = carrier(far)
        results = await asyncio.gather(*(one(c, i) for i in range(50)))
        errors = c.ua.handler_errors
        await c.close()
        return list(results), errors

    results, errors = asyncio.run(go())
    assert [o for o, _ in results] == [CallOutcome.ANSWERED] * 50
    assert all(got >= 15 for _, got in results)
    assert errors == 0
    assert far.finish() == 0, far.why()


def test_a_retransmitted_200_gets_the_same_ack_again(sipp: StartSipp) -> None:
    """RFC 3261 §13.2.2.4: the ACK is retransmitted for each 2xx retransmission. A new ACK (a new
    branch) is a new request to the far end, which by then is waiting for our BYE: one of fifty
    loaded calls failed that way in CI when its 200 OK was retransmitted before our ACK arrived."""
    far = sipp("uas_2xx_again.xml", echo=False)

    async def go() -> tuple[SipCall, list[bytes]]:
        c = carrier(far)
        acks: list[bytes] = []
        second_ack = asyncio.Event()
        send = c.ua.send_stateless

        def recording(request: SipMessage, addr: tuple[str, int], transport: Transport = "udp") -> None:
            if request.method == "ACK":
                acks.append(request.to_bytes())
                if len(acks) > 1:
                    second_ack.set()
            send(request, addr, transport)

        c.ua.send_stateless = recording  # type: ignore[method-assign]  # observe what goes out
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await asyncio.wait_for(second_ack.wait(), 10)  # SIPp sends its 200 OK again after our ACK
        await call.hangup()
        await c.close()
        return call, acks

    call, acks = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert len(acks) > 1
    assert len(set(acks)) == 1  # the same ACK, byte for byte, each time
    assert far.finish() == 0, far.why()  # SIPp took it as a retransmission, then saw our BYE
