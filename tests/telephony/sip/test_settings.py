"""Operator settings (credentials, RTP ports, number format) and the RTP stream's own checks."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huikuan.errors import InvalidInput
from huikuan.telephony.rtp import SSRC_SWITCH_PACKETS, PortRange, RtpPacer, RtpPortsExhausted, RtpSession
from huikuan.telephony.sip import (
    Trunk,
    apply_trunk_settings,
    load_credentials,
    public_address,
    rtp_port_range,
)
from huikuan.telephony.sip.numbers import NumberFormat
from tests.conftest import TestDatabase
from tests.telephony.sip.test_trunks import closed_port


def _secret_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "trunk.cred"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_credentials_come_from_an_owner_only_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUIKUAN_SIP_PASSWORD", raising=False)
    creds = load_credentials("", str(_secret_file(tmp_path, "robot:pa:ss\n")))
    assert creds is not None
    assert (creds.username, creds.password) == ("robot", "pa:ss")
    with pytest.raises(InvalidInput, match="chmod 600") as wide:
        load_credentials("", str(_secret_file(tmp_path, "robot:hunter2\n", 0o644)))
    assert "hunter2" not in str(wide.value)
    with pytest.raises(InvalidInput, match="user:password") as bad:
        load_credentials("", str(_secret_file(tmp_path, "hunter2\n")))
    assert "hunter2" not in str(bad.value)
    with pytest.raises(InvalidInput, match="cannot read"):
        load_credentials("", str(tmp_path / "missing"))
    with pytest.raises(InvalidInput, match="HUIKUAN_SIP_PASSWORD"):
        load_credentials("robot", "")
    monkeypatch.setenv("HUIKUAN_SIP_PASSWORD", "from-env")
    assert load_credentials("robot", "") is not None
    assert load_credentials("", "") is None


def test_number_format_and_trunk_settings() -> None:
    e164, national = NumberFormat.parse("e164"), NumberFormat.parse("national:CN")
    assert e164.format("13800000000") == "+8613800000000"
    assert e164.format("01012345678") == "+861012345678"
    assert national.format("+8613800000000") == "13800000000"
    assert national.format("+861012345678") == "01012345678"  # the trunk prefix comes back
    assert national.format("not a number") == "not a number"  # the carrier's 404 will say so
    (trunk,) = apply_trunk_settings(
        [Trunk.parse("sip:10086@10.0.0.5;user=phone")], "carrier.cn", "sip:400@carrier.cn", "e164"
    )
    assert trunk.request_uri("13800000000") == "sip:+8613800000000@10.0.0.5:5060;user=phone"
    assert trunk.from_domain == "carrier.cn"
    assert not trunk.refer  # by default a transfer is bridged in Huikuan
    (referring,) = apply_trunk_settings([trunk], "", "", "", refer=True)
    assert referring.refer
    assert referring.from_domain == "carrier.cn"
    for bad in ("e.164", "national:XX"):
        with pytest.raises(InvalidInput):
            apply_trunk_settings([trunk], "", "", bad)
    with pytest.raises(InvalidInput, match="sip: or tel:"):
        apply_trunk_settings([trunk], "", "4001234567", "")


def test_rtp_uses_an_even_port_from_the_range_with_rtcp_on_the_next() -> None:
    for bad in ("20000", "30000-20000", "80-90", "a-b"):
        with pytest.raises(InvalidInput):
            rtp_port_range(bad)

    async def go() -> tuple[int, int, int]:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1] & ~1
        ports = PortRange(base, base + 9)
        session = RtpSession(RtpPacer())
        port = await session.open("127.0.0.1", ports)
        session.start("127.0.0.1", closed_port(), 0, None)  # RTCP is heard from the far end's host only
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as far:
            far.sendto(b"\x80\xc8\x00\x06" + bytes(24), ("127.0.0.1", port + 1))  # an RTCP SR
            await asyncio.wait_for(_until(lambda: session.stats.rtcp_received > 0), 5)
        # Every even port of a full range taken: a clear error, not a random port.
        taken = PortRange(port, port + 1)
        with pytest.raises(RtpPortsExhausted, match=f"{port}-{port + 1}"):
            await RtpSession(RtpPacer()).open("127.0.0.1", taken)
        session.close()
        return port, base, session.stats.rtcp_received

    port, base, rtcp = asyncio.run(go())
    assert port % 2 == 0
    assert base <= port <= base + 8
    assert rtcp == 1


async def _until(done: Callable[[], bool]) -> None:
    """Yield to the loop until `done()`: the datagram is delivered (a poll, not a timing sleep)."""
    while not done():
        await asyncio.sleep(0.005)


def _packet(seq: int, pt: int, ssrc: int) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq, seq * 160, ssrc) + b"\x00" * 160


def test_rtp_keeps_one_source_one_ssrc_and_the_answered_payload_types() -> None:
    async def go() -> RtpSession:
        session = RtpSession(RtpPacer())
        session.start("127.0.0.1", 4000, 0, 101, (0, 101))
        far, other = ("127.0.0.1", 4000), ("127.0.0.1", 4002)
        session.datagram_received(_packet(1, 18, 7), far)  # G.729 was never negotiated
        session.datagram_received(_packet(2, 0, 7), far)  # latches source and SSRC 7
        session.datagram_received(_packet(3, 0, 8), far)  # another SSRC
        session.datagram_received(_packet(4, 0, 7), other)  # same host, another port, after the latch
        session.datagram_received(_packet(5, 0, 7), ("10.9.9.9", 4000))
        session.datagram_received(struct.pack("!BBHII", 0x80, 101, 6, 0, 7) + bytes([5, 0x8A, 0, 160]), other)
        session.datagram_received(b"\x80", far)  # malformed
        session.datagram_received(struct.pack("!BBHII", 0x9F, 0, 7, 0, 7), far)  # 15 CSRCs, no room
        session.datagram_received(_packet(8, 0, 7), far)
        session.close()
        return session

    session = asyncio.run(go())
    stats = session.stats
    assert stats.received == 2  # seq 2 and 8
    assert stats.dropped_payload == 1
    assert stats.dropped_ssrc == 1
    assert stats.dropped_address == 3
    assert stats.malformed == 2
    assert session.dtmf_received == ""


def test_huikuan_call_reads_the_password_from_the_environment_not_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    from huikuan.cli.call import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    monkeypatch.delenv("HUIKUAN_SIP_PASSWORD", raising=False)
    result = CliRunner().invoke(app, ["call", "13800000000", "--trunk", "sip:127.0.0.1:9", "--user", "robot"])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInput)
    assert "HUIKUAN_SIP_PASSWORD" in str(result.exception)
    result = CliRunner().invoke(app, ["call", "1", "--trunk", "sip:127.0.0.1:9", "--password", "x"])
    assert result.exit_code == 2  # no such option: a password is never an argument
    assert os.environ.get("HUIKUAN_SIP_PASSWORD") is None


def test_worker_refuses_a_credentials_file_others_can_read_in_one_line(
    db: TestDatabase, tmp_path: Path
) -> None:
    cred = _secret_file(tmp_path, "robot:hunter2\n", 0o644)
    cmd = [sys.executable, "-m", "huikuan", "worker", "--carrier", "sip", "--trunk", "sip:127.0.0.1:5060"]
    done = subprocess.run(
        [*cmd, "--credentials-file", str(cred)],
        capture_output=True,
        text=True,
        env=db.env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "chmod 600" in lines[0]
    assert "hunter2" not in done.stderr + done.stdout


def test_public_address_is_an_ip_of_the_local_family() -> None:
    assert public_address("203.0.113.7", "0.0.0.0") == "203.0.113.7"  # noqa: S104
    assert public_address("", "127.0.0.1") is None
    with pytest.raises(InvalidInput, match="same IP family"):
        public_address("2001:db8::1", "0.0.0.0")  # noqa: S104
    with pytest.raises(InvalidInput, match="IP addresses"):
        public_address("sbc.example.cn", "0.0.0.0")  # noqa: S104


def test_a_far_end_restarting_its_stream_with_a_new_ssrc_is_followed_not_a_lone_forgery() -> None:
    async def go() -> tuple[RtpSession, int]:
        session = RtpSession(RtpPacer())
        session.start("127.0.0.1", 4000, 0, None)
        far = ("127.0.0.1", 4000)
        for seq in range(100, 110):
            session.datagram_received(_packet(seq, 0, 7), far)
        session.datagram_received(_packet(60000, 0, 99), far)  # one forged packet: dropped
        for seq in range(110, 115):
            session.datagram_received(_packet(seq, 0, 7), far)
        for seq in range(5000, 5000 + SSRC_SWITCH_PACKETS + 5):  # the far end restarts its stream
            session.datagram_received(_packet(seq, 0, 8), far)
        frames = 0
        while await session.receive(0.05) is not None:
            frames += 1
        session.close()
        return session, frames

    session, frames = asyncio.run(go())
    stats = session.stats
    assert stats.dropped_ssrc == 1 + SSRC_SWITCH_PACKETS - 1
    assert stats.ssrc_switches == 1
    assert stats.received == 15 + 6  # the old stream, then the new one from its 10th packet on
    assert stats.lost == 0  # no 60,000-packet "loss" from the forged or the new sequence numbers
    assert frames >= 6
