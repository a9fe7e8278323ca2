"""Local speech recognition with faster-whisper (CTranslate2): the robot hears Mandarin.

`WhisperAsr` loads a faster-whisper model folder (`HUIKUAN_WHISPER_MODEL_DIR`, e.g. Whisper small
or a fine-tuned Mandarin model) or, when none is named, Whisper base joined from its PyPI wheels
(`whisper_model`), on the CPU in int8. It is built once per speech pool process
(`speech_pool`), never on the call's event loop.

Per utterance: 8 kHz call audio is resampled to the 16 kHz Whisper takes (the scipy polyphase
filter the call path uses), decoded with the call's language, greedy at temperature 0 with no
fallback (the fallback decodes unclear audio up to six times over for no better answer), a
token cap from the audio's length (an unclear turn otherwise makes Whisper repeat itself to 448
tokens) and the dialogue node's expected phrases as the initial prompt. Whisper writes
Chinese in traditional characters about as often as simplified; the NLU and the transcript
want Simplified, so the text goes through zhconv.

**A fitted encoder window.** Whisper's encoder always reads 30 s of log-mel frames, padded, and
on this CPU that alone costs about 0.8 s of the 1.1 s a debtor's turn took. A debtor's turn is
seconds long, so a turn shorter than 10 s (20 s) is encoded in a 10 s (20 s) window: CTranslate2
takes the shorter input and the decoder attends to fewer positions. Measured on the 263 zh-CN
script lines spoken by the neural voice: CER 0.125 with the fitted window against 0.119 with 30 s,
CPU per line p50 0.35 s against 1.11 s; windows fitted tighter than 10 s lost more (docs/voice.md).
faster-whisper's `transcribe` pads every segment to 30 s (its `chunk_length` changes only the
segmenting), so the short path calls the CTranslate2 model's `generate` directly with the same
prompt layout `transcribe` builds; turns of 20 s or more still go through `transcribe`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from huikuan.voice.audio import Pcm, resample

MODEL_RATE = 16000
BEAM_SIZE = 5  # measured on tests/voice/debtor_lines.py: docs/voice.md "Mandarin recognition"
TOKENS_PER_SECOND = 8  # Mandarin speech is 3-6 characters a second, about a token each
PROMPT_CHARS = 200  # Whisper keeps the last 223 prompt tokens; a node's phrases stay well inside
FRAMES_PER_SECOND = 100  # log-mel frames (10 ms hop)
ENCODER_WINDOWS_S = (10, 20)  # fitted windows; longer turns get Whisper's own 30 s
WINDOW_MARGIN_S = 1.0  # a turn must leave this much of its window as padding


def whisper_language(lang: str) -> str:
    """Whisper's language code for a script language: zh-CN → zh, en-US → en, yue → zh.

    Cantonese (`yue`) has its own token only in Whisper large-v3; `WhisperAsr` uses it when the
    loaded model has it, and Mandarin recognition otherwise (Cantonese debtors are called with a
    zh-CN script, so that is also what the script language says).
    """
    code = lang.lower().replace("_", "-").split("-")[0]
    if code in ("zh", "cmn"):
        return "zh"
    if code in ("yue", "en"):
        return code
    raise ValueError(f"no Whisper language for {lang!r}")


def simplified(text: str) -> str:
    """Traditional characters as Simplified (zh-cn); other text unchanged."""
    import zhconv

    if zhconv.zhconv.zhcdicts is None:
        # Its default loader leaves the dictionary file open (a ResourceWarning): load it by path.
        zhconv.zhconv.loaddict(str(Path(zhconv.zhconv.__file__).with_name(zhconv.zhconv.DICTIONARY)))
    return str(zhconv.convert(text, "zh-cn"))


def prompt_for(hints: Sequence[str], language: str) -> str | None:
    """The node's expected phrases as Whisper's initial prompt (None without hints)."""
    if not hints:
        return None
    sep = "，" if language in ("zh", "yue") else ", "
    prompt = sep.join(h.strip() for h in hints if h.strip())
    if language in ("zh", "yue"):
        prompt += "。"
    return prompt[:PROMPT_CHARS] or None


class WhisperAsr:
    """faster-whisper on the CPU (int8) for one script language."""

    name = "whisper"

    def __init__(
        self,
        lang: str = "zh-CN",
        *,
        model_dir: Path | None = None,
        models_dir: Path | None = None,
        beam_size: int = BEAM_SIZE,
        threads: int = 1,
        model: Any = None,
    ) -> None:
        self._model = model if model is not None else load_model(model_dir, models_dir, threads)
        language = whisper_language(lang)
        if language == "yue" and not self._has_language("yue"):
            language = "zh"
        self.language = language
        self.beam_size = beam_size
        from faster_whisper.tokenizer import Tokenizer

        # The fitted-window path builds its prompt with this; one per engine, not per turn.
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, True, task="transcribe", language=language)

    def _has_language(self, code: str) -> bool:
        return self._model.hf_tokenizer.token_to_id(f"<|{code}|>") is not None

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        audio = resample(np.asarray(pcm, dtype=np.int16), sample_rate, MODEL_RATE)
        if len(audio) == 0:
            return ""
        seconds = len(audio) / MODEL_RATE
        samples = audio.astype(np.float32) / 32768.0
        prompt = prompt_for(hints, self.language)
        max_new_tokens = min(200, 10 + round(TOKENS_PER_SECOND * seconds))
        window = encoder_window(seconds)
        if window is not None:
            text = self._decode_in_window(samples, window, prompt, max_new_tokens)
        else:
            segments, _ = self._model.transcribe(
                samples,
                language=self.language,
                beam_size=self.beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
                without_timestamps=True,
                initial_prompt=prompt,
                max_new_tokens=max_new_tokens,
                no_speech_threshold=None,  # the end-of-turn detector heard speech: never drop the turn
                vad_filter=False,  # the call's end-of-turn detector already cut the turn
            )
            text = "".join(segment.text for segment in segments)
        text = text.strip()
        return simplified(text) if self.language in ("zh", "yue") else text

    def _decode_in_window(
        self, samples: np.ndarray, window_s: int, prompt: str | None, max_new_tokens: int
    ) -> str:
        """One greedy-or-beam decode of the turn encoded in a `window_s` window (see the docstring)."""
        import ctranslate2
        from faster_whisper.audio import pad_or_trim

        model, tokenizer = self._model, self._tokenizer
        features = pad_or_trim(model.feature_extractor(samples), window_s * FRAMES_PER_SECOND)
        tokens: list[int] = []
        if prompt:
            tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt)]
        tokens += [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        result = model.model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[np.newaxis], dtype=np.float32)),
            [tokens],
            beam_size=self.beam_size,
            max_length=len(tokens) + max_new_tokens,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        return str(tokenizer.decode(result.sequences_ids[0]))


def encoder_window(seconds: float) -> int | None:
    """The fitted encoder window (seconds) for a turn this long; None: Whisper's own 30 s path."""
    for window in ENCODER_WINDOWS_S:
        if seconds <= window - WINDOW_MARGIN_S:
            return window
    return None


def load_model(model_dir: Path | None, models_dir: Path | None = None, threads: int = 1) -> Any:
    """A faster-whisper model from `model_dir`, or Whisper base from the wheels; CPU, int8, offline."""
    from huikuan.voice.asr import AsrUnavailable
    from huikuan.voice.whisper_model import WhisperModelMissing, load_whisper_base

    if model_dir is None:
        try:
            return load_whisper_base(models_dir, threads=threads)
        except WhisperModelMissing as e:
            raise AsrUnavailable(f"whisper: {e}") from e
    if not (model_dir / "model.bin").is_file():
        raise AsrUnavailable(f"whisper: {model_dir} has no model.bin (set HUIKUAN_WHISPER_MODEL_DIR)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
    )
