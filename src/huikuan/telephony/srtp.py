"""SDES-SRTP (RFC 4568 keys in SDP, RFC 3711 packets) for trunks that offer it.

One `SrtpContext` per call: a sending session keyed with our master key (the one we put in our
`a=crypto` line) and a receiving session keyed with the far end's. The RTP session calls
`protect`/`unprotect` on every packet and the RTCP socket `protect_rtcp`/`unprotect_rtcp`; a
packet that fails authentication or replay checks comes back as None, to be dropped and counted.
The sending and receiving libsrtp sessions are separate objects, so the pacer thread (protect)
and the event loop (unprotect) never share one.

Keys are secrets: they are never logged, and `CryptoAttribute`'s repr hides them. SDES keys travel
in the SDP body in clear text, so on an untrusted network the signalling must be TLS.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass, field
from enum import StrEnum

import pylibsrtp

SUITE = "AES_CM_128_HMAC_SHA1_80"  # RFC 4568 §6.2.1; the one suite every SDES peer supports
SUITE_32 = "AES_CM_128_HMAC_SHA1_32"
_PROFILES = {
    SUITE: pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    SUITE_32: pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
}
KEY_LEN = 30  # 16-byte master key + 14-byte master salt


class SrtpPolicy(StrEnum):
    """Per trunk/worker: `off` plain RTP; `optional` offers keys on RTP/AVP and encrypts when the
    answer carries a crypto line; `mandatory` offers RTP/SAVP and fails a call without one."""

    OFF = "off"
    OPTIONAL = "optional"
    MANDATORY = "mandatory"

    @classmethod
    def parse(cls, text: str) -> SrtpPolicy:
        try:
            return cls(text.strip().lower() or "off")
        except ValueError:
            raise ValueError("SRTP must be off, optional or mandatory") from None


@dataclass(frozen=True, slots=True)
class CryptoAttribute:
    """One `a=crypto:<tag> <suite> inline:<key||salt>[|lifetime][|MKI:len]` line."""

    tag: int
    suite: str
    key: bytes = field(repr=False)  # master key || salt, KEY_LEN bytes

    @classmethod
    def new(cls, tag: int = 1, suite: str = SUITE) -> CryptoAttribute:
        """A fresh random master key and salt from `secrets`."""
        return cls(tag, suite, secrets.token_bytes(KEY_LEN))

    def format(self) -> str:
        """The attribute's value (after `a=`)."""
        return f"crypto:{self.tag} {self.suite} inline:{base64.b64encode(self.key).decode()}"

    @classmethod
    def parse(cls, value: str) -> CryptoAttribute | None:
        """From an `a=crypto:` line (with or without `a=`); None if malformed or a suite we lack.

        Lifetime and MKI after the key are accepted only in their default forms (no MKI), as
        libsrtp's sessions here carry no MKI; session parameters (e.g. UNENCRYPTED_SRTP) make the
        line unacceptable rather than silently weaker.
        """
        text = value.strip()
        if text.startswith("a="):
            text = text[2:]
        if not text.lower().startswith("crypto:"):
            return None
        fields = text[7:].split()
        if len(fields) != 3 or not fields[0].isdigit() or len(fields[0]) > 9:
            return None
        tag, suite, params = int(fields[0]), fields[1].upper(), fields[2]
        if suite not in _PROFILES or not params.lower().startswith("inline:"):
            return None
        if ";" in params:  # several keys: not supported
            return None
        key_text, *extra = params[7:].split("|")
        if len(extra) > 1 or any(":" in part for part in extra):  # an MKI ("1:4")
            return None
        try:
            key = base64.b64decode(key_text, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(key) != KEY_LEN:
            return None
        return cls(tag, suite, key)


class SrtpContext:
    """A call's two SRTP sessions: ours (sending, our key) and the far end's (receiving, its key)."""

    def __init__(self, local: CryptoAttribute, remote: CryptoAttribute) -> None:
        if local.suite != remote.suite:
            raise ValueError("both directions must use the negotiated suite")
        profile = _PROFILES[remote.suite]
        self.suite = remote.suite
        policy = pylibsrtp.Policy
        self._tx = pylibsrtp.Session(policy(local.key, policy.SSRC_ANY_OUTBOUND, srtp_profile=profile))
        # RTP leaves from the pacer thread, RTCP from the event loop: one libsrtp session each way,
        # so the sending one is shared by two threads and is guarded.
        self._tx_lock = threading.Lock()
        self._rx = pylibsrtp.Session(policy(remote.key, policy.SSRC_ANY_INBOUND, srtp_profile=profile))

    def protect(self, packet: bytes) -> bytes:
        with self._tx_lock:
            return self._tx.protect(packet)

    def unprotect(self, packet: bytes) -> bytes | None:
        """The plain RTP packet, or None when authentication or the replay check fails."""
        try:
            return self._rx.unprotect(packet)
        except pylibsrtp.Error:
            return None

    def protect_rtcp(self, packet: bytes) -> bytes:
        """SRTCP for the RTCP sender (RFC 3711 §3.4): the same master key, its own index."""
        with self._tx_lock:
            return self._tx.protect_rtcp(packet)

    def unprotect_rtcp(self, packet: bytes) -> bytes | None:
        try:
            return self._rx.unprotect_rtcp(packet)
        except pylibsrtp.Error:
            return None


def choose(local: CryptoAttribute, lines: tuple[CryptoAttribute, ...]) -> CryptoAttribute | None:
    """The answer's crypto line that accepts our offer: same tag and suite (RFC 4568 §5.1.2:
    the answerer echoes the tag of the line it accepted); None if there is none."""
    return next((a for a in lines if a.tag == local.tag and a.suite == local.suite), None)


def accept_offer(lines: tuple[CryptoAttribute, ...]) -> tuple[CryptoAttribute, CryptoAttribute] | None:
    """For an offer we answer: (the far end's line we take, our answering line with its tag and
    suite and a fresh key), or None when no line has a suite we support."""
    remote = next((a for a in lines if a.suite in _PROFILES), None)
    if remote is None:
        return None
    return remote, CryptoAttribute.new(remote.tag, remote.suite)
