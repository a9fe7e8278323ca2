from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.voice.audio import SAMPLE_RATE, read_wav, resample, silence, write_wav
from huikuan.voice.intelligibility import canonical
from huikuan.voice.tts import MandarinTts
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


def _hear(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    ran = huikuan(["voice", "hear", *args], env={"HUIKUAN_DATA_DIR": str(tmp_path / "data"), **(env or {})})
    return ran.returncode, ran.stdout, ran.stderr


@pytest.mark.slow
def test_hear_prints_what_the_call_recogniser_hears_in_a_wav_at_any_rate(
    tmp_path: Path, whisper_dir: Path, debtor_mandarin: MandarinTts
) -> None:
    wav = tmp_path / "debtor-22k.wav"
    write_wav(
        wav, resample(debtor_mandarin.synthesize("你打错了，我不认识这个人", "cmn"), 8000, 22050), 22050
    )
    code, stdout, stderr = _hear(
        tmp_path, str(wav), "--lang", "zh-CN", env={"HUIKUAN_WHISPER_MODEL_DIR": str(whisper_dir)}
    )
    assert code == 0, stderr
    assert canonical(stdout) == "你打错了我不认识这个人"
    assert stdout.count("\n") == 1


def test_hear_a_missing_file_is_one_line(tmp_path: Path) -> None:
    code, stdout, stderr = _hear(tmp_path, str(tmp_path / "gone.wav"))
    assert code == 2
    assert stdout == ""
    assert stderr == f"error: {tmp_path / 'gone.wav'} does not exist or is not a file\n"


def test_hear_a_file_that_is_not_a_wav_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    code, _, stderr = _hear(tmp_path, str(bad))
    assert code == 2
    assert stderr == f"error: {bad} is not a 16-bit PCM WAV file (not a RIFF/WAVE stream)\n"


def test_hear_an_unknown_language_is_one_line(tmp_path: Path) -> None:
    wav = tmp_path / "x.wav"
    write_wav(wav, silence(500))
    code, _, stderr = _hear(tmp_path, str(wav), "--lang", "fr-FR")
    assert code == 2
    assert stderr == "error: --lang must be zh-CN or en-US, not 'fr-FR'\n"
