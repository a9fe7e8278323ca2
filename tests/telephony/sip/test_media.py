"""G.711 against audioop, early-media classification, the jitter buffer."""

from __future__ import annotations

import asyncio
import socket
import struct
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np

from huikuan.telephony import g711
from huikuan.telephony.rtp import RtpPacer, RtpSession
from huikuan.telephony.sip.early_media import EarlyMedia, classify
from huikuan.telephony.sip.status import outcome_for
from huikuan.types import CallOutcome


def test_g711_matches_audioop_for_every_sample() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    assert g711.encode(pcm, 0) == audioop.lin2ulaw(pcm.tobytes(), 2)
    assert g711.encode(pcm, 8) == audioop.lin2alaw(pcm.tobytes(), 2)
    every = bytes(range(256))
    assert g711.decode(every, 0).tobytes() == audioop.ulaw2lin(every, 2)
    assert g711.decode(every, 8).tobytes() == audioop.alaw2lin(every, 2)


def _cadence(on: float, off: float, seconds: float, hz: float = 450.0) -> np.ndarray:
    t = np.arange(int(seconds * 8000)) / 8000
    gate = (t % (on + off)) < on
    return (np.sin(2 * np.pi * hz * t) * 6000 * gate).astype(np.int16)


def test_early_media_tones_speech_and_silence(tmp_path: Path) -> None:
    raw = tmp_path / "a.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-w", str(raw), "The number you dialled is powered off"], check=True
    )
    speech = tmp_path / "a.raw"
    subprocess.run(
        ["sox", str(raw), "-r", "8000", "-c", "1", "-e", "signed", "-b", "16", str(speech)], check=True
    )
    assert classify(np.frombuffer(speech.read_bytes(), dtype=np.int16)) == EarlyMedia.ANNOUNCEMENT
    assert classify(_cadence(1.0, 4.0, 10)) == EarlyMedia.RINGBACK
    assert classify(_cadence(0.35, 0.35, 4)) == EarlyMedia.BUSY_TONE
    assert classify(np.zeros(16000, dtype=np.int16)) == EarlyMedia.SILENCE


def test_status_mapping() -> None:
    assert outcome_for(487, cancelled_by_us=True) == CallOutcome.NO_ANSWER
    assert outcome_for(487) == CallOutcome.FAILED
    assert outcome_for(410) == CallOutcome.INVALID_NUMBER
    assert outcome_for(600) == CallOutcome.BUSY
    assert outcome_for(502) == CallOutcome.FAILED
    assert outcome_for(408) == CallOutcome.NO_ANSWER


def test_jitter_buffer_reorders_and_counts_loss() -> None:
    async def go() -> tuple[list[int], int]:
        session = RtpSession(RtpPacer())
        session.start("127.0.0.1", 1, 0, None)  # packets from the far end's SDP address only
        order = [0, 2, 1, 3, 5, 6, 7, 8]  # 4 never arrives
        for seq in order:
            payload = bytes([seq]) * 160
            session.datagram_received(
                struct.pack("!BBHII", 0x80, 0, 1000 + seq, seq * 160, 1) + payload, ("127.0.0.1", 1)
            )
        got = []
        while (frame := await session.receive(0.05)) is not None:
            got.append(
                order.index(int(np.argmax(np.bincount(g711.ULAW_ENCODE[frame.astype(np.int32) + 32768]))))
            )
        session.close()
        return got, session.stats.lost

    got, lost = asyncio.run(go())
    assert got == [0, 2, 1, 3, 4, 5, 6, 7]  # i.e. sequence numbers 0,1,2,3,5,6,7,8 in order
    assert lost == 1


def test_audio_keeps_its_pace_while_the_event_loop_is_busy() -> None:
    """The pacer runs on its own thread: a loop stuck in one callback (a slow turn) stops no packet."""

    async def go() -> tuple[int, int, bool]:
        loop = asyncio.get_running_loop()
        far = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        far.bind(("127.0.0.1", 0))
        far.settimeout(2)
        session = RtpSession(RtpPacer())
        await session.open("127.0.0.1")
        session.start("127.0.0.1", far.getsockname()[1], 0, None)
        session.queue_pcm(np.full(8000, 1000, dtype=np.int16))  # one second of speech: 50 frames
        far.recv(2048)  # the stream has started
        sent_before = session.stats.sent
        time.sleep(0.3)  # the stimulus, not a wait: the loop is blocked for 15 frames' time
        sent_during = session.stats.sent - sent_before
        await session.drained()  # woken from the pacer thread through the loop
        drained_ok = not session._out
        session.close()
        await session.wait_closed()
        far.close()
        assert loop.is_running()
        return sent_during, session.stats.send_errors, drained_ok

    sent_during, errors, drained = asyncio.run(go())
    assert sent_during >= 5  # a loop-driven pacer sends none while the loop is blocked
    assert errors == 0
    assert drained
