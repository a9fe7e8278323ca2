"""Speech to text: engines by name, each told the phrases expected at the dialogue node.

`PocketsphinxAsr` runs the US-English model shipped in the pocketsphinx wheel with a JSGF
grammar built from the node's hints (free recognition of 8 kHz phone audio with that model is
poor; constrained to the node's phrases it is good). `WhisperAsr` (`whisper_asr.py`,
faster-whisper) is the local Mandarin engine and the default for Chinese scripts
(`default_engine`). Vosk and sherpa-onnx load a model folder named in settings and say clearly
when there is none. `HttpTranscriptionAsr` posts WAV to any OpenAI-compatible
`/audio/transcriptions` (stdlib multipart: one small request does not justify an HTTP client dependency).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from huikuan.config import Settings
from huikuan.errors import HuikuanError
from huikuan.voice.audio import Pcm, resample, wav_bytes

WORD = re.compile(r"[a-z']+")


class AsrError(HuikuanError):
    status_code = 503


class AsrUnavailable(AsrError):
    """The engine is not configured or its model is missing."""


class AsrEngine(Protocol):
    name: str

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        """The words heard in `pcm`; `hints` are the phrases expected at this dialogue node."""
        ...


def jsgf_for(hints: Sequence[str], known: Callable[[str], bool]) -> str | None:
    """A JSGF grammar accepting any one hint phrase; phrases with unknown words are dropped."""
    phrases = []
    for hint in hints:
        words = WORD.findall(hint.lower())
        if words and all(known(w) for w in words):
            phrases.append(" ".join(words))
    if not phrases:
        return None
    body = " | ".join(f"( {p} )" for p in sorted(set(phrases)))
    return f"#JSGF V1.0;\ngrammar node;\npublic <utterance> = {body} ;\n"


class PocketsphinxAsr:
    """CMU pocketsphinx 5 with the wheel's en-US model; a JSGF search per distinct hint set.

    Two decoders on the same model: the first without filler models (with them the fillers
    swallowed words of espeak speech: 5 of 22 phrases right, 18 without), the second with them,
    asked only when the first reaches no complete phrase, which happens on one-word answers
    ("yes", "no") surrounded by silence: together 21 of 22 (docs/voice.md).
    """

    name = "pocketsphinx"
    MODEL_RATE = 16000

    def __init__(self, model_dir: Path | None = None) -> None:
        from pocketsphinx import Decoder

        kwargs: dict[str, Any] = {"samprate": self.MODEL_RATE, "loglevel": "FATAL"}
        if model_dir is not None:
            kwargs |= {"hmm": str(model_dir / "en-us"), "dict": str(model_dir / "cmudict-en-us.dict")}
        self._decoders = (Decoder(fsgusefiller=False, **kwargs), Decoder(**kwargs))
        self._lock = threading.Lock()
        self._searches: dict[str, str | None] = {}

    def _known(self, word: str) -> bool:
        return self._decoders[0].lookup_word(word) is not None

    def _search_for(self, hints: Sequence[str]) -> str | None:
        key = hashlib.sha256("\n".join(hints).encode()).hexdigest()[:16]
        if key not in self._searches:
            grammar = jsgf_for(hints, self._known)
            name = None if grammar is None else f"node_{key}"
            if grammar is not None and name is not None:
                for decoder in self._decoders:
                    decoder.add_jsgf_string(name, grammar)
            self._searches[key] = name
        return self._searches[key]

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        audio = resample(np.asarray(pcm, dtype=np.int16), sample_rate, self.MODEL_RATE)
        raw = audio.astype("<i2").tobytes()
        with self._lock:
            search = self._search_for(hints)
            # No usable hints: free recognition with the model's language model (poor on phone audio).
            decoders = self._decoders if search is not None else self._decoders[1:]
            for decoder in decoders:
                decoder.activate_search(search or "_default")  # the LM search
                decoder.start_utt()
                decoder.process_raw(raw, full_utt=True)
                decoder.end_utt()
                hyp = decoder.hyp()
                if hyp is not None and hyp.hypstr:
                    return str(hyp.hypstr)
        return ""


def _model_dir(path: Path | None, engine: str, setting: str) -> Path:
    if path is None:
        raise AsrUnavailable(f"{engine}: no model folder configured (set {setting})")
    if not path.is_dir():
        raise AsrUnavailable(f"{engine}: model folder {path} does not exist")
    return path


class VoskAsr:
    """Vosk (Kaldi) with a model folder, e.g. vosk-model-small-cn; hints become its grammar."""

    name = "vosk"

    def __init__(self, model_dir: Path | None) -> None:
        folder = _model_dir(model_dir, "vosk", "HUIKUAN_VOSK_MODEL_DIR")
        try:
            import vosk
        except ImportError as e:
            raise AsrUnavailable("vosk: the vosk package is not installed") from e
        self._vosk = vosk
        self._model = vosk.Model(str(folder))

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        args: list[Any] = [self._model, float(sample_rate)]
        if hints:
            args.append(json.dumps([*hints, "[unk]"], ensure_ascii=False))
        rec = self._vosk.KaldiRecognizer(*args)
        rec.AcceptWaveform(np.asarray(pcm, dtype="<i2").tobytes())
        return str(json.loads(rec.FinalResult()).get("text", ""))


class SherpaOnnxAsr:
    """sherpa-onnx offline transducer with a model folder (encoder/decoder/joiner .onnx, tokens.txt)."""

    name = "sherpa-onnx"

    def __init__(self, model_dir: Path | None) -> None:
        folder = _model_dir(model_dir, "sherpa-onnx", "HUIKUAN_SHERPA_MODEL_DIR")

        def one(pattern: str) -> str:
            found = sorted(folder.glob(pattern))
            if not found:
                raise AsrUnavailable(f"sherpa-onnx: no {pattern} in {folder}")
            return str(found[0])

        files = {k: one(f"{k}*.onnx") for k in ("encoder", "decoder", "joiner")}
        tokens = one("tokens.txt")
        try:
            import sherpa_onnx
        except ImportError as e:
            raise AsrUnavailable("sherpa-onnx: the sherpa_onnx package is not installed") from e
        self._recognizer = sherpa_onnx.OfflineRecognizer.from_transducer(tokens=tokens, **files)

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        stream = self._recognizer.create_stream()
        stream.accept_waveform(sample_rate, np.asarray(pcm, dtype=np.float32) / 32768.0)
        self._recognizer.decode_stream(stream)
        return str(stream.result.text)


class HttpTranscriptionAsr:
    """Any OpenAI-compatible `POST {base_url}/audio/transcriptions` (multipart WAV)."""

    name = "http"

    def __init__(
        self, base_url: str | None, model: str, api_key: str | None = None, timeout: float = 5.0
    ) -> None:
        if not base_url:
            raise AsrUnavailable("http: no base URL configured (set HUIKUAN_ASR_HTTP_BASE_URL)")
        if not base_url.startswith(("http://", "https://")):
            raise AsrUnavailable("http: the base URL must be http:// or https://")
        self.url = base_url.rstrip("/") + "/audio/transcriptions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        fields = {"model": self.model, "response_format": "json"}
        if hints:
            fields["prompt"] = "; ".join(hints)
        body, ctype = multipart(fields, ("file", "audio.wav", "audio/wav", wav_bytes(pcm, sample_rate)))
        headers = {"Content-Type": ctype}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) checked in __init__
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - checked in __init__
                payload = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            raise AsrError(f"http: transcription endpoint answered {e.code}") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise AsrError(f"http: transcription endpoint unreachable ({type(e).__name__})") from e
        except ValueError as e:
            raise AsrError("http: transcription endpoint returned invalid JSON") from e
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            raise AsrError("http: transcription response has no text")
        return text.strip()


def multipart(fields: dict[str, str], file: tuple[str, str, str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = f"huikuan-{uuid.uuid4().hex}"
    out = bytearray()
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
        out += value.encode("utf-8") + b"\r\n"
    field, filename, ctype, data = file
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n"
    ).encode()
    out += data + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _whisper(settings: Settings, lang: str) -> AsrEngine:
    from huikuan.voice.whisper_asr import WhisperAsr

    return WhisperAsr(
        lang,
        model_dir=settings.whisper_model_dir,
        models_dir=settings.data_dir / "models",
        beam_size=settings.whisper_beam_size,
    )


# Factories take the settings and the call's script language (zh-CN, en-US).
AsrFactory = Callable[[Settings, str], AsrEngine]
_ENGINES: dict[str, AsrFactory] = {
    "pocketsphinx": lambda s, lang: PocketsphinxAsr(),
    "vosk": lambda s, lang: VoskAsr(s.vosk_model_dir),
    "sherpa-onnx": lambda s, lang: SherpaOnnxAsr(s.sherpa_model_dir),
    "whisper": _whisper,
    "http": lambda s, lang: HttpTranscriptionAsr(
        s.asr_http_base_url,
        s.asr_http_model,
        s.asr_http_api_key.get_secret_value() if s.asr_http_api_key else None,
    ),
}
# With no engine configured: Whisper hears Chinese; English keeps pocketsphinx, whose node
# grammar beat Whisper base on the English debtor lines (docs/voice.md).
DEFAULT_ENGINES = {"zh": "whisper", "yue": "whisper", "cmn": "whisper", "en": "pocketsphinx"}


def default_engine(lang: str) -> str:
    """The engine for a script language when `HUIKUAN_ASR_ENGINE` names none."""
    return DEFAULT_ENGINES.get(lang.lower().split("-")[0], "whisper")


def engine_name(settings: Settings, lang: str) -> str:
    """The configured engine, else the language's default."""
    return settings.asr_engine or default_engine(lang)


def register_asr(name: str, factory: AsrFactory) -> None:
    """Plug another engine in under `name`; its factory gets the settings and the script language."""
    _ENGINES[name] = factory


def asr_engine(name: str, settings: Settings | None = None, lang: str = "zh-CN") -> AsrEngine:
    """The engine registered as `name`, built from settings for a script language."""
    if name not in _ENGINES:
        raise AsrError(f"unknown ASR engine {name!r}; known: {', '.join(sorted(_ENGINES))}")
    return _ENGINES[name](settings or Settings(), lang)
