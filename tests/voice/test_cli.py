from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.voice.audio import SAMPLE_RATE, read_wav
from tests.invoke import huikuan


def _say(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    ran = huikuan(["voice", "say", *args], env={"HUIKUAN_DATA_DIR": str(tmp_path / "data")})
    return ran.returncode, ran.stdout, ran.stderr


@pytest.mark.parametrize(("args", "voice"), [(["--lang", "zh-CN"], "cmn"), (["--voice", "yue"], "yue")])
def test_say_renders_a_line_at_the_phone_rate(tmp_path: Path, args: list[str], voice: str) -> None:
    out = tmp_path / "line.wav"
    code, stdout, _ = _say(tmp_path, "您好，应还3500元。", *args, "--out", str(out))
    assert code == 0, stdout
    pcm, rate = read_wav(out)
    assert rate == SAMPLE_RATE
    assert 1.0 < len(pcm) / rate < 10.0
    assert f"voice {voice}" in stdout
    assert "3500" not in stdout  # the text is not echoed
    assert (tmp_path / "data" / "tts-cache").is_dir()  # through the call's cached engine


def test_say_in_english_uses_the_english_voice(tmp_path: Path) -> None:
    out = tmp_path / "en.wav"
    code, stdout, _ = _say(tmp_path, "Hello there.", "--lang", "en-US", "--out", str(out))
    assert code == 0, stdout
    assert "voice en-us" in stdout
    assert read_wav(out)[1] == SAMPLE_RATE


def test_an_unknown_voice_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, _, stderr = _say(tmp_path, "您好", "--voice", "hak", "--out", str(tmp_path / "x.wav"))
    assert code == 2
    assert stderr == "error: --voice must be one of cmn, yue, en-us, not 'hak'\n"
    assert not (tmp_path / "x.wav").exists()
