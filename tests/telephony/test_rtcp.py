"""RTCP packet formats (RFC 3550 §6) and the statistics of a reception report (A.3, A.8)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from huikuan.telephony import rtcp
from huikuan.telephony.rtp import RtpPacer, RtpSession


def test_a_compound_sr_sdes_bye_round_trips() -> None:
    block = rtcp.ReportBlock(0xCAFEBABE, 51, -3, 0x1_0005, 37, 0x12345678, 65536 * 2)
    info = rtcp.SenderInfo(rtcp.ntp_now(1_700_000_000.25), 0xFFFF_FF00, 250, 40_000)
    packet = (
        rtcp.sender_report(0x11223344, info, (block,))
        + rtcp.sdes_cname(0x11223344, "abc@huikuan")
        + rtcp.bye(0x11223344)
    )
    assert len(packet) % 4 == 0
    assert packet[0] == 0x81
    assert packet[1] == rtcp.SR
    assert struct.unpack_from("!H", packet, 2)[0] == (8 + 20 + 24) // 4 - 1  # the SR's words − 1
    parsed = rtcp.parse(packet)
    (report,) = parsed.reports
    assert report.kind == rtcp.SR
    assert report.ssrc == 0x11223344
    assert report.sender == info
    assert report.blocks == (block,)  # the negative cumulative loss survives its 24 bits
    assert parsed.cnames == {0x11223344: "abc@huikuan"}
    assert parsed.bye == [0x11223344]
    assert rtcp.is_rtcp(packet)


def test_a_receiver_report_and_sdes_of_every_length_parse() -> None:
    for n in range(1, 12):  # CNAMEs of every padding remainder
        cname = "x" * n
        packet = rtcp.receiver_report(7) + rtcp.sdes_cname(7, cname)
        parsed = rtcp.parse(packet)
        assert parsed.reports[0].kind == rtcp.RR
        assert parsed.reports[0].blocks == ()
        assert parsed.cnames == {7: cname}


def test_the_sr_header_counts_its_length_in_words_minus_one() -> None:
    info = rtcp.SenderInfo(1, 2, 3, 4)
    packet = rtcp.sender_report(1, info)
    assert len(packet) == 28
    assert struct.unpack_from("!H", packet, 2)[0] == 28 // 4 - 1


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x80\xc8\x00\x06" + b"\x00" * 20,  # length says 28 bytes, 24 given
        b"\x80\x00\x00\x01\x00\x00\x00\x07",  # packet type 0 is RTP's, not RTCP's
        b"\xa0\xc9\x00\x01\x00\x00\x00\x00",  # padding of zero bytes
        b"\x40\xc9\x00\x01\x00\x00\x00\x07",  # version 1
        b"\x80\xc9\x00\x01\x00\x00\x00",  # not a multiple of 4
        b"\x81\xc9\x00\x01\x00\x00\x00\x07",  # RR claims a block it does not have
    ],
)
def test_invalid_rtcp_is_refused(garbage: bytes) -> None:
    with pytest.raises(rtcp.RtcpError):
        rtcp.parse(garbage)


def test_a_lone_app_packet_is_reduced_size_rtcp_not_an_error() -> None:
    pingpong = bytes.fromhex("80cc0003f5b7688150494e47504f4e47")  # what baresip sends first
    parsed = rtcp.parse(pingpong)
    assert (parsed.reports, parsed.cnames, parsed.bye) == ([], {}, [])


def test_rtp_is_not_mistaken_for_rtcp_on_a_multiplexed_port() -> None:
    rtp_pcmu = struct.pack("!BBHII", 0x80, 0x80 | 0, 1, 160, 9) + b"\xff" * 160
    rtp_event = struct.pack("!BBHII", 0x80, 101, 1, 160, 9) + b"\x00" * 4
    assert not rtcp.is_rtcp(rtp_pcmu)
    assert not rtcp.is_rtcp(rtp_event)
    assert rtcp.is_rtcp(rtcp.receiver_report(1))


def test_interarrival_jitter_follows_rfc3550_a8() -> None:
    reception = rtcp.Reception()
    # 20 ms packets (160 timestamp units); the third arrives 5 ms (40 units) late.
    for seq, (ts, arrival) in enumerate([(0, 0.0), (160, 0.020), (320, 0.045), (480, 0.060)]):
        reception.packet(seq, ts, arrival)
    # transit: 0, 0, 40, 0 → |D|: 0, 40, 40 → J = 0, 2.5, 2.5 + (40 − 2.5)/16
    assert reception.jitter == pytest.approx(2.5 + 37.5 / 16)
    assert rtcp.Reception().jitter == 0.0
    wrapped = rtcp.Reception()  # the same arrivals across the 32-bit timestamp wrap
    for seq, (ts, arrival) in enumerate([(-320, 0.0), (-160, 0.020), (0, 0.045), (160, 0.060)]):
        wrapped.packet(seq, ts & 0xFFFF_FFFF, arrival)
    assert wrapped.jitter == pytest.approx(reception.jitter)


def test_a_steady_stream_has_no_jitter_and_a_random_one_converges_on_its_mean_deviation() -> None:
    steady = rtcp.Reception()
    for seq in range(100):
        steady.packet(seq, 1000 + 160 * seq, 3.0 + 0.02 * seq)
    assert steady.jitter == 0.0
    # Arrival offsets alternating ±2 ms: |D| is always 4 ms = 32 units, J tends to 32.
    alternating = rtcp.Reception()
    for seq in range(400):
        alternating.packet(seq, 160 * seq, 0.02 * seq + (0.002 if seq % 2 else -0.002))
    assert alternating.jitter == pytest.approx(32, abs=0.5)


def test_fraction_and_cumulative_loss_per_interval() -> None:
    reception = rtcp.Reception()
    for seq in [65530, 65531, 65532, 65535, 65536 + 1, 65536 + 2, 65536 + 3, 65536 + 4, 65536 + 5]:
        reception.packet(seq, 160 * seq, 0.02 * seq)
    first = reception.block(42, now=1.0)
    # 65530..65541 expected (12), 9 received: 3 lost; 3/12 of 256 = 64.
    assert (first.ssrc, first.cumulative_lost, first.fraction_lost) == (42, 3, 64)
    assert first.highest_seq == 65536 + 5  # extended: one wrap of the 16-bit sequence
    for seq in range(65536 + 6, 65536 + 16):
        reception.packet(seq, 160 * seq, 0.02 * seq)
    second = reception.block(42, now=2.0)
    assert (second.cumulative_lost, second.fraction_lost) == (3, 0)  # nothing lost since


def test_lsr_dlsr_and_round_trip() -> None:
    reception = rtcp.Reception()
    reception.packet(1, 160, 0.0)
    sr_ntp = rtcp.ntp_now(1_700_000_000.0)
    reception.sender_report(sr_ntp, arrival=10.0)
    block = reception.block(5, now=10.75)
    assert block.lsr == rtcp.middle32(sr_ntp)
    assert block.dlsr == int(0.75 * 65536)
    # The SR's sender gets the block back 0.95 s after sending the SR: 0.2 s on the wire both ways.
    assert block.round_trip(rtcp.ntp_now(1_700_000_000.95)) == pytest.approx(0.2, abs=1e-4)
    assert rtcp.ReportBlock(5, 0, 0, 0, 0, 0, 0).round_trip(sr_ntp) is None  # no SR seen yet


def test_report_intervals_are_randomised_between_half_and_one_and_a_half() -> None:
    waits = [rtcp.interval() for _ in range(2000)]
    assert min(waits) >= 0.5 * rtcp.REPORT_INTERVAL
    assert max(waits) <= 1.5 * rtcp.REPORT_INTERVAL
    assert max(waits) - min(waits) > 0.8 * rtcp.REPORT_INTERVAL  # spread, not a constant


# --- an RtpSession's RTCP, against a far end we control on loopback -------------------------


class _Far(asyncio.DatagramProtocol):
    """One UDP port of the far end: what arrives, and from where, on a queue."""

    def __init__(self) -> None:
        self.got: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.got.put_nowait((data, addr))

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def send(self, data: bytes, to: tuple[str, int]) -> None:
        assert self.transport is not None
        self.transport.sendto(data, to)

    async def next_rtcp(self, wanted: Callable[[rtcp.Compound], bool], timeout: float = 5.0) -> rtcp.Compound:
        """The first RTCP compound packet that satisfies `wanted` (RTP on a muxed port skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                data, _ = await self.got.get()
                if rtcp.is_rtcp(data):
                    compound = rtcp.parse(data)
                    RECEIVED.append(data)
                    if wanted(compound):
                        return compound


RECEIVED: list[bytes] = []  # every RTCP packet a far end got, for the tshark check


async def _far(host: str = "127.0.0.1") -> _Far:
    loop = asyncio.get_running_loop()
    _, far = await loop.create_datagram_endpoint(_Far, local_addr=(host, 0))
    return far


def _rtp(seq: int, ssrc: int, pt: int = 0) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, seq * 160, ssrc) + b"\xff" * 160


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Until the loop has handled what was sent to it (a readiness poll, not a timing sleep)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


FAR_SSRC = 0x0BADCAFE


@pytest.fixture
def fast_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rtcp, "REPORT_INTERVAL", 0.2)  # five-second reports make slow tests


@pytest.mark.usefixtures("fast_reports")
def test_the_session_reports_to_the_far_ends_rtcp_port_and_learns_its_view() -> None:
    async def go() -> None:
        session = RtpSession(RtpPacer())
        await session.open("127.0.0.1")
        rtp_far, rtcp_far = await _far(), await _far()
        # The far end's RTCP is not on RTP + 1: its a=rtcp (RFC 3605) says where.
        session.start("127.0.0.1", rtp_far.port, 0, 101, rtcp_to=("127.0.0.1", rtcp_far.port))
        for seq in [s for s in range(1000, 1050) if s not in (1010, 1011, 1012, 1020, 1030)]:
            rtp_far.send(_rtp(seq, FAR_SSRC), ("127.0.0.1", session.local_port))
        await _until(lambda: session.stats.received == 45)

        compound = await rtcp_far.next_rtcp(lambda c: bool(c.reports and c.reports[0].blocks))
        (report,) = compound.reports
        assert report.kind == rtcp.SR
        assert report.sender is not None
        assert report.sender.packets > 0
        assert report.sender.octets == 160 * report.sender.packets  # every packet so far is silence
        (block,) = report.blocks
        assert block.ssrc == FAR_SSRC
        assert (block.cumulative_lost, block.highest_seq) == (5, 1049)
        assert block.fraction_lost == 5 * 256 // 50
        assert block.jitter > 0  # 45 packets at once for 0.9 s of timestamps: very jittery
        assert list(compound.cnames) == [report.ssrc]
        assert compound.cnames[report.ssrc].endswith("@huikuan")

        # The far end's receiver report about our stream: its loss, jitter, and our SR back.
        ours = rtcp.ReportBlock(report.ssrc, 64, 7, 123, 80, rtcp.middle32(report.sender.ntp), 0)
        rtcp_far.send(rtcp.receiver_report(FAR_SSRC, (ours,)), ("127.0.0.1", session.local_port + 1))
        await _until(lambda: session.stats.rtt_ms is not None)
        stats = session.stats
        assert (stats.remote_fraction_lost, stats.remote_lost, stats.remote_jitter_ms) == (0.25, 7, 10.0)
        assert stats.rtt_ms is not None
        assert 0 <= stats.rtt_ms < 5000
        assert stats.quality()["far_lost"] == 7

        # The same report from another host is not the far end's: dropped, nothing changes.
        stranger = await _far("127.0.0.2")
        forged = rtcp.ReportBlock(report.ssrc, 255, 9999, 0, 0, 0, 0)
        stranger.send(rtcp.receiver_report(FAR_SSRC, (forged,)), ("127.0.0.1", session.local_port + 1))
        await _until(lambda: session.stats.rtcp_dropped == 1)
        assert session.stats.remote_lost == 7

        # The far end leaving: an RR with its BYE.
        rtcp_far.send(
            rtcp.receiver_report(FAR_SSRC) + rtcp.bye(FAR_SSRC), ("127.0.0.1", session.local_port + 1)
        )
        await _until(lambda: session.stats.remote_bye)

        session.close()  # a last report with a BYE
        last = await rtcp_far.next_rtcp(lambda c: bool(c.bye))
        assert last.bye == [report.ssrc]
        await session.wait_closed()
        for far in (rtp_far, rtcp_far, stranger):
            assert far.transport is not None
            far.transport.close()

    asyncio.run(go())


@pytest.mark.usefixtures("fast_reports")
def test_with_rtcp_mux_reports_share_the_rtp_port_both_ways() -> None:
    async def go() -> None:
        session = RtpSession(RtpPacer())
        await session.open("127.0.0.1")
        far = await _far()
        session.start("127.0.0.1", far.port, 0, 101, rtcp_to=("127.0.0.1", far.port), rtcp_mux=True)
        for seq in range(1, 11):
            far.send(_rtp(seq, FAR_SSRC), ("127.0.0.1", session.local_port))
        compound = await far.next_rtcp(lambda c: bool(c.reports[0].blocks))
        assert compound.reports[0].blocks[0].ssrc == FAR_SSRC
        ours = rtcp.ReportBlock(compound.reports[0].ssrc, 0, 0, 0, 16, 0, 0)
        far.send(rtcp.receiver_report(FAR_SSRC, (ours,)), ("127.0.0.1", session.local_port))
        await _until(lambda: session.stats.remote_jitter_ms is not None)
        assert session.stats.remote_jitter_ms == 2.0
        assert session.stats.received == 10  # RTCP on the RTP port is not taken for audio
        assert session.stats.malformed == session.stats.dropped_payload == 0
        session.close()
        await session.wait_closed()
        assert far.transport is not None
        far.transport.close()

    asyncio.run(go())


def test_wireshark_dissects_what_the_far_ends_received_as_valid_rtcp(tmp_path: Path) -> None:
    """An independent reading of our packets: tshark's RTCP dissector on a capture of them."""
    tshark = shutil.which("tshark")
    assert tshark is not None, "tshark (Debian package tshark) is needed for this check"
    packets = RECEIVED or [
        rtcp.sender_report(
            1, rtcp.SenderInfo(rtcp.ntp_now(), 2, 3, 480), (rtcp.ReportBlock(9, 25, 5, 1049, 7, 0, 0),)
        )
        + rtcp.sdes_cname(1, "0123456789abcdef@huikuan")
        + rtcp.bye(1)
    ]
    capture = tmp_path / "rtcp.pcap"
    capture.write_bytes(_pcap(packets, port=5005))
    fields = subprocess.run(
        [
            tshark,
            "-n",
            "-r",
            str(capture),
            "-d",
            "udp.port==5005,rtcp",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "rtcp.pt",
            "-e",
            "rtcp.sdes.text",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(fields) == len(packets)
    for line in fields:
        pts, cname, malformed, severity = line.split("|")
        assert pts.split(",")[:2] == ["200", "202"]  # SR then SDES
        assert cname.endswith("@huikuan")
        assert not malformed
        assert not severity


def _pcap(payloads: list[bytes], port: int) -> bytes:
    """A classic pcap of UDP/IPv4 datagrams 127.0.0.1:port → 127.0.0.1:port (raw IP link type)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)
    for i, payload in enumerate(payloads):
        udp = struct.pack("!HHHH", port, port, 8 + len(payload), 0) + payload
        ip = struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(udp),
            i,
            0,
            64,
            17,
            0,
            socket.inet_aton("127.0.0.1"),
            socket.inet_aton("127.0.0.1"),
        )
        checksum = sum(struct.unpack("!10H", ip))
        checksum = (checksum & 0xFFFF) + (checksum >> 16)
        ip = ip[:10] + struct.pack("!H", ~checksum & 0xFFFF) + ip[12:]
        frame = ip + udp
        out += struct.pack("<IIII", 1_700_000_000 + i, 0, len(frame), len(frame)) + frame
    return out
