"""Field encryption of personal data at rest, and blind indexes to find it without decrypting.

Names, phone numbers, ID numbers and addresses are stored as AES-256-GCM ciphertext (PIPL
Arts. 28-30, 51: sensitive personal information). Equality look-ups (dedupe on import, the
opaque `number_key` in exports) use HMAC-SHA256 "blind indexes" under a key derived from the
data key, so the plain value never needs to be stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from huikuan.errors import HuikuanError

_NONCE_BYTES = 12


class DataKeyError(HuikuanError):
    status_code = 500


class FieldCipher:
    """Encrypts and decrypts short text fields; derives blind-index keys per purpose."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise DataKeyError("the data key must be 32 bytes (base64 of 32 random bytes)")
        self._aead = AESGCM(key)
        self._index_key = hmac.new(key, b"huikuan blind index v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), None)

    def encrypt_many(self, plaintexts: Sequence[str]) -> list[bytes]:
        """`encrypt` of each value (same format, fresh random nonce each), one urandom call."""
        count = len(plaintexts)
        if not count:
            return []
        nonces = os.urandom(_NONCE_BYTES * count)
        seal = self._aead.encrypt
        out: list[bytes] = []
        for i, text in enumerate(plaintexts):
            nonce = nonces[i * _NONCE_BYTES : (i + 1) * _NONCE_BYTES]
            out.append(nonce + seal(nonce, text.encode("utf-8"), None))
        return out

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None).decode("utf-8")

    def encrypt_bytes(self, data: bytes, context: bytes) -> bytes:
        """A blob (a call recording) sealed the same way; `context` (e.g. its path) is
        authenticated but not stored, so a file moved in place of another does not open."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context)

    def decrypt_bytes(self, blob: bytes, context: bytes) -> bytes:
        """Raises `cryptography.exceptions.InvalidTag` when the blob or its context was altered."""
        return self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context)

    def blind_index(self, value: str, purpose: str) -> str:
        """A stable opaque key for `value` (e.g. an E.164 number), never reversible to it."""
        digest = hmac.new(self._index_key, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def blind_indexer(self, purpose: str) -> Callable[[str], str]:
        """`lambda value: self.blind_index(value, purpose)`, faster when called many times."""
        template = hmac.new(self._index_key, f"{purpose}\x00".encode(), hashlib.sha256)

        def index(value: str) -> str:
            digest = template.copy()
            digest.update(value.encode())
            return digest.hexdigest()[:32]

        return index


_lock = threading.Lock()
_cipher: FieldCipher | None = None


def configure(key: bytes) -> FieldCipher:
    """Install the process-wide cipher (called once at start-up from settings)."""
    global _cipher
    with _lock:
        _cipher = FieldCipher(key)
        return _cipher


def cipher() -> FieldCipher:
    if _cipher is None:
        raise DataKeyError("no data key configured: call huikuan.security.crypto.configure first")
    return _cipher


def load_or_create_key(key_b64: str | None, data_dir: Path) -> bytes:
    """The data key from settings, or from `data_dir/data.key`, created on first use."""
    if key_b64:
        try:
            return base64.b64decode(key_b64, validate=True)
        except ValueError as exc:
            raise DataKeyError("HUIKUAN_DATA_KEY is not valid base64") from exc
    path = data_dir / "data.key"
    if path.exists():
        return base64.b64decode(path.read_bytes().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=256)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key))
    return key


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; Python code sees plain `str`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else cipher().encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else cipher().decrypt(bytes(value))
