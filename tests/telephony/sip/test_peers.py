"""Calls against independent SIP software: baresip as the debtor's phone, Kamailio as a digest-
authenticating proxy (tests/telephony/sip/peers.py). Audio is real speech (espeak-ng) both ways."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from huikuan.telephony.sip import Credentials, SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.message import parse
from huikuan.telephony.sip.numbers import NumberFormat
from huikuan.types import CallOutcome
from tests.conftest import TestDatabase
from tests.telephony.sip.callers import caller_env
from tests.telephony.sip.peers import Baresip, Kamailio, voiced_seconds, wav_pcm
from tests.telephony.sip.test_trunks import needs_ipv6

NUMBER, CALLER = "13800000000", "4001234567"
USER, PASSWORD = "robot", "s3cret-trunk"
ROBOT_LINE = "Hello, this is the Huikuan assistant calling about your repayment plan."
DEBTOR_LINE = "Yes, I know. I will pay the first instalment tomorrow morning."


def _render(tmp: Path, name: str, text: str, pad_seconds: float) -> Path:
    """espeak-ng speech as 8 kHz mono 16-bit WAV, followed by `pad_seconds` of silence."""
    raw, out = tmp / f"{name}-raw.wav", tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True)
    subprocess.run(
        [
            "sox",
            str(raw),
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed",
            str(out),
            "pad",
            "0",
            str(pad_seconds),
        ],
        check=True,
    )
    return out


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("speech")
    return {
        "robot": _render(tmp, "robot", ROBOT_LINE, 0.0),
        "debtor_then_bye": _render(tmp, "debtor-short", DEBTOR_LINE, 2.5),  # baresip hangs up at its end
        "debtor_long": _render(tmp, "debtor-long", DEBTOR_LINE, 30.0),  # we hang up first
    }


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[list[Baresip | Kamailio]]:
    started: list[Baresip | Kamailio] = []
    yield started
    for peer in reversed(started):
        peer.stop()


async def _listen(call: SipCall, seconds: float) -> np.ndarray:
    """Everything the robot hears for `seconds` or until the call ends."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    frames: list[np.ndarray] = []
    while not call.ended and (remaining := deadline - loop.time()) > 0:
        frame = await call.receive_audio(remaining)
        if frame is not None:
            frames.append(frame)
    return np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)


async def _speak_and_listen(call: SipCall, robot: np.ndarray, seconds: float) -> np.ndarray:
    heard = asyncio.ensure_future(_listen(call, seconds))
    await call.send_audio(robot)
    return await heard


@pytest.mark.parametrize("host", ["127.0.0.1", pytest.param("::1", marks=needs_ipv6)])
def test_baresip_answers_audio_flows_both_ways_and_it_hangs_up(
    host: str, tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_then_bye"], host=host)
    peers.append(phone)
    robot = wav_pcm(speech["robot"])

    async def go() -> tuple[SipCall, np.ndarray]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)], local_host=host)
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            heard = await _speak_and_listen(call, robot, 20.0)
            await call.hangup()  # after the far end's BYE: only releases media
            return call, heard
        finally:
            await carrier.close()

    call, heard = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.remote_hung_up
    assert call.hangup_cause == "remote_bye"
    assert phone.wait_for("terminated")
    # Our side heard baresip's speech: most of the voiced time of the file it played.
    sent_by_phone = voiced_seconds(wav_pcm(speech["debtor_then_bye"]))
    assert sent_by_phone > 1.5
    assert voiced_seconds(heard) >= 0.8 * sent_by_phone
    # baresip recorded the robot's speech (its sndfile dump of what it decoded).
    assert voiced_seconds(phone.heard()) >= 0.8 * voiced_seconds(robot)
    assert call.rtp.stats.latched is not None
    assert call.rtp.stats.latched[0] == host
    assert call.dropped["rtp_dropped_address"] == 0
    assert call.dropped["rtp_dropped_ssrc"] == 0


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_through_kamailio_with_digest_on_invite_ack_and_bye(
    transport: str, tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    e164 = "+86" + NUMBER  # the trunk wants E.164: baresip's account is the number as dialled
    phone = Baresip(tmp_path / "phone", e164, speech["debtor_long"])
    peers.append(phone)
    proxy = Kamailio(tmp_path / "proxy", phone.port, USER, PASSWORD, CALLER)
    peers.append(proxy)
    robot = wav_pcm(speech["robot"])
    # Over TCP Kamailio relays to the phone over UDP and Record-Routes twice (one per transport).
    trunk = Trunk.parse(proxy.tcp_trunk if transport == "tcp" else proxy.trunk).with_settings(
        from_domain="carrier.example.cn",
        asserted_identity=f"sip:{CALLER}@carrier.example.cn",
        number_format=NumberFormat.parse("e164:CN"),
    )

    async def go() -> tuple[SipCall, np.ndarray]:
        carrier = SipCarrier([trunk], credentials=Credentials(USER, PASSWORD))
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            heard = await _speak_and_listen(call, robot, 4.0)
            await call.hangup()
            return call, heard
        finally:
            await carrier.close()

    call, heard = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    log = proxy.output()
    assert f"challenge INVITE {call.call_id}" in log  # 407 first, then our digest was accepted
    assert f"relay INVITE {call.call_id} PAI=<sip:{CALLER}@carrier.example.cn>" in log
    ruri = f"sip:{e164}@127.0.0.1:{proxy.port}" + (";transport=tcp" if transport == "tcp" else "")
    assert f"from=sip:{CALLER}@carrier.example.cn ruri={ruri}" in log
    assert f"ACK with credentials {call.call_id}" in log  # RFC 3261 §22.1
    assert f"challenge BYE {call.call_id}" in log
    assert f"authenticated BYE {call.call_id}" in log
    assert len(call.route_set) == (
        2 if transport == "tcp" else 1
    )  # double Record-Route on a transport change
    assert str(proxy.port) in call.route_set[0]
    assert call.hangup_cause == "local_bye"
    assert not call.remote_hung_up
    assert phone.wait_for("terminated")  # our BYE reached the phone through the proxy
    assert voiced_seconds(heard) > 1.0  # baresip's speech came back through the call
    assert voiced_seconds(phone.heard()) >= 0.8 * voiced_seconds(robot)


def test_wrong_password_is_refused_by_the_proxy_and_the_phone_never_rings(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_long"])
    peers.append(phone)
    proxy = Kamailio(tmp_path / "proxy", phone.port, USER, PASSWORD, CALLER)
    peers.append(proxy)

    async def go() -> SipCall:
        carrier = SipCarrier([Trunk.parse(proxy.trunk)], credentials=Credentials(USER, "wrong"))
        await carrier.start()
        try:
            return await carrier.dial(NUMBER, CALLER, ring_timeout=10)
        finally:
            await carrier.close()

    call = asyncio.run(go())
    assert call.result.outcome != CallOutcome.ANSWERED
    assert call.result.sip_status == 407  # challenged twice: one try with credentials, no loop
    assert proxy.output().count(f"challenge INVITE {call.call_id}") == 2
    assert "Call established" not in phone.output()
    assert "Incoming call" not in phone.output()


def _bye(call_id: str, from_tag: str, to_tag: str, branch: str, method: str = "BYE") -> bytes:
    return (
        f"{method} sip:huikuan@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{branch}\r\n"
        f"From: <sip:{NUMBER}@127.0.0.1>;tag={from_tag}\r\n"
        f"To: <sip:{CALLER}@127.0.0.1>;tag={to_tag}\r\n"
        f"Call-ID: {call_id}\r\nCSeq: 77 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _ask(sock: socket.socket, data: bytes, addr: tuple[str, int]) -> int:
    sock.sendto(data, addr)
    return parse(sock.recv(65535)).status


def test_spoofed_bye_and_reinvite_get_481_and_the_call_stays_up(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_long"])
    peers.append(phone)

    async def go() -> tuple[SipCall, list[int], np.ndarray, int]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)])
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            call_id, ours, theirs = call.dialog
            ua = ("127.0.0.1", carrier.ua.port)
            spoofs = [
                _bye(call_id, theirs, "wrongtag", "s1"),  # right Call-ID, our tag guessed wrong
                _bye(call_id, "wrongtag", ours, "s2"),  # far end's tag wrong
                _bye(call_id, "", ours, "s3"),  # no From tag
                _bye("unknown@nowhere", theirs, ours, "s4"),  # no such dialog
                _bye(call_id, theirs, "wrongtag", "s5", method="INVITE"),  # re-INVITE hijack
            ]
            statuses = []
            for family_host, data in [("127.0.0.1", d) for d in spoofs] + [
                ("127.0.0.2", _bye(call_id, theirs, ours, "s6"))
            ]:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((family_host, 0))  # 127.0.0.2: right tags, but not a host on the dialog's path
                    s.settimeout(5)
                    statuses.append(await asyncio.to_thread(_ask, s, data, ua))
            still_up = not call.ended
            heard = await _listen(call, 1.5)  # media still flows from the phone
            await call.hangup()
            return call, [*statuses, int(still_up)], heard, carrier.ua.dialog_rejects
        finally:
            await carrier.close()

    call, statuses, heard, rejects = asyncio.run(go())
    assert statuses == [481, 481, 481, 481, 481, 481, 1]
    assert rejects == 5  # the unknown Call-ID is answered 481 by the UA without a dialog
    assert call.dropped["sip_refused_in_dialog"] == 5
    assert voiced_seconds(heard) > 0.3
    assert call.hangup_cause == "local_bye"  # the call ended only by our own BYE
    assert phone.wait_for("terminated")


def _rtp(seq: int, pt: int, ssrc: int, payload: bytes) -> bytes:
    return (
        bytes([0x80, pt])
        + seq.to_bytes(2, "big")
        + (seq * 160).to_bytes(4, "big")
        + ssrc.to_bytes(4, "big")
        + payload
    )


def test_forged_rtp_dtmf_and_a_fuzz_storm_are_dropped_and_the_call_survives(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_long"])
    peers.append(phone)
    rng = np.random.default_rng(14)

    async def go() -> tuple[SipCall, dict[str, int], int, np.ndarray]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)])
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            await _listen(call, 0.5)  # the phone's stream is latched by now
            call_id, ours, theirs = call.dialog
            rtp = ("127.0.0.1", call.rtp.local_port)
            sip = ("127.0.0.1", carrier.ua.port)
            dtmf_5 = bytes([5, 0x80 | 10, 0, 160])
            valid = _bye(call_id, theirs, ours, "fz")
            with (
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other,
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger,
            ):
                other.bind(("127.0.0.1", 0))  # the phone's host, another port: not the latched source
                stranger.bind(("127.0.0.2", 0))
                for i in range(20):
                    other.sendto(_rtp(100 + i, 101, 0xBAD, dtmf_5), rtp)  # forged DTMF '5'
                    stranger.sendto(_rtp(200 + i, 0, 0xBAD, b"\xff" * 160), rtp)  # forged audio
                for i in range(300):  # garbage and mutated messages at both ports
                    junk = rng.integers(0, 256, int(rng.integers(0, 1500)), dtype=np.uint8).tobytes()
                    mutated = bytearray(valid)
                    for _ in range(int(rng.integers(1, 8))):
                        mutated[int(rng.integers(0, len(mutated)))] = int(rng.integers(0, 256))
                    cut = valid[: int(rng.integers(0, len(valid)))]
                    for data in (junk, bytes(mutated), cut):
                        other.sendto(data, sip if i % 2 else rtp)
                    other.sendto(junk[:12] + bytes([0x80]) * 4, rtp)  # RTP-looking headers
            heard = await _listen(call, 1.5)
            up = int(not call.ended)
            await call.hangup()
            return call, call.dropped, up, heard
        finally:
            await carrier.close()

    call, dropped, up, heard = asyncio.run(go())
    assert up == 1
    assert call.hangup_cause == "local_bye"
    assert call.dtmf_received == ""  # the forged '5' never reached the dialogue
    assert dropped["rtp_dropped_address"] >= 40
    assert voiced_seconds(heard) > 0.3  # the phone's audio still plays after the storm
    assert phone.wait_for("terminated")


def test_huikuan_call_authenticates_through_kamailio_from_a_credentials_file(
    db: TestDatabase, tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_long"])
    peers.append(phone)
    proxy = Kamailio(tmp_path / "proxy", phone.port, USER, PASSWORD, CALLER)
    peers.append(proxy)
    cred = tmp_path / "trunk.cred"
    cred.write_text(f"{USER}:{PASSWORD}\n")
    cred.chmod(0o600)
    cmd = [sys.executable, "-c", "from huikuan.cli.main import main; main()", "call", NUMBER]
    cmd += [
        "--trunk",
        proxy.trunk,
        "--caller-id",
        CALLER,
        "--credentials-file",
        str(cred),
        "--rtp-ports",
        "20000-29999",
    ]
    env = {**caller_env(db, NUMBER), "HUIKUAN_LOG_LEVEL": "DEBUG"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=90, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "answered (SIP 200)" in done.stdout
    assert "ended: local_bye" in done.stdout
    assert PASSWORD not in output
    assert NUMBER not in output
    assert "authenticated BYE" in proxy.output()
    assert phone.wait_for("terminated"), done.stdout + proxy.output()[-3000:]
    heard = phone.heard()  # the test line in the real Mandarin voice, not silence
    assert len(heard) > 8000 * 2
    assert int(np.abs(heard.astype(np.int32)).max()) > 2000


def test_bound_to_every_interface_we_advertise_the_public_address(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    """`--local 0.0.0.0 --public-address A`: sockets on every interface, Via/Contact/From/SDP say A."""
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_then_bye"])
    peers.append(phone)
    robot = wav_pcm(speech["robot"])

    async def go() -> tuple[SipCall, np.ndarray, str]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)], local_host="0.0.0.0", public_address="127.0.0.1")  # noqa: S104
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            heard = await _speak_and_listen(call, robot, 20.0)
            await call.hangup()
            return call, heard, carrier.ua.contact() + carrier.ua.via("z9hG4bKx")
        finally:
            await carrier.close()

    call, heard, advertised = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert "0.0.0.0" not in advertised  # noqa: S104
    assert "127.0.0.1" in advertised
    assert f"sip:{CALLER}@127.0.0.1" in phone.output()  # the From baresip saw
    assert voiced_seconds(heard) >= 0.8 * voiced_seconds(wav_pcm(speech["debtor_then_bye"]))
    assert phone.wait_for("terminated")
    assert voiced_seconds(phone.heard()) >= 0.8 * voiced_seconds(robot)


AGENT_LINE = "Hello, this is Wang from the collections desk. How can I help you today?"


def test_blind_transfer_by_refer_connects_the_debtor_to_an_agent_phone(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    """The robot REFERs the debtor's phone to a baresip "agent phone": the debtor's phone calls
    the agent, the agent answers, each records the other's speech, and the robot's leg ends."""
    agent_speech = _render(tmp_path, "agent", AGENT_LINE, 30.0)
    agent = Baresip(tmp_path / "agent", "agent", agent_speech)
    peers.append(agent)
    # The debtor's phone plays its line on each call and hangs up when it ends: on the agent's
    # call too, so the agent hears the whole line and the call ends by itself.
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_then_bye"])
    peers.append(phone)

    async def go() -> tuple[SipCall, bool]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)])
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            await _listen(call, 0.5)
            done = await call.transfer(f"sip:agent@127.0.0.1:{agent.port}", timeout=15)
            return call, done
        finally:
            await carrier.close()

    call, done = asyncio.run(go())
    assert done
    assert call.hangup_cause == "transferred"
    assert agent.wait_for("Call established")
    assert agent.wait_for("terminated", timeout=30)  # the debtor hung up at the end of their line
    # Debtor ↔ agent audio, without the robot (who sent only silence on its leg).
    assert voiced_seconds(agent.heard()) >= 0.8 * voiced_seconds(wav_pcm(speech["debtor_then_bye"]))
    # The robot sent only silence on its leg, so speech in the phone's recording is the agent's
    # (baresip names dumps by the second: both legs may share one file, the later leg's).
    assert voiced_seconds(phone.heard()) > 1.0


def test_a_transfer_the_agent_phone_refuses_keeps_the_robot_on_the_call(
    tmp_path: Path, speech: dict[str, Path], peers: list[Baresip | Kamailio]
) -> None:
    agent = Baresip(tmp_path / "agent", "agent", speech["debtor_long"])
    peers.append(agent)
    phone = Baresip(tmp_path / "phone", NUMBER, speech["debtor_long"])
    peers.append(phone)

    async def go() -> tuple[SipCall, bool, bool]:
        carrier = SipCarrier([Trunk.parse(phone.trunk)])
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            done = await call.transfer(f"sip:nobody@127.0.0.1:{agent.port}", timeout=15)  # 404 there
            still_up = not call.ended
            await call.hangup()
            return call, done, still_up
        finally:
            await carrier.close()

    call, done, still_up = asyncio.run(go())
    assert not done
    assert still_up
    assert call.hangup_cause == "local_bye"
    assert "UA not found: nobody" in agent.output()
