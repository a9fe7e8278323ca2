"""SDES-SRTP (telephony/srtp.py): crypto lines in SDP, and calls to baresip with its srtp module."""

from __future__ import annotations

import asyncio
import base64
import socket
import struct
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from huikuan.telephony import g711
from huikuan.telephony.sip import SipCall, SipCarrier, Trunk, sdp
from huikuan.telephony.sip.call import no_asr, silence_tts
from huikuan.telephony.sip.message import SipMessage
from huikuan.telephony.srtp import SUITE, CryptoAttribute, SrtpContext, SrtpPolicy, accept_offer, choose
from huikuan.types import CallOutcome
from tests.conftest import TestDatabase
from tests.telephony.sip.peers import Baresip, tone_seconds
from tests.telephony.sip.sipp import Sipp

NUMBER, CALLER = "13800000000", "4001234567"
OUR_HZ, PHONE_HZ = 440.0, 1000.0


# --- units ------------------------------------------------------------------------------------
def test_crypto_line_round_trips_and_hides_its_key_in_repr() -> None:
    attr = CryptoAttribute.new()
    line = attr.format()
    assert line.startswith(f"crypto:1 {SUITE} inline:")
    assert CryptoAttribute.parse("a=" + line) == attr
    assert len(attr.key) == 30
    assert base64.b64encode(attr.key).decode() not in repr(attr)
    assert CryptoAttribute.new().key != attr.key


@pytest.mark.parametrize(
    "line",
    [
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=",  # key too short
        "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" + "A" * 40,  # a suite we lack
        "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" + "A" * 40,  # tag not a number
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "A" * 40 + "|2^20|1:4",  # MKI
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "A" * 40 + " UNENCRYPTED_SRTP",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "!" * 40,  # not base64
    ],
)
def test_unusable_crypto_lines_are_refused(line: str) -> None:
    assert CryptoAttribute.parse(line) is None


def test_crypto_line_with_a_lifetime_is_accepted() -> None:
    key = base64.b64encode(bytes(range(30))).decode()
    attr = CryptoAttribute.parse(f"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{key}|2^31")
    assert attr is not None
    assert attr.tag == 2
    assert attr.key == bytes(range(30))


def test_offer_carries_savp_and_key_and_the_answer_s_crypto_is_parsed() -> None:
    ours = CryptoAttribute.new()
    body = sdp.offer("127.0.0.1", 4000, 1, crypto=ours, savp=True).decode()
    assert "m=audio 4000 RTP/SAVP 0 8 101\r\n" in body
    assert f"a={ours.format()}\r\n" in body
    plain = sdp.offer("127.0.0.1", 4000, 1).decode()
    assert "RTP/AVP" in plain
    assert "crypto" not in plain
    theirs = CryptoAttribute.new()
    answer = (
        "v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 5000 RTP/SAVP 0\r\n"
        f"a={theirs.format()}\r\na=crypto:2 BOGUS inline:x\r\n"
    ).encode()
    media = sdp.parse_answer(answer)
    assert media is not None
    assert media.proto == "RTP/SAVP"
    assert media.crypto == (theirs,)
    assert choose(ours, media.crypto) == theirs
    assert choose(CryptoAttribute.new(tag=3), media.crypto) is None  # not an answer to our tag 3
    taken = accept_offer(media.crypto)
    assert taken is not None
    assert taken[0] == theirs
    assert taken[1].tag == 1
    assert taken[1].key != theirs.key


def test_context_protects_and_drops_tampered_and_replayed_packets() -> None:
    a, b = CryptoAttribute.new(), CryptoAttribute.new()
    alice, bob = SrtpContext(a, b), SrtpContext(b, a)
    plain = struct.pack("!BBHII", 0x80, 0, 7, 160, 1234) + g711.silence(0)
    wire = alice.protect(plain)
    assert len(wire) == len(plain) + 10
    assert wire[12:172] != plain[12:]
    tampered = bytearray(wire)
    tampered[40] ^= 1
    assert bob.unprotect(bytes(tampered)) is None
    assert bob.unprotect(wire) == plain
    assert bob.unprotect(wire) is None  # a replay
    rtcp = struct.pack("!BBHI", 0x80, 201, 1, 1234)
    assert bob.unprotect_rtcp(alice.protect_rtcp(rtcp)) == rtcp
    assert SrtpPolicy.parse("Mandatory") == SrtpPolicy.MANDATORY
    with pytest.raises(ValueError, match="off, optional or mandatory"):
        SrtpPolicy.parse("maybe")


# --- against baresip --------------------------------------------------------------------------
def _tone(hz: float, seconds: float, pad: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * 8000)) / 8000
    pcm = (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    return np.concatenate([pcm, np.zeros(int(pad * 8000), dtype=np.int16)])


@pytest.fixture
def phone_tone(tmp_path: Path) -> Path:
    path = tmp_path / "phone-tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(_tone(PHONE_HZ, 3.0, pad=30.0).tobytes())
    return path


@pytest.fixture
def phones() -> Iterator[list[Baresip]]:
    started: list[Baresip] = []
    yield started
    for phone in started:
        phone.stop()


class _Wire:
    """Records the packets on each side of our SRTP layer while a call runs."""

    def __init__(self, call: SipCall) -> None:
        ctx = call.rtp.srtp
        assert ctx is not None
        self.received: list[tuple[bytes, bytes | None]] = []  # (on the wire, after unprotect)
        self.sent: list[tuple[bytes, bytes]] = []  # (plain, on the wire)
        unprotect, protect = ctx.unprotect, ctx.protect

        def _unprotect(packet: bytes) -> bytes | None:
            plain = unprotect(packet)
            self.received.append((packet, plain))
            return plain

        def _protect(packet: bytes) -> bytes:
            wire = protect(packet)
            self.sent.append((packet, wire))
            return wire

        ctx.unprotect = _unprotect  # type: ignore[method-assign]  # a test tap on the real layer
        ctx.protect = _protect  # type: ignore[method-assign]


async def _listen(call: SipCall, seconds: float) -> np.ndarray:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    frames: list[np.ndarray] = []
    while not call.ended and (remaining := deadline - loop.time()) > 0:
        frame = await call.receive_audio(remaining)
        if frame is not None:
            frames.append(frame)
    return np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)


def test_mandatory_srtp_with_baresip_audio_both_ways_encrypted_tamper_dropped(
    tmp_path: Path, phone_tone: Path, phones: list[Baresip]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, phone_tone, mediaenc="srtp-mand")
    phones.append(phone)

    async def go() -> tuple[SipCall, np.ndarray, _Wire, int]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)], srtp=SrtpPolicy.MANDATORY)
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            assert call.result.outcome == CallOutcome.ANSWERED, call.result
            wire = _Wire(call)
            heard = asyncio.ensure_future(_listen(call, 4.0))
            await call.send_audio(_tone(OUR_HZ, 2.0))
            heard_pcm = await heard
            # A stranger re-sends a genuine packet with one payload bit flipped, and one unchanged.
            genuine = next(raw for raw, plain in wire.received if plain is not None)
            tampered = bytearray(genuine)
            tampered[20] ^= 0x01
            before = call.rtp.stats.dropped_auth
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(bytes(tampered), ("127.0.0.1", call.rtp.local_port))
                s.sendto(genuine, ("127.0.0.1", call.rtp.local_port))
                # and plain RTCP (a receiver report) to our RTCP port: not SRTCP, refused
                s.sendto(struct.pack("!BBHI", 0x80, 201, 1, 99), ("127.0.0.1", call.rtp.local_port + 1))
            stats = call.rtp.stats
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10.0  # baresip reports every few seconds
            while loop.time() < deadline and (
                stats.dropped_auth < before + 2 or stats.rtcp_dropped_auth < 1 or stats.rtcp_received < 1
            ):
                await asyncio.sleep(0.05)
            await call.hangup()
            return call, heard_pcm, wire, before
        finally:
            await carrier.close()

    call, heard, wire, before = asyncio.run(go())
    assert phone.wait_for("terminated")
    # Both ways: we heard its 1 kHz tone, it recorded our 440 Hz one.
    assert tone_seconds(heard, PHONE_HZ) >= 1.5
    assert tone_seconds(phone.heard(), OUR_HZ) >= 1.5
    # On the wire: SRTP (10-byte auth tag), payloads not the G.711 we encoded or decoded.
    good = [(raw, plain) for raw, plain in wire.received if plain is not None]
    assert len(good) >= 100
    assert all(len(raw) == len(plain) + 10 and raw[12:-10] != plain[12:] for raw, plain in good)
    assert len(wire.sent) >= 100
    assert all(len(out) == len(plain) + 10 and out[12:-10] != plain[12:] for plain, out in wire.sent)
    # The tampered packet and the replay were dropped and counted, never played.
    assert call.rtp.stats.dropped_auth == before + 2
    assert call.dropped["srtp_dropped_auth"] == before + 2
    # baresip's SRTCP authenticated and was counted; our forged plain RTCP was not.
    assert call.rtp.stats.rtcp_received >= 1
    assert call.dropped["srtcp_dropped_auth"] == 1


def test_mandatory_srtp_against_peers_without_srtp_fails_clearly(
    tmp_path: Path, phone_tone: Path, phones: list[Baresip]
) -> None:
    """baresip without its srtp module refuses our RTP/SAVP offer (488); SIPp answers it with
    plain RTP/AVP and no key: we ACK, hang up at once and say why."""
    phone = Baresip(tmp_path / "phone", NUMBER, phone_tone)
    phones.append(phone)
    sipp = Sipp("uas_echo_hangup.xml", keys={"hangup_ms": "20000"}, cwd=tmp_path)

    async def dial(trunk: str) -> SipCall:
        carrier = SipCarrier([Trunk.parse(trunk)], srtp=SrtpPolicy.MANDATORY)
        await carrier.start()
        try:
            return await carrier.dial(NUMBER, CALLER, ring_timeout=10)
        finally:
            await carrier.close()

    try:
        refused = asyncio.run(dial(phone.trunk))
        plain = asyncio.run(dial(sipp.trunk))
        assert sipp.finish() == 0  # it got our ACK and then our BYE, as its scenario expects
    finally:
        sipp.kill()
    assert refused.result.outcome == CallOutcome.FAILED
    assert (refused.result.sip_status, refused.result.cause) == (488, "srtp:not_acceptable")
    assert plain.result.outcome == CallOutcome.FAILED
    assert (plain.result.sip_status, plain.result.cause) == (200, "srtp:no_crypto")
    assert plain.hangup_cause == "srtp:no_crypto"
    assert plain.talk_seconds == 0.0
    assert plain.rtp.srtp is None
    assert plain.rtp.stats.sent == 0


def test_optional_srtp_encrypts_with_an_srtp_phone_and_stays_plain_with_another(
    tmp_path: Path, phone_tone: Path, phones: list[Baresip]
) -> None:
    secure = Baresip(tmp_path / "secure", NUMBER, phone_tone, mediaenc="srtp")
    plain = Baresip(tmp_path / "plain", NUMBER, phone_tone)
    phones.extend([secure, plain])

    async def call_and_listen(phone: Baresip) -> tuple[SipCall, bool, np.ndarray]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)], srtp=SrtpPolicy.OPTIONAL)
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            encrypted = call.rtp.srtp is not None
            heard = await _listen(call, 2.0)
            await call.hangup()
            return call, encrypted, heard
        finally:
            await carrier.close()

    async def go() -> list[tuple[SipCall, bool, np.ndarray]]:
        return [await call_and_listen(secure), await call_and_listen(plain)]

    (call_s, enc_s, heard_s), (call_p, enc_p, heard_p) = asyncio.run(go())
    assert call_s.result.outcome == call_p.result.outcome == CallOutcome.ANSWERED
    assert enc_s
    assert not enc_p
    assert tone_seconds(heard_s, PHONE_HZ) >= 1.0
    assert tone_seconds(heard_p, PHONE_HZ) >= 1.0
    assert call_s.rtp.stats.dropped_auth == 0


def test_worker_refuses_an_unknown_srtp_setting_in_one_line(db: TestDatabase) -> None:
    cmd = [sys.executable, "-m", "huikuan", "worker", "--carrier", "sip", "--trunk", "sip:127.0.0.1:5060"]
    done = subprocess.run(
        [*cmd, "--srtp", "maybe"], capture_output=True, text=True, env=db.env(), timeout=60, check=False
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--srtp" in lines[0]
    assert "mandatory" in lines[0]


def test_a_reinvite_offering_srtp_is_answered_with_our_own_key_and_mandatory_refuses_plain() -> None:
    """The far end's re-INVITE is an offer: we answer its crypto line (same tag and suite) with a
    fresh key of ours and re-key both directions; with SRTP mandatory an offer without one is 488."""

    def reinvite(body: str) -> SipMessage:
        req = SipMessage(method="INVITE", uri=f"sip:{CALLER}@127.0.0.1")
        for name, value in (
            ("Via", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-re"),
            ("From", "<sip:13800000000@127.0.0.1>;tag=far"),
            ("To", f"<sip:{CALLER}@127.0.0.1>;tag=ours"),
            ("Call-ID", "re@test"),
            ("CSeq", "2 INVITE"),
            ("Content-Type", "application/sdp"),
        ):
            req.add(name, value)
        req.body = body.encode()
        return req

    theirs = CryptoAttribute.new(tag=7)
    sdp_body = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5998 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

    async def go() -> tuple[SipMessage, SipMessage, SipCall]:
        carrier = SipCarrier([Trunk.parse("sip:127.0.0.1:9")], srtp=SrtpPolicy.MANDATORY)
        call = SipCall(
            carrier.ua,
            carrier.pacer,
            carrier.trunks[0],
            NUMBER,
            CALLER,
            None,
            silence_tts,
            no_asr,
            None,
            srtp=SrtpPolicy.MANDATORY,
        )
        keyed = call.on_request(reinvite(sdp_body + f"a={theirs.format()}\r\n"), ("127.0.0.1", 5999))
        plain = call.on_request(reinvite(sdp_body), ("127.0.0.1", 5999))
        call.rtp.close()
        return keyed, plain, call

    keyed, plain, call = asyncio.run(go())
    assert keyed.status == 200
    answer = keyed.body.decode()
    assert "m=audio" in answer
    assert "RTP/SAVP" in answer
    ours = next(CryptoAttribute.parse(line) for line in answer.splitlines() if "crypto" in line)
    assert ours is not None
    assert (ours.tag, ours.suite) == (7, SUITE)
    assert ours.key != theirs.key
    assert call.rtp.srtp is not None  # still keyed: the refused offer changed nothing
    assert plain.status == 488
