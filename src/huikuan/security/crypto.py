"""Field encryption of personal data at rest, and blind indexes to find it without decrypting.

Names, phone numbers, ID numbers, addresses and transcripts are stored as AES-256-GCM
ciphertext (PIPL Arts. 28-30, 51: sensitive personal information). Equality look-ups (dedupe on
import, the opaque `number_key` in exports) use HMAC-SHA256 "blind indexes" under an index key,
so the plain value never needs to be stored or logged.

Every sealed value names the key that sealed it, so a database can hold values under several
keys while `huikuan keys rotate` re-encrypts it (docs/security.md, "Keys"):

    version (1 byte, 0x01) | key id (4 bytes) | nonce (12 bytes) | ciphertext + GCM tag

The version and key id are authenticated as associated data. A key id is derived from the key
(`key_id`), so a key file proves its own id and no table maps ids to keys. The index key is the
database's, not a data key's: derived from its first data key and kept sealed under the active
one (`security.keys`), so rotation leaves every blind index, and the exports' `number_key`,
unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from huikuan.errors import HuikuanError

VERSION = 1
_VERSION_BYTE = bytes([VERSION])
KEY_ID_BYTES = 4
HEADER_BYTES = 1 + KEY_ID_BYTES
_NONCE_BYTES = 12


class DataKeyError(HuikuanError):
    status_code = 500


def key_id(key: bytes) -> str:
    """The key's public id (8 hex digits): an HMAC of a fixed label, never the key."""
    return hmac.new(key, b"huikuan key id v1", hashlib.sha256).hexdigest()[: KEY_ID_BYTES * 2]


def check_value(key: bytes) -> str:
    """What the database keeps to recognise the key (an HMAC of another fixed label)."""
    return hmac.new(key, b"huikuan key check v1", hashlib.sha256).hexdigest()


def derive_index_key(key: bytes) -> bytes:
    """The blind-index key a database gets from its first data key."""
    return hmac.new(key, b"huikuan blind index v1", hashlib.sha256).digest()


def key_id_of(blob: bytes) -> str:
    """The id of the key that sealed `blob` (raises `DataKeyError` for any other format)."""
    if len(blob) < HEADER_BYTES + _NONCE_BYTES or blob[0] != VERSION:
        raise DataKeyError("encrypted value in an unknown format (not version 1)")
    return blob[1:HEADER_BYTES].hex()


def _check_length(key: bytes) -> None:
    if len(key) != 32:
        raise DataKeyError("the data key must be 32 bytes (base64 of 32 random bytes)")


class FieldCipher:
    """Seals with the active key, opens with any key it knows; derives blind indexes.

    `resolve` is asked for a key id it has not seen (a key `huikuan keys rotate` added while
    this process ran); it returns the key or None.
    """

    def __init__(
        self,
        key: bytes,
        *,
        index_key: bytes | None = None,
        others: Sequence[bytes] = (),
        resolve: Callable[[str], bytes | None] | None = None,
    ) -> None:
        _check_length(key)
        self._keys: dict[bytes, AESGCM] = {}
        self._resolve = resolve
        self._lock = threading.Lock()
        for other in others:
            self.add_key(other)
        self._active_header = _VERSION_BYTE + bytes.fromhex(key_id(key))
        self._active = AESGCM(key)
        self.use(key)
        self._index_key = derive_index_key(key) if index_key is None else index_key

    # -- keys ---------------------------------------------------------------------------------

    def add_key(self, key: bytes) -> str:
        """Let this cipher open values sealed under `key` too; returns its id."""
        _check_length(key)
        kid = key_id(key)
        self._keys[bytes.fromhex(kid)] = AESGCM(key)
        return kid

    def use(self, key: bytes) -> None:
        """Seal every new value under `key` from now on (it stays able to open the others)."""
        kid = self.add_key(key)
        self._active_header = _VERSION_BYTE + bytes.fromhex(kid)
        self._active = self._keys[bytes.fromhex(kid)]

    @property
    def active_key_id(self) -> str:
        return self._active_header[1:].hex()

    @property
    def index_key(self) -> bytes:
        return self._index_key

    def known_key_ids(self) -> list[str]:
        return sorted(k.hex() for k in self._keys)

    def _aead_for(self, kid: bytes) -> AESGCM:
        aead = self._keys.get(kid)
        if aead is None and self._resolve is not None:
            with self._lock:
                key = self._resolve(kid.hex())
                if key is not None and key_id(key) == kid.hex():
                    self.add_key(key)
                    aead = self._keys[kid]
        if aead is None:
            raise DataKeyError(f"数据密钥缺失 / no data key with id {kid.hex()} is available to this process")
        return aead

    # -- sealing ------------------------------------------------------------------------------

    def _seal(self, nonce: bytes, data: bytes, context: bytes = b"") -> bytes:
        header = self._active_header
        return header + nonce + self._active.encrypt(nonce, data, header + context)

    def _open(self, blob: bytes, context: bytes = b"") -> bytes:
        key_id_of(blob)
        header = blob[:HEADER_BYTES]
        nonce = blob[HEADER_BYTES : HEADER_BYTES + _NONCE_BYTES]
        return self._aead_for(header[1:]).decrypt(
            nonce, blob[HEADER_BYTES + _NONCE_BYTES :], header + context
        )

    def encrypt(self, plaintext: str) -> bytes:
        return self._seal(os.urandom(_NONCE_BYTES), plaintext.encode("utf-8"))

    def encrypt_many(self, plaintexts: Sequence[str]) -> list[bytes]:
        """`encrypt` of each value (same format, fresh random nonce each), one urandom call."""
        count = len(plaintexts)
        if not count:
            return []
        nonces = os.urandom(_NONCE_BYTES * count)
        return [
            self._seal(nonces[i * _NONCE_BYTES : (i + 1) * _NONCE_BYTES], text.encode("utf-8"))
            for i, text in enumerate(plaintexts)
        ]

    def decrypt(self, blob: bytes) -> str:
        """Raises `cryptography.exceptions.InvalidTag` when the value was altered."""
        return self._open(blob).decode("utf-8")

    def reseal(self, blob: bytes) -> bytes:
        """`blob` sealed again under the active key (key rotation), never decoded to text."""
        return self._seal(os.urandom(_NONCE_BYTES), self._open(blob))

    def encrypt_bytes(self, data: bytes, context: bytes) -> bytes:
        """A blob (a call recording) sealed the same way; `context` (e.g. its path) is
        authenticated but not stored, so a file moved in place of another does not open."""
        return self._seal(os.urandom(_NONCE_BYTES), data, context)

    def decrypt_bytes(self, blob: bytes, context: bytes) -> bytes:
        """Raises `cryptography.exceptions.InvalidTag` when the blob or its context was altered."""
        return self._open(blob, context)

    # -- blind indexes ------------------------------------------------------------------------

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


def install(field_cipher: FieldCipher) -> FieldCipher:
    """Install the process-wide cipher (start-up: `huikuan.runtime.open_database`)."""
    global _cipher
    with _lock:
        _cipher = field_cipher
        return _cipher


def configure(key: bytes) -> FieldCipher:
    """Install a cipher of one key whose index key derives from it (tests, benchmarks)."""
    return install(FieldCipher(key))


def cipher() -> FieldCipher:
    if _cipher is None:
        raise DataKeyError("no data key configured: call huikuan.security.crypto.configure first")
    return _cipher


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; Python code sees plain `str`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else cipher().encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return cipher().decrypt(bytes(value))
        except InvalidTag:
            # One line for a person, never a traceback; the id of the key, never the value.
            raise DataKeyError(
                f"加密值已损坏 / an encrypted value under key {key_id_of(bytes(value))} was altered"
            ) from None
