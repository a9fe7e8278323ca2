"""The audit key: the HMAC key of the audit chain and its checkpoints, kept out of the database.

From `HUIKUAN_AUDIT_KEY` (hex or base64 of 32 bytes) or the key file `audit_dir/audit.key`
(default `$XDG_CONFIG_HOME/huikuan`, i.e. ~/.config/huikuan, outside the data folder). The file
is created (0600) only for a log with no events: for a log that holds events a missing key is
an error, since a fresh key would make every old event look forged and let new ones be chained
on anything. Each event records the key's id (a digest of the key, never the key), so a key can
be rotated later and a wrong key is refused at start-up rather than chaining on under it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from huikuan.config import Settings
from huikuan.errors import HuikuanError

KEY_BYTES = 32


class AuditKeyError(HuikuanError):
    status_code = 500


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """16 hex digits naming the key; derived one-way, so it reveals nothing of the key."""
        return hmac.new(self.secret, b"huikuan audit key id v1", hashlib.sha256).hexdigest()[:16]

    def mac(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def parse_key(text: str, source: str) -> AuditKey:
    """A key from its hex or base64 text; one clear line when it is neither or not 32 bytes."""
    value = text.strip()
    raw: bytes | None = None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        try:
            raw = base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            raw = None
    if raw is None or len(raw) != KEY_BYTES:
        raise AuditKeyError(
            f"审计密钥无效 / {source} is not an audit key: hex or base64 of {KEY_BYTES} random bytes"
        )
    return AuditKey(raw)


def audit_dir(settings: Settings) -> Path:
    """Where the audit key file and the checkpoints live unless set otherwise."""
    if settings.audit_dir is not None:
        return settings.audit_dir
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "huikuan"


def key_file(settings: Settings) -> Path:
    return audit_dir(settings) / "audit.key"


def load_key(settings: Settings, *, log_has_events: bool) -> AuditKey:
    """The configured audit key; a new key file only for a log that has no events yet."""
    if settings.audit_key is not None:
        return parse_key(settings.audit_key.get_secret_value(), "HUIKUAN_AUDIT_KEY")
    path = key_file(settings)
    if path.exists():
        try:
            return parse_key(path.read_text(encoding="ascii"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyError(f"审计密钥无法读取 / cannot read the audit key file {path}") from exc
    if log_has_events:
        raise AuditKeyError(
            f"审计密钥缺失 / audit key missing: the audit log holds events but neither "
            f"HUIKUAN_AUDIT_KEY nor {path} is present; restore the key (a new one is never made "
            f"for an existing log)"
        )
    return _create(path)


def _create(path: Path) -> AuditKey:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return parse_key(path.read_text(encoding="ascii"), str(path))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
    return AuditKey(secret)
