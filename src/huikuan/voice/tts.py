"""Text to speech: engines by name, espeak-ng, a disk cache, and recorded prompts with TTS slots.

Real collection robots speak recorded human lines and synthesise only what changes per call
(name, amount, date). `PromptRenderer` does the same: a template's fixed parts come from the
prompt library (`<root>/<voice>/<line_id>/part-NN.wav`, one file per fixed part in order)
and its `{slots}` from the TTS engine; a line with any recording missing is synthesised whole.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from huikuan.config import Settings
from huikuan.errors import HuikuanError
from huikuan.voice.audio import SAMPLE_RATE, Pcm, empty, parse_wav, read_wav, resample, write_wav
from huikuan.voice.cantonese import CANTONESE, cantonese_text
from huikuan.voice.mandarin import MANDARIN, PINYIN_VOICE, mandarin_text

# Debtor dialect (portfolio `debtor.dialect`) -> espeak-ng voice name (`espeak-ng --voices`).
ESPEAK_VOICES = {"cmn": "cmn", "yue": "yue", "hak": "hak", "en": "en-us"}
# Dialects whose voice a listener understands, measured (docs/voice.md): espeak-ng's `hak` says
# "Chinese letter" for every character and it has no Teochew voice, so those debtors hear Mandarin.
REAL_DIALECT_VOICES = frozenset({"cmn", "yue", "en"})
# espeak-ng -a/-v/-s for the pinyin voice: the default amplitude clips (Whisper then hears
# nothing), variant f3 was the most intelligible of those measured (bench/tts_intelligibility.py).
PINYIN_ESPEAK: dict[str, Any] = {"variant": "f3", "amplitude": 40, "words_per_minute": 130}
SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class TtsError(HuikuanError):
    status_code = 503


class TtsEngine(Protocol):
    name: str

    def synthesize(self, text: str, voice: str) -> Pcm:
        """8 kHz mono int16 speech for `text` in `voice`."""
        ...


def dialect_is_real(dialect: str | None) -> bool:
    """True when the dialect's own voice is understood (cmn, yue, en); else the robot speaks Mandarin."""
    return (dialect or "cmn").lower() in REAL_DIALECT_VOICES


def voice_for_dialect(dialect: str | None) -> str:
    """The voice for a debtor's dialect; Mandarin when unknown."""
    return ESPEAK_VOICES.get((dialect or "cmn").lower(), "cmn")


class EspeakTts:
    """espeak-ng as a subprocess (argument list, never a shell; text on stdin)."""

    def __init__(
        self,
        binary: str = "espeak-ng",
        words_per_minute: int = 165,
        timeout: float = 10.0,
        *,
        amplitude: int | None = None,
        variant: str = "",
        pitch: int | None = None,
        word_gap: int | None = None,
        name: str = "espeak",
    ) -> None:
        self.binary = binary
        self.wpm = words_per_minute
        self.timeout = timeout
        self.amplitude = amplitude  # espeak-ng -a (0-200, default 100)
        self.variant = variant  # an espeak-ng voice variant (`f3`), appended as `voice+f3`
        self.pitch = pitch  # espeak-ng -p (0-99, default 50)
        self.word_gap = word_gap  # espeak-ng -g, pause between words in 10 ms units
        self.name = name
        self.calls = 0  # subprocesses started, for tests and benches

    def synthesize(self, text: str, voice: str) -> Pcm:
        self.calls += 1
        args = [self.binary, "-v", f"{voice}+{self.variant}" if self.variant else voice, "-s", str(self.wpm)]
        if self.amplitude is not None:
            args += ["-a", str(self.amplitude)]
        if self.pitch is not None:
            args += ["-p", str(self.pitch)]
        if self.word_gap is not None:
            args += ["-g", str(self.word_gap)]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argument list, text goes on stdin
                [*args, "--stdout", "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise TtsError(f"espeak-ng could not run for voice {voice}: {type(e).__name__}") from e
        if done.returncode != 0 or not done.stdout:
            raise TtsError(f"espeak-ng failed for voice {voice} (exit {done.returncode})")
        pcm, rate = parse_wav(done.stdout)
        return resample(pcm, rate, SAMPLE_RATE)


class MandarinTts:
    """Chinese a listener understands: `cmn` as normalised pinyin, `yue` with numbers in characters.

    `cmn` goes through `voice.mandarin`, `yue` through `voice.cantonese`; other voices pass through.

    Its name differs from the inner engine's, so renderings of the old `cmn` voice cached under
    the inner engine's name are never reused.
    """

    def __init__(self, inner: TtsEngine, pinyin: TtsEngine | None = None) -> None:
        self.inner = inner
        self.pinyin = pinyin or EspeakTts(**PINYIN_ESPEAK)
        self.name = f"{inner.name}+pinyin"

    def synthesize(self, text: str, voice: str) -> Pcm:
        if voice == CANTONESE:
            return self.inner.synthesize(cantonese_text(text), voice)
        if voice != MANDARIN:
            return self.inner.synthesize(text, voice)
        return self.pinyin.synthesize(mandarin_text(text), PINYIN_VOICE)


class CachedTts:
    """Any engine behind an on-disk cache keyed by (engine, voice, text)."""

    def __init__(self, engine: TtsEngine, cache_dir: Path) -> None:
        self.engine = engine
        self.name = engine.name
        self.cache_dir = cache_dir

    def path_for(self, text: str, voice: str) -> Path:
        key = hashlib.sha256(f"{self.engine.name}\0{voice}\0{text}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.wav"

    def synthesize(self, text: str, voice: str) -> Pcm:
        path = self.path_for(text, voice)
        if path.exists():
            pcm, _ = read_wav(path)
            return pcm
        pcm = self.engine.synthesize(text, voice)
        write_wav(path, pcm)
        return pcm


# `espeak`: espeak-ng for every voice, its Mandarin through the pinyin front-end.
_ENGINES: dict[str, Callable[[Settings], TtsEngine]] = {"espeak": lambda s: MandarinTts(EspeakTts())}


def register_tts(name: str, factory: Callable[[Settings], TtsEngine]) -> None:
    """Plug another engine (a neural or cloud voice) in under `name`."""
    _ENGINES[name] = factory


def tts_engine(name: str, settings: Settings | None = None, *, cached: bool = True) -> TtsEngine:
    """The engine registered as `name`, behind the cache in `data_dir/tts-cache`."""
    settings = settings or Settings()
    if name not in _ENGINES:
        raise TtsError(f"unknown TTS engine {name!r}; known: {', '.join(sorted(_ENGINES))}")
    engine = _ENGINES[name](settings)
    return CachedTts(engine, settings.data_dir / "tts-cache") if cached else engine


def split_template(template: str) -> tuple[list[str], list[str]]:
    """Fixed parts and slot names: 'a{x}b' -> (['a', 'b'], ['x'])."""
    parts = SLOT.split(template)
    return parts[0::2], parts[1::2]


class PromptRenderer:
    """Recorded fixed parts joined with synthesised slots; full TTS when a recording is missing."""

    def __init__(self, library: Path, tts: TtsEngine) -> None:
        self.library = library
        self.tts = tts

    def recordings(self, line_id: str, voice: str, count: int) -> list[Pcm] | None:
        folder = self.library / voice / line_id
        out = []
        for i in range(count):
            path = folder / f"part-{i:02d}.wav"
            if not path.exists():
                return None
            pcm, rate = read_wav(path)
            out.append(resample(pcm, rate, SAMPLE_RATE))
        return out

    def render_prompt(self, line_id: str, template: str, slots: Mapping[str, str], voice: str) -> Pcm:
        """The line's audio: recorded parts where the library has them all, else full TTS."""
        fixed, names = split_template(template)
        missing = [n for n in names if n not in slots]
        if missing:
            raise TtsError(f"line {line_id} needs slots {', '.join(missing)}")
        nonempty = [i for i, part in enumerate(fixed) if part.strip()]
        recorded = self.recordings(line_id, voice, len(nonempty))
        if recorded is None:
            return self.tts.synthesize(SLOT.sub(lambda m: slots[m.group(1)], template), voice)
        by_index = dict(zip(nonempty, recorded, strict=True))
        pieces: list[Pcm] = []
        for i in range(len(fixed)):
            pieces.append(by_index.get(i, empty()))
            if i < len(names) and slots[names[i]].strip():
                pieces.append(self.tts.synthesize(slots[names[i]], voice))
        return np.concatenate(pieces) if pieces else empty()
