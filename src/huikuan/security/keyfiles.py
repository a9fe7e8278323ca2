"""Data key files: where they live, how they are written and when one is refused.

A key file is `<key id>.key` (base64 of 32 random bytes) in the key folder: `HUIKUAN_KEY_DIR`,
else `$XDG_CONFIG_HOME/huikuan/keys`, else `~/.config/huikuan/keys`, never the data folder by
default, so a copy of the data folder (or a backup of it) does not carry its own key. The
folder is created 0700 and every file 0600; a file that others may read is refused, as ssh
refuses such a private key: the key would already be exposed, and saying so is the fix.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from huikuan.security.crypto import DataKeyError, key_id

SUFFIX = ".key"


def default_key_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config) if config else Path.home() / ".config"
    return base / "huikuan" / "keys"


def parse_key(text: str, source: str) -> bytes:
    """32 key bytes from base64 text, or one line naming `source` (never the text)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise DataKeyError(f"数据密钥已损坏 / {source} is not a data key (base64 of 32 bytes)")
    return key


def parse_keys(value: str) -> list[bytes]:
    """The keys of `HUIKUAN_DATA_KEY`: one base64 key, or several separated by commas."""
    return [parse_key(part, "HUIKUAN_DATA_KEY") for part in value.split(",") if part.strip()]


def key_path(key_dir: Path, kid: str) -> Path:
    return key_dir / f"{kid}{SUFFIX}"


def read_key_file(path: Path) -> bytes:
    """The key in `path`: refused when others may read it, corrupt, or named for another id."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise DataKeyError(
                f"密钥文件权限过宽 / key file {path} is open to other users "
                f"(mode {stat.S_IMODE(mode):04o}): chmod 600 it"
            )
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        text = ""
    except OSError as exc:
        raise DataKeyError(f"密钥文件无法读取 / key file {path} cannot be read ({exc.strerror})") from None
    key = parse_key(text, f"key file {path}")
    if path.name.endswith(SUFFIX) and path.name[: -len(SUFFIX)] != key_id(key):
        raise DataKeyError(f"数据密钥已损坏 / key file {path} holds key id {key_id(key)}, not its name's")
    return key


def find_key(key_dir: Path, kid: str) -> bytes | None:
    """The key with id `kid` from the key folder, or None when there is no such file."""
    path = key_path(key_dir, kid)
    return read_key_file(path) if path.exists() else None


def write_key(key_dir: Path, key: bytes) -> Path:
    """Store `key` as `<id>.key` (0600, folder 0700); an existing file for it is kept."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = key_path(key_dir, key_id(key))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        read_key_file(path)  # the same key (its name says so) and still private
        return path
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def new_key(key_dir: Path) -> tuple[bytes, Path]:
    """A fresh random data key, written to the key folder."""
    key = AESGCM.generate_key(bit_length=256)
    return key, write_key(key_dir, key)
