"""Voice latency over real RTP on loopback: debtor's last sound -> first RTP packet of the reply.

For each of the ~22 English debtor utterances (espeak-ng en-us, 8 kHz, line noise), a "mouth"
RTP session streams the utterance at 20 ms pace to the robot's RTP session; the robot runs the
real `CallVoice` (ear task, VAD end of turn with recognition started at the short pause,
pocketsphinx with the node's hints), a stub NLU/policy (phrase -> reply text) and espeak-ng for
the reply (uncached: a fresh subprocess every time, the slow case), then queues the reply on its
RTP session as `SipCall.say` does. A UDP "ear" timestamps the reply's first packet (RTP marker
bit) and its first voiced packet.

"Last sound" is when the robot received the last frame of the utterance louder than line noise.
The greeting is timed the same way, from "answer" (the voice attached) to its first RTP packet,
through the recorded-prompt path with two TTS slots, cold (empty cache) then warm.

`--end-silence-ms 700 --early-pause-ms 0` gives the detector as it was before (for comparison).
One JSON line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from huikuan.telephony import g711
from huikuan.telephony.rtp import RtpPacer, RtpSession
from huikuan.voice.asr import PocketsphinxAsr
from huikuan.voice.audio import Pcm, silence, write_wav
from huikuan.voice.call_audio import CallVoice
from huikuan.voice.phrases import EN_NODE_HINTS
from huikuan.voice.tts import CachedTts, EspeakTts, PromptRenderer
from huikuan.voice.vad import EARLY_PAUSE_MS, END_SILENCE_MS, EndOfTurnDetector

HOST = "127.0.0.1"
LOUD = 300  # a sample above this is sound, not the line noise (σ = 30)
VOICED_RMS = 300.0
REPLIES = {
    "paid": "Thank you. We will check the payment and call you back if anything is missing.",
    "installments": "I understand. We can split the amount into installments. How many months do you need?",
    "other": "I see. Could you tell me when you will be able to pay?",
}


def _policy(text: str | None) -> str:
    """Stand-in for NLU and the dialogue policy: a keyword to a reply line."""
    text = text or ""
    if "paid" in text:
        return REPLIES["paid"]
    if "installments" in text or "job" in text:
        return REPLIES["installments"]
    return REPLIES["other"]


class Ear(asyncio.DatagramProtocol):
    """The debtor's ear: when the robot's next talkspurt starts and first sounds like speech."""

    def __init__(self) -> None:
        self.first: asyncio.Future[float] | None = None
        self.voiced: asyncio.Future[float] | None = None

    def arm(self) -> tuple[asyncio.Future[float], asyncio.Future[float]]:
        loop = asyncio.get_running_loop()
        self.first, self.voiced = loop.create_future(), loop.create_future()
        return self.first, self.voiced

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self.first is None or self.voiced is None or len(data) <= 12:
            return
        now = asyncio.get_running_loop().time()
        if not self.first.done():
            if not data[1] & 0x80:  # idle silence between talkspurts
                return
            self.first.set_result(now)
        if not self.voiced.done():
            pcm = g711.decode(data[12:], g711.PCMU_PT).astype(np.float64)
            if np.sqrt(np.mean(pcm**2)) > VOICED_RMS:
                self.voiced.set_result(now)


class BenchCall:
    """The robot's side of a call on a real RTP session; notes when the last sound came in."""

    call_id = "bench"

    def __init__(self, rtp: RtpSession) -> None:
        self.rtp = rtp
        self.ended = False
        self.last_sound = 0.0

    def use_voice(self, tts: Any, asr: Any) -> None:
        pass

    async def receive_audio(self, timeout: float) -> Pcm | None:
        frame = await self.rtp.receive(timeout)
        if frame is not None and int(np.abs(frame.astype(np.int32)).max()) > LOUD:
            self.last_sound = asyncio.get_running_loop().time()
        return frame

    def flush_playback(self) -> int:
        return self.rtp.flush()


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 1) if values else float("nan")


async def _session(pacer: RtpPacer, to_port: int) -> RtpSession:
    rtp = RtpSession(pacer)
    await rtp.open(HOST)
    rtp.start(HOST, to_port, g711.PCMU_PT, 101)
    return rtp


async def run(end_silence_ms: int, early_pause_ms: int | None) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    tts, asr, pacer = EspeakTts(), PocketsphinxAsr(), RtpPacer()
    ear = Ear()
    ear_transport, _ = await loop.create_datagram_endpoint(lambda: ear, local_addr=(HOST, 0))
    ear_port = ear_transport.get_extra_info("sockname")[1]
    rng = np.random.default_rng(7)
    first_ms: list[float] = []
    voiced_ms: list[float] = []
    right = 0
    utterances = [(p, hints) for hints in EN_NODE_HINTS.values() for p in hints]
    for phrase, hints in utterances:
        speech = tts.synthesize(phrase, "en-us")
        signal = np.concatenate([silence(400), speech, silence(1500)]).astype(np.float64)
        line = np.clip(signal + rng.normal(0, 30, len(signal)), -32768, 32767).astype(np.int16)
        robot = await _session(pacer, ear_port)
        mouth = await _session(pacer, robot.local_port)
        call = BenchCall(robot)
        detector = EndOfTurnDetector(end_silence_ms=end_silence_ms, early_pause_ms=early_pause_ms)
        voice = CallVoice(tts, asr, "en-us", hints=hints, detector=detector)
        voice.attach(call)
        mouth.queue_pcm(line)
        heard = await voice.listen()
        reply = await voice.speak(_policy(heard))
        first, voiced = ear.arm()
        robot.queue_pcm(reply)  # what SipCall.say does with the voice's PCM
        first_ms.append(await asyncio.wait_for(first, 5) - call.last_sound)
        voiced_ms.append(await asyncio.wait_for(voiced, 5) - call.last_sound)
        right += (heard or "") == phrase.lower()
        call.ended = True
        await voice.close()
        for rtp in (robot, mouth):
            rtp.close()
            await rtp.wait_closed()

    greeting = await _greeting(tts, pacer, ear, ear_port)
    ear_transport.close()
    return {
        "bench": "voice_latency",
        "utterances": len(utterances),
        "asr_exact": right,
        "end_silence_ms": end_silence_ms,
        "early_pause_ms": early_pause_ms,
        "last_sound_to_first_reply_rtp_ms": {"p50": _pct(first_ms, 50), "p95": _pct(first_ms, 95)},
        "last_sound_to_first_voiced_reply_rtp_ms": {"p50": _pct(voiced_ms, 50), "p95": _pct(voiced_ms, 95)},
        "greeting_answer_to_first_rtp_ms": greeting,
    }


async def _greeting(tts: EspeakTts, pacer: RtpPacer, ear: Ear, ear_port: int) -> dict[str, float | bool]:
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "prompts"
        for i, text in enumerate(
            ["Hello", "this is an automated assistant calling about", "Please stay on the line."]
        ):
            write_wav(library / "en-us" / "greeting" / f"part-{i:02d}.wav", tts.synthesize(text, "en-us"))
        renderer = PromptRenderer(library, CachedTts(EspeakTts(), Path(tmp) / "cache"))
        template = (
            "Hello {name}, this is an automated assistant calling about {account}. Please stay on the line."
        )
        slots = {"name": "Mister Smith", "account": "your card account"}
        times = []
        for _ in range(2):  # cold cache, then warm
            robot = await _session(pacer, ear_port)
            answered = loop.time()
            first, _ = ear.arm()
            pcm = await asyncio.to_thread(renderer.render_prompt, "greeting", template, slots, "en-us")
            robot.queue_pcm(pcm)
            times.append(round((await asyncio.wait_for(first, 5) - answered) * 1000, 1))
            robot.close()
            await robot.wait_closed()
    return {"cold": times[0], "warm": times[1], "within_1s": max(times) <= 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end-silence-ms", type=int, default=END_SILENCE_MS)
    parser.add_argument("--early-pause-ms", type=int, default=EARLY_PAUSE_MS, help="0: no early ASR")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.end_silence_ms, args.early_pause_ms or None))))


if __name__ == "__main__":
    main()
