"""Signed checkpoints: the audit chain's head, anchored outside the database.

A checkpoint is one short line, e.g.

    HKA1 db=3f9a1c2b seq=1234 at=2026-12-04T09:30:00Z chain=9c…(32 hex) kid=5e…(16 hex) sig=…(32 hex)

saying "this database's audit log had 1234 events, the last with this chain value", signed
with the audit key (HMAC-SHA256, truncated to 128 bits: short enough to copy onto paper, still
far beyond guessing). Lines are appended to a file outside the data folder (0600), one per
checkpoint; `huikuan audit checkpoint` prints one for a supervisor to keep. Someone who can
write the database but not the key can neither forge a line nor make an older log match a
newer line, so deleting the newest events, or all of them, shows at the next `verify`.

`db=` names the database (a digest of its URL, without password), so databases sharing one
key directory never mix their checkpoints. The seq is the event count too: seqs are dense.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url

from huikuan.security.audit_key import AuditKey

PREFIX = "HKA1"
_LINE = re.compile(
    rf"^{PREFIX} db=(?P<db>[0-9a-f]{{8}}) seq=(?P<seq>[0-9]+) at=(?P<at>\S+) "
    r"chain=(?P<chain>[0-9a-f]{32}) kid=(?P<kid>[0-9a-f]{16}) sig=(?P<sig>[0-9a-f]{32})$"
)


class BadCheckpoint(ValueError):
    """A line that is not a checkpoint or whose signature does not hold (message has no secrets)."""


@dataclass(frozen=True)
class Checkpoint:
    db: str
    seq: int
    at: datetime
    chain: str  # the first 32 hex digits of the event's chain value
    key_id: str
    sig: str = ""

    def _body(self) -> str:
        at = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{PREFIX} db={self.db} seq={self.seq} at={at} chain={self.chain} kid={self.key_id}"

    def signed(self, key: AuditKey) -> Checkpoint:
        sig = key.mac(self._body().encode("ascii"))[:32]
        return Checkpoint(self.db, self.seq, self.at, self.chain, self.key_id, sig)

    def line(self) -> str:
        return f"{self._body()} sig={self.sig}"

    def matches(self, chain_value: str) -> bool:
        return chain_value[:32] == self.chain


def database_id(url: str) -> str:
    """8 hex digits naming a database: its URL without password (an SQLite path made absolute)."""
    parsed = make_url(url).set(password=None)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database or "").resolve()))
    text = parsed.render_as_string(hide_password=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def parse(line: str, keys: dict[str, AuditKey]) -> Checkpoint:
    """The checkpoint a line holds, its signature checked with the key it names."""
    match = _LINE.match(line.strip())
    if match is None:
        raise BadCheckpoint("not a checkpoint line")
    try:
        at = datetime.strptime(match["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise BadCheckpoint("bad time in checkpoint line") from exc
    cp = Checkpoint(match["db"], int(match["seq"]), at, match["chain"], match["kid"], match["sig"])
    key = keys.get(cp.key_id)
    if key is None:
        raise BadCheckpoint(f"checkpoint signed with unknown audit key {cp.key_id}")
    if not hmac.compare_digest(cp.signed(key).sig, cp.sig):
        raise BadCheckpoint("checkpoint signature does not match (forged or altered)")
    return cp


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Add one line to the checkpoint file (created 0600); one write, so lines never interleave."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line; nothing when the file does not exist."""
    if not path.exists():
        return
    with path.open(encoding="ascii", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text.strip()
