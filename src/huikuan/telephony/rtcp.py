"""RTCP packets (RFC 3550 §6): the Sender Report we send, the reports we read, and the statistics
behind a reception report block (loss per RFC 3550 A.3, interarrival jitter per A.8).

Pure functions and small state objects, no sockets: `rtp.RtpSession` feeds arrivals to a
`Reception`, builds a compound packet (SR + SDES CNAME, or SR + SDES + BYE at the end) every
`interval()` seconds on the event loop, and hands what arrives on its RTCP port to `parse`.
"""

from __future__ import annotations

import random
import struct
import time
from dataclasses import dataclass, field

SR, RR, SDES, BYE, APP = 200, 201, 202, 203, 204
SDES_CNAME = 1
REPORT_INTERVAL = 5.0  # seconds, RFC 3550 §6.2's minimum; randomised 0.5-1.5 (§6.3.1)
NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix)
_BLOCK = struct.Struct("!IIIIII")  # SSRC, fraction+cumulative, ext. highest seq, jitter, LSR, DLSR


def interval(base: float | None = None) -> float:
    """The wait before the next report: `base` (default REPORT_INTERVAL) × a random factor in
    [0.5, 1.5] (RFC 3550 §6.3.1), so calls started together do not report in step. Two parties and
    fixed bandwidth make the rest of §6.3's computation a constant; this is that constant."""
    return (REPORT_INTERVAL if base is None else base) * (0.5 + random.random())  # noqa: S311 - spread, not a secret


def ntp_now(wall: float | None = None) -> int:
    """The 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low)."""
    now = time.time() if wall is None else wall
    return int((now + NTP_EPOCH_OFFSET) * (1 << 32)) & 0xFFFF_FFFF_FFFF_FFFF


def middle32(ntp: int) -> int:
    """The middle 32 bits of an NTP timestamp, the unit of LSR and of round-trip times (1/65536 s)."""
    return (ntp >> 16) & 0xFFFF_FFFF


@dataclass(frozen=True, slots=True)
class ReportBlock:
    """One reception report (RFC 3550 §6.4.1): what the reporter saw of the stream `ssrc`."""

    ssrc: int
    fraction_lost: int  # of 256, since the previous report
    cumulative_lost: int  # signed 24 bits (duplicates can make it negative)
    highest_seq: int  # extended highest sequence number received
    jitter: int  # in RTP timestamp units
    lsr: int  # middle 32 bits of the last SR's NTP time, 0 if none
    dlsr: int  # delay since that SR, 1/65536 s

    def pack(self) -> bytes:
        cumulative = max(-(1 << 23), min(self.cumulative_lost, (1 << 23) - 1)) & 0xFFFFFF
        return _BLOCK.pack(
            self.ssrc,
            (self.fraction_lost & 0xFF) << 24 | cumulative,
            self.highest_seq & 0xFFFF_FFFF,
            self.jitter & 0xFFFF_FFFF,
            self.lsr,
            self.dlsr,
        )

    @classmethod
    def unpack(cls, data: bytes, offset: int) -> ReportBlock:
        ssrc, lost, highest, jitter, lsr, dlsr = _BLOCK.unpack_from(data, offset)
        cumulative = lost & 0xFFFFFF
        if cumulative & 0x800000:
            cumulative -= 1 << 24
        return cls(ssrc, lost >> 24, cumulative, highest, jitter, lsr, dlsr)

    def round_trip(self, arrival_ntp: int) -> float | None:
        """RFC 3550 §6.4.1: A − LSR − DLSR in seconds, for a block about our stream; None without an SR."""
        if not self.lsr:
            return None
        rtt = (middle32(arrival_ntp) - self.lsr - self.dlsr) & 0xFFFF_FFFF
        return rtt / 65536.0 if rtt < 0x8000_0000 else None  # "negative": clocks disagree


@dataclass(frozen=True, slots=True)
class SenderInfo:
    ntp: int
    rtp_ts: int
    packets: int
    octets: int


@dataclass(frozen=True, slots=True)
class Report:
    """One SR or RR as read: who sent it, its sender info (SR only), its report blocks."""

    kind: int  # SR or RR
    ssrc: int
    sender: SenderInfo | None
    blocks: tuple[ReportBlock, ...]


@dataclass(slots=True)
class Compound:
    """What a compound RTCP packet said, as far as we use it."""

    reports: list[Report] = field(default_factory=list)
    cnames: dict[int, str] = field(default_factory=dict)
    bye: list[int] = field(default_factory=list)


class RtcpError(ValueError):
    """Not a valid RTCP packet (RFC 3550 §A.2's checks, relaxed as RFC 5506 allows)."""


def _header(count: int, pt: int, body_len: int, padding: bool = False) -> bytes:
    return struct.pack("!BBH", 0x80 | (0x20 if padding else 0) | count, pt, body_len // 4)


def sender_report(ssrc: int, info: SenderInfo, blocks: tuple[ReportBlock, ...] = ()) -> bytes:
    payload = struct.pack("!IQIII", ssrc, info.ntp, info.rtp_ts & 0xFFFF_FFFF, info.packets, info.octets)
    payload += b"".join(b.pack() for b in blocks[:31])
    return _header(min(len(blocks), 31), SR, len(payload)) + payload


def receiver_report(ssrc: int, blocks: tuple[ReportBlock, ...] = ()) -> bytes:
    payload = struct.pack("!I", ssrc) + b"".join(b.pack() for b in blocks[:31])
    return _header(min(len(blocks), 31), RR, len(payload)) + payload


def sdes_cname(ssrc: int, cname: str) -> bytes:
    text = cname.encode("utf-8")[:255]
    chunk = struct.pack("!IBB", ssrc, SDES_CNAME, len(text)) + text + b"\x00"  # END item
    chunk += b"\x00" * (-len(chunk) % 4)
    return _header(1, SDES, len(chunk)) + chunk


def bye(ssrc: int) -> bytes:
    return _header(1, BYE, 4) + struct.pack("!I", ssrc)


def is_rtcp(data: bytes) -> bool:
    """RFC 5761 §4: on a multiplexed port, RTCP is a version-2 packet with packet type 192-223."""
    return len(data) >= 8 and data[0] >> 6 == 2 and 192 <= data[1] <= 223


def parse(data: bytes) -> Compound:
    """A compound packet's reports, CNAMEs and BYEs; `RtcpError` if it fails RFC 3550 A.2's checks.

    A packet need not start with an SR or RR: RFC 5506 allows reduced-size RTCP, and baresip sends
    a lone APP packet ("PINGPONG") to open the path through NATs."""
    if len(data) < 4 or len(data) % 4:
        raise RtcpError("length")
    if not 192 <= data[1] <= 223:
        raise RtcpError("not an RTCP packet type")
    out = Compound()
    offset = 0
    while offset < len(data):
        if len(data) - offset < 4:
            raise RtcpError("truncated header")
        first, pt, words = struct.unpack_from("!BBH", data, offset)
        end = offset + 4 + 4 * words
        if first >> 6 != 2 or end > len(data):
            raise RtcpError("bad version or length")
        count = first & 0x1F
        body = offset + 4
        if first & 0x20:  # padding, only allowed in the last packet
            if end != len(data) or data[end - 1] == 0 or data[end - 1] > end - body:
                raise RtcpError("bad padding")
            end -= data[end - 1]
        if pt in (SR, RR):
            out.reports.append(_report(data, pt, count, body, end))
        elif pt == SDES:
            _sdes(data, count, body, end, out.cnames)
        elif pt == BYE:
            if body + 4 * count > end:
                raise RtcpError("short BYE")
            out.bye.extend(struct.unpack_from(f"!{count}I", data, body))
        offset = offset + 4 + 4 * words
    return out


def _report(data: bytes, pt: int, count: int, body: int, end: int) -> Report:
    need = 4 + (20 if pt == SR else 0) + 24 * count
    if body + need > end:
        raise RtcpError("short report")
    (ssrc,) = struct.unpack_from("!I", data, body)
    sender = None
    at = body + 4
    if pt == SR:
        sender = SenderInfo(*struct.unpack_from("!QIII", data, at))
        at += 20
    blocks = tuple(ReportBlock.unpack(data, at + 24 * i) for i in range(count))
    return Report(pt, ssrc, sender, blocks)


def _sdes(data: bytes, count: int, at: int, end: int, cnames: dict[int, str]) -> None:
    for _ in range(count):
        if at + 4 > end:
            raise RtcpError("short SDES")
        (ssrc,) = struct.unpack_from("!I", data, at)
        at += 4
        while True:
            if at >= end:
                raise RtcpError("unterminated SDES chunk")
            item = data[at]
            if item == 0:  # END: the chunk is padded to the next 32-bit boundary
                at += 1
                at += -at % 4
                break
            if at + 2 > end or at + 2 + data[at + 1] > end:
                raise RtcpError("short SDES item")
            if item == SDES_CNAME:
                cnames[ssrc] = data[at + 2 : at + 2 + data[at + 1]].decode("utf-8", "replace")
            at += 2 + data[at + 1]


@dataclass(slots=True)
class Reception:
    """The receiver's side of one stream (RFC 3550 A.1, A.3, A.8): feed each accepted packet's
    extended sequence number, RTP timestamp and arrival time; `block()` makes its report."""

    clock_rate: int = 8000
    base_seq: int | None = None
    max_seq: int = 0
    received: int = 0
    expected_prior: int = 0
    received_prior: int = 0
    jitter: float = 0.0  # in timestamp units, the A.8 running estimate
    _transit: int | None = None
    last_sr: int = 0  # middle 32 bits of the last SR's NTP time from this source
    last_sr_at: float = 0.0  # monotonic arrival time of that SR

    def reset(self) -> None:
        """A new stream from the far end (a new SSRC): count afresh."""
        self.base_seq = None
        self.max_seq = self.received = self.expected_prior = self.received_prior = 0
        self.jitter = 0.0
        self._transit = None
        self.last_sr, self.last_sr_at = 0, 0.0

    def packet(self, ext_seq: int, rtp_ts: int, arrival: float) -> None:
        """One in-stream packet: `ext_seq` extended (no wrap), `arrival` in seconds (any clock)."""
        if self.base_seq is None:
            self.base_seq = self.max_seq = ext_seq
        self.max_seq = max(self.max_seq, ext_seq)
        self.received += 1
        # A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16.
        transit = round(arrival * self.clock_rate) - rtp_ts
        if self._transit is not None:
            d = (transit - self._transit) & 0xFFFF_FFFF  # the 32-bit timestamp may wrap
            d = abs(d - (1 << 32) if d & 0x8000_0000 else d)
            self.jitter += (d - self.jitter) / 16.0
        self._transit = transit

    def sender_report(self, ntp: int, arrival: float) -> None:
        self.last_sr = middle32(ntp)
        self.last_sr_at = arrival

    @property
    def expected(self) -> int:
        return 0 if self.base_seq is None else self.max_seq - self.base_seq + 1

    @property
    def lost(self) -> int:
        return self.expected - self.received

    def block(self, ssrc: int, now: float) -> ReportBlock:
        """The report block for `ssrc`, and the start of the next reporting interval (A.3)."""
        expected = self.expected
        expected_interval = expected - self.expected_prior
        received_interval = self.received - self.received_prior
        self.expected_prior, self.received_prior = expected, self.received
        lost_interval = expected_interval - received_interval
        fraction = (
            0 if expected_interval <= 0 or lost_interval <= 0 else (lost_interval << 8) // expected_interval
        )
        dlsr = int((now - self.last_sr_at) * 65536) if self.last_sr else 0
        return ReportBlock(
            ssrc,
            min(fraction, 255),
            self.lost,
            self.max_seq,
            int(self.jitter),
            self.last_sr,
            dlsr & 0xFFFF_FFFF,
        )
