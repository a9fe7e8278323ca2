"""RTP (RFC 3550) for G.711 calls: one UDP socket per call, a shared 20 ms pacer, a jitter buffer.

Why one shared pacer: a task per call waking every 20 ms costs a timer per packet; with
hundreds of calls in one process a single tick on an absolute schedule (start + k·20 ms on the
monotonic clock) sends a packet for every call, so intervals do not drift and the pacer wakes 50
times a second whatever the number of calls. A tick that runs late sends the missed frames at
once (up to a bound) instead of shifting the schedule. The pacer writes to each call's socket
directly and collects young garbage right after a tick, so neither the transport's bookkeeping
nor a cyclic-GC pass falls in the middle of a tick (see `_tick`).

Why a thread of its own, not the event loop: a loop timer fires only when the callback running
at that moment returns, and the selector sleeps in whole milliseconds, so every turn of a
conversation (NLU, the guard, queuing a reply) showed up as send intervals of 24 ms at p99
(bench/call_runtime.py). The pacer thread sleeps to the exact due time and needs the loop for
nothing: frames are queued on a deque (appends and pops are atomic), and the little that must
happen on the loop (waking `drained()` waiters, the transport's queued send when the kernel buffer
is full) is handed to it with `call_soon_threadsafe`.
DTMF goes as RFC 4733 telephone-events on the same stream.

RTCP (RFC 3550 §6, packets in `rtcp.py`): a session listens on an even port with RTCP on the next
one (RFC 3550 §11), or on the RTP port itself when the answer accepted our `a=rtcp-mux` (RFC 5761),
and sends to the far end's `a=rtcp:PORT` (RFC 3605) or RTP port + 1. A task on the event loop (not
the pacer thread) sends a Sender Report with a reception report block for the far end's stream
and an SDES CNAME every 5 s (×0.5–1.5 at random), and SR + SDES + BYE when the session closes.
Reports from the far end's host about our stream give its view (loss, jitter, round trip from
LSR/DLSR) in `RtpStats`.

Media security (what a stranger on the network must not do to a call): A
packet is played only when it comes from the far end's SDP address, or, once per stream, from
another port of the signalled host (symmetric RTP: the first such packet latches the source); it
must carry a payload type from the SDP answer and the SSRC of the first accepted packet (a new
`start()` after a re-INVITE or the 200 OK clears the latch; SSRC_SWITCH_PACKETS in a row with a
new SSRC from the latched source are taken as the far end restarting its stream). Everything
else is dropped and counted in `RtpStats`, including DTMF, so a forged telephone-event never
reaches the dialogue.
We keep sending to the SDP address: the latch protects what we hear, not where we speak, unless
`comedia` is on (a far end behind NAT advertises a private address it cannot be reached at): then
the first packet with a negotiated payload type latches whatever its host, and we send RTP (and
RTCP) back to the latched source.
With SRTP negotiated (`srtp`, an `SrtpContext` from `srtp.py`) every packet is protected as it
leaves and must authenticate before any of the checks above; one that does not is dropped and
counted (`dropped_auth`, `rtcp_dropped_auth`) and never reaches the jitter buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import os
import secrets
import socket
import struct
import threading
import time
from array import array
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from huikuan.telephony import g711, rtcp
from huikuan.telephony.srtp import SrtpContext

log = logging.getLogger(__name__)
PTIME = 0.02
MAX_CATCH_UP = 5  # frames; beyond this the pacer skips ahead and counts the skip
JITTER_DEPTH = 3  # frames held before a gap is declared a loss
JITTER_MAX = 50  # frames kept when nobody reads (1 s); older ones are dropped
DTMF_EVENTS = "0123456789*#ABCD"
_HEADER = struct.Struct("!BBHII")
PORT_TRIES = 64  # attempts to find a free even/odd port pair
# A far end (an SBC playing an announcement, a media server after a transfer) may restart its
# stream with a new SSRC without a new SDP. A lone packet with another SSRC is dropped; this many
# in a row from the latched source are a new stream, and it is played instead of going deaf.
SSRC_SWITCH_PACKETS = 10


class RtpPortsExhausted(OSError):
    """No free even RTP port (with RTCP on the next) in the configured range."""


@dataclass(frozen=True, slots=True)
class PortRange:
    """Local RTP ports, `first`–`last` inclusive (e.g. 20000-29999); even ones carry RTP."""

    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> PortRange:
        lo, sep, hi = text.partition("-")
        if not sep or not lo.strip().isdigit() or not hi.strip().isdigit():
            raise ValueError("RTP port range must look like 20000-29999")
        first, last = int(lo), int(hi)
        if not 1024 <= first < last <= 65535:
            raise ValueError("RTP port range must lie within 1024-65535, low before high")
        return cls(first, last)

    def candidates(self) -> list[int]:
        """Even ports whose RTCP neighbour is in range, starting at a random one (spreads calls)."""
        start = self.first + (self.first % 2)
        evens = list(range(start, self.last, 2))
        if not evens:
            return []
        k = secrets.randbelow(len(evens))
        return evens[k:] + evens[:k]


@dataclass(slots=True)
class RtpStats:
    sent: int = 0
    received: int = 0
    duplicates: int = 0
    late: int = 0
    overflow: int = 0
    skipped_ticks: int = 0
    send_errors: int = 0  # sends the kernel refused (an ICMP error from the far end, a closed socket)
    dropped_address: int = 0  # from neither the SDP address nor the latched source
    dropped_ssrc: int = 0  # another SSRC than the stream's
    dropped_payload: int = 0  # a payload type the answer did not negotiate
    malformed: int = 0  # not RTP version 2, or a header longer than the packet
    rtcp_received: int = 0
    rtcp_dropped: int = 0  # RTCP from another host than the far end's, or not valid RTCP
    rtcp_sent: int = 0
    sent_octets: int = 0
    jitter_ms: float = 0.0  # interarrival jitter of the far end's stream (RFC 3550 A.8)
    # The far end's view of our stream, from its last SR/RR block about our SSRC (None: no report).
    remote_fraction_lost: float | None = None
    remote_lost: int | None = None
    remote_jitter_ms: float | None = None
    rtt_ms: float | None = None  # round trip from its LSR/DLSR
    remote_bye: bool = False
    dropped_auth: int = 0  # SRTP packets failing authentication or the replay check
    rtcp_dropped_auth: int = 0  # the same for SRTCP
    latched: tuple[str, int] | None = None
    first_seq: int | None = None
    highest_seq: int = 0
    expected_before: int = 0  # packets expected on the streams before an SSRC switch
    ssrc_switches: int = 0
    intervals: array[float] = field(default_factory=lambda: array("d"))

    @property
    def expected(self) -> int:
        current = 0 if self.first_seq is None else self.highest_seq - self.first_seq + 1
        return self.expected_before + current

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.received)

    def dropped(self) -> dict[str, int]:
        """Counters for logs and metrics: what was refused on this stream, and RTCP seen."""
        return {
            "rtp_dropped_address": self.dropped_address,
            "rtp_dropped_ssrc": self.dropped_ssrc,
            "rtp_dropped_payload": self.dropped_payload,
            "rtp_malformed": self.malformed,
            "rtcp_received": self.rtcp_received,
            "rtcp_dropped": self.rtcp_dropped,
            "srtp_dropped_auth": self.dropped_auth,
            "srtcp_dropped_auth": self.rtcp_dropped_auth,
        }

    def quality(self) -> dict[str, float | int | None]:
        """Both ends' view of the call's audio for logs and metrics (no numbers, names or addresses)."""
        return {
            "rtp_sent": self.sent,
            "rtp_received": self.received,
            "rtp_lost": self.lost,
            "jitter_ms": round(self.jitter_ms, 2),
            "rtcp_sent": self.rtcp_sent,
            "rtcp_received": self.rtcp_received,
            "far_fraction_lost": self.remote_fraction_lost,
            "far_lost": self.remote_lost,
            "far_jitter_ms": self.remote_jitter_ms,
            "rtt_ms": self.rtt_ms,
        }


class RtpPacer:
    """Calls every registered session's `_tick` on one absolute 20 ms schedule, from its own thread.

    The thread runs while any session is registered and ends when the last one leaves.
    """

    def __init__(self, ptime: float = PTIME, cpu: int | None = None) -> None:
        if cpu is not None and cpu not in os.sched_getaffinity(0):
            raise ValueError(f"CPU {cpu} is not one this process may run on: {os.sched_getaffinity(0)}")
        self._ptime = ptime
        self._cpu = cpu  # a dedicated media core: the pacer thread pins itself to it
        self._sessions: dict[int, RtpSession] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # Per-tick timings for benches, kept only while `timing` is on: a worker paces 50 ticks a
        # second for weeks, and three growing arrays would cost it about 100 MB a day.
        self.timing = False
        self.late = array("d")  # seconds each tick started after its due time
        self.busy = array("d")  # seconds each tick took
        self.cpu = array("d")  # CPU seconds each tick used (busy − cpu = time the OS ran others)

    def add(self, session: RtpSession) -> None:
        with self._lock:
            self._sessions[id(session)] = session
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rtp-pacer", daemon=True)
                self._thread.start()

    def remove(self, session: RtpSession) -> None:
        with self._lock:
            self._sessions.pop(id(session), None)

    def _current(self) -> list[RtpSession] | None:
        """The sessions to serve now, or None (and the thread is let go) when there are none.

        A session whose event loop has closed without closing it (a crashed worker's loop, a test)
        is forgotten, so it cannot keep the thread alive."""
        with self._lock:
            for key in [k for k, session in self._sessions.items() if session._loop.is_closed()]:
                del self._sessions[key]
            if not self._sessions:
                self._thread = None
                return None
            return list(self._sessions.values())

    def _run(self) -> None:
        if self._cpu is not None:
            os.sched_setaffinity(0, {self._cpu})  # 0 is the calling thread on Linux
        due = time.monotonic() + self._ptime
        while True:
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            sessions = self._current()
            if sessions is None:
                return
            due = self._tick(sessions, due)

    def _tick(self, sessions: list[RtpSession], due: float) -> float:
        """Send every session's frame(s) for the tick due at `due`; returns the next due time."""
        now = time.monotonic()
        cpu0 = time.thread_time()
        if self.timing:
            self.late.append(now - due)
        frames = int((now - due) / self._ptime) + 1
        if frames > MAX_CATCH_UP:
            for session in sessions:
                session.stats.skipped_ticks += frames - 1
            due += (frames - 1) * self._ptime
            frames = 1
        for _ in range(frames):
            for session in sessions:
                session._tick()
            due += self._ptime
        if self.timing:
            self.busy.append(time.monotonic() - now)
            self.cpu.append(time.thread_time() - cpu0)
        # Every packet allocates tuples the cyclic GC tracks; left alone, a gen-0/1 pass starts
        # at whatever allocation crosses the threshold, often mid-tick (up to several ms at
        # hundreds of calls). Doing it here, in the slack after sending, keeps it off the tick.
        young, middle, _ = gc.get_count()
        threshold0, threshold1, _ = gc.get_threshold()
        if threshold0 and young >= threshold0 // 2:
            gc.collect(1 if middle + 1 >= threshold1 else 0)
        return due


class RtpSession(asyncio.DatagramProtocol):
    """One call's media: paced sending of queued frames (silence when idle) and ordered receiving."""

    def __init__(self, pacer: RtpPacer, payload_type: int = 0, dtmf_payload_type: int | None = 101) -> None:
        self._pacer = pacer
        self.payload_type = payload_type
        self.dtmf_payload_type = dtmf_payload_type
        self.stats = RtpStats()
        self.remote: tuple[str, int] | None = None
        self.local_port = 0
        self.dtmf_received = ""
        self._transport: asyncio.DatagramTransport | None = None
        self._sock: socket.socket | None = None  # the transport's socket, written directly by the pacer
        self._ssrc = secrets.randbits(32)
        self._seq = secrets.randbits(16)
        self._ts = secrets.randbits(32)
        self._out: deque[tuple[int, bytes, bool, bool]] = deque()  # pt, payload, marker, new event
        self._event_ts = 0
        self._drained: list[asyncio.Future[None]] = []
        self._last_send = 0.0
        self._sending = False
        self._talking = False
        self._buffer: dict[int, tuple[int, bytes]] = {}
        self._play_seq: int | None = None
        self._arrived = asyncio.Event()
        self._capture: list[tuple[int, bytes]] | None = None
        self._last_event_ts: int | None = None
        self._closed = False
        self._loop = asyncio.get_running_loop()  # the pacer thread hands loop work back to it
        self._lost: asyncio.Future[None] = self._loop.create_future()
        self._accepted_pts: frozenset[int] = frozenset()
        self._signalled_host: str | None = None
        self._source: tuple[str, int] | None = None  # the latched source address
        self._remote_ssrc: int | None = None
        self._new_ssrc: tuple[int, int] | None = None  # (SSRC, packets in a row) of a possible new stream
        self._rtcp: asyncio.DatagramTransport | None = None
        self.comedia = False  # send to the latched source (a far end behind NAT)
        self.reception = rtcp.Reception()
        self._cname = secrets.token_hex(8) + "@huikuan"  # random (RFC 7022): says nothing about us
        self._rtcp_to: tuple[str, int] | None = None
        self._rtcp_mux = False
        self._rtcp_task: asyncio.Task[None] | None = None
        self.srtp: SrtpContext | None = None  # set before `start()` when the call negotiated SRTP

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._lost.done():
            self._lost.set_result(None)

    @property
    def rtcp_mux(self) -> bool:
        """Does RTCP share the RTP port (the answer accepted `a=rtcp-mux`)?"""
        return self._rtcp_mux

    @property
    def closed(self) -> bool:
        return self._closed

    async def wait_closed(self) -> None:
        """After `close()`: wait until the socket is really closed (the loop does it on its next turn)."""
        if self._transport is not None:
            await self._lost

    async def open(self, host: str, ports: PortRange | None = None) -> int:
        """Bind an even RTP port and RTCP on the next (from `ports`, else any free pair)."""
        loop = asyncio.get_running_loop()
        sock, rtcp_sock = _bind_pair(host, ports)
        transport, _ = await loop.create_datagram_endpoint(lambda: self, sock=sock)
        rtcp_transport, _ = await loop.create_datagram_endpoint(lambda: _Rtcp(self), sock=rtcp_sock)
        self._transport = transport
        self._rtcp = rtcp_transport
        self._sock = sock
        self.local_port = transport.get_extra_info("sockname")[1]
        return self.local_port

    def start(
        self,
        host: str,
        port: int,
        payload_type: int,
        dtmf_payload_type: int | None,
        payload_types: tuple[int, ...] = (),
        rtcp_to: tuple[str, int] | None = None,
        rtcp_mux: bool = False,
    ) -> None:
        """Point the stream at the far end (from its SDP) and start the 20 ms clock and RTCP reports.

        `payload_types` are the answer's formats we accept (default: the codec and DTMF types);
        the source latch and SSRC are cleared, as a new answer may move the far end's media.
        RTCP goes to `rtcp_to` (its `a=rtcp`), else to the RTP port (`rtcp_mux`) or the next one.
        """
        self.remote = (host, port)
        self._rtcp_mux = rtcp_mux
        self._rtcp_to = rtcp_to or ((host, port) if rtcp_mux else (host, port + 1))
        self.payload_type = payload_type
        self.dtmf_payload_type = dtmf_payload_type
        accepted = set(payload_types) | {payload_type}
        if dtmf_payload_type is not None:
            accepted.add(dtmf_payload_type)
        self._accepted_pts = frozenset(accepted)
        self._signalled_host = _normal_host(host)
        self._source = None
        self.stats.latched = None
        self._remote_ssrc = None
        self._new_ssrc = None
        if self.stats.first_seq is not None:  # a new answer may bring a new stream: count afresh
            self._switch_stream(None)
        if not self._sending and not self._closed:
            self._sending = True
            self._pacer.add(self)
        if self._rtcp_task is None and not self._closed:
            self._rtcp_task = self._loop.create_task(self._report_loop())

    def close(self) -> None:
        if not self._closed and self._rtcp_task is not None:
            self._rtcp_task.cancel()
            self._send_rtcp(bye=True)  # RFC 3550 §6.6: a last report and BYE as the stream ends
        self._closed = True
        if self._sending:
            self._pacer.remove(self)
            self._sending = False
        self._sock = None
        if self._transport is not None:
            self._transport.close()
        if self._rtcp is not None:
            self._rtcp.close()
        for fut in self._drained:
            if not fut.done():
                fut.set_result(None)
        self._drained.clear()
        self._arrived.set()

    # --- sending -------------------------------------------------------------------------
    def queue_pcm(self, pcm: g711.Pcm) -> None:
        """Encode 8 kHz PCM in one vectorised call and queue it as 20 ms frames."""
        n = g711.FRAME_SAMPLES
        pad = (-len(pcm)) % n
        if pad:
            pcm = np.concatenate([pcm, np.zeros(pad, dtype=np.int16)])
        self.queue_payload(g711.encode(pcm, self.payload_type))

    def queue_payload(self, encoded: bytes) -> None:
        n = g711.FRAME_SAMPLES
        for i in range(0, len(encoded), n):
            self._out.append((self.payload_type, encoded[i : i + n], not self._talking and i == 0, False))
        self._talking = True

    async def drained(self) -> None:
        """Wait until every queued frame has gone out."""
        if not self._out or self._closed:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._drained.append(fut)
        await fut

    def flush(self) -> int:
        """Drop queued frames (barge-in); returns how many were dropped."""
        dropped = len(self._out)
        self._out.clear()
        return dropped

    def queue_dtmf(self, digit: str, duration_ms: int = 100, volume: int = 10) -> None:
        """RFC 4733: one event per 20 ms while held, then the end packet sent three times."""
        if self.dtmf_payload_type is None:
            raise ValueError("far end did not accept telephone-event")
        event = DTMF_EVENTS.index(digit.upper())
        frames = max(1, duration_ms // 20)
        pt = self.dtmf_payload_type
        for i in range(frames):
            payload = struct.pack("!BBH", event, volume, (i + 1) * g711.FRAME_SAMPLES)
            self._out.append((pt, payload, i == 0, i == 0))
        end = struct.pack("!BBH", event, 0x80 | volume, frames * g711.FRAME_SAMPLES)
        for _ in range(3):
            self._out.append((pt, end, False, False))

    def _tick(self) -> None:
        sock, remote = self._sock, self.remote
        if sock is None or remote is None:
            return
        try:
            pt, payload, marker, new_event = self._out.popleft()
        except IndexError:
            pt, payload, marker, new_event = self.payload_type, g711.silence(self.payload_type), False, False
            self._talking = False
            if self._drained:
                waiters, self._drained = self._drained, []
                self._on_loop(_settle, waiters)
        if new_event:
            self._event_ts = self._ts
        ts = self._event_ts if pt == self.dtmf_payload_type and pt != self.payload_type else self._ts
        packet = _HEADER.pack(0x80, (0x80 if marker else 0) | pt, self._seq, ts, self._ssrc) + payload
        if self.srtp is not None:
            packet = self.srtp.protect(packet)
        # Straight to the socket: the transport's sendto adds checks that cost ~40 % of a tick at
        # hundreds of calls. It is only needed when the kernel buffer is full (it queues then).
        try:
            sock.sendto(packet, remote)
        except (BlockingIOError, InterruptedError):
            if self._transport is not None:  # the transport queues it (loop thread only)
                self._on_loop(self._transport.sendto, packet, remote)
        except OSError:  # e.g. ICMP port unreachable reported on a later send, or closed meanwhile
            self.stats.send_errors += 1
        now = time.monotonic()
        if self._last_send:
            self.stats.intervals.append(now - self._last_send)
        self._last_send = now
        self.stats.sent += 1
        self.stats.sent_octets += len(payload)
        self._seq = (self._seq + 1) & 0xFFFF
        self._ts = (self._ts + g711.FRAME_SAMPLES) & 0xFFFFFFFF

    def _on_loop(self, fn: Any, *args: Any) -> None:
        """Run `fn(*args)` on the session's event loop (from the pacer thread); dropped once it closed."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(fn, *args)

    # --- receiving -----------------------------------------------------------------------
    def _admit(self, addr: tuple[str, int], pt: int, ssrc: int) -> bool:
        """Is this packet from the far end's stream? Counts what it refuses."""
        stats = self.stats
        if self._source is None:
            if self.remote is None:
                stats.dropped_address += 1
                return False
            if (
                not self.comedia and _normal_host(addr[0]) != self._signalled_host
            ):  # the SDP address or its host
                stats.dropped_address += 1
                return False
            if pt not in self._accepted_pts:  # a stray packet must not take the latch
                stats.dropped_payload += 1
                return False
            self._source = addr
            stats.latched = addr
            self._remote_ssrc = ssrc
            if self.comedia:  # symmetric RTP back to where the far end really is
                self.remote = addr
                if self._rtcp_mux:
                    self._rtcp_to = addr
            return True
        if addr != self._source:
            stats.dropped_address += 1
            return False
        if pt not in self._accepted_pts:
            stats.dropped_payload += 1
            return False
        if ssrc != self._remote_ssrc:
            run = self._new_ssrc[1] + 1 if self._new_ssrc and self._new_ssrc[0] == ssrc else 1
            self._new_ssrc = (ssrc, run)
            if run < SSRC_SWITCH_PACKETS:
                stats.dropped_ssrc += 1
                return False
            self._switch_stream(ssrc)
        self._new_ssrc = None
        return True

    def _switch_stream(self, ssrc: int | None) -> None:
        """Adopt a new stream (an SSRC from the latched source, or None until the next first
        packet): its sequence numbers start afresh."""
        stats = self.stats
        stats.ssrc_switches += ssrc is not None
        stats.expected_before = stats.expected
        stats.first_seq = None
        self._remote_ssrc = ssrc
        self.reception.reset()
        self._buffer.clear()
        self._play_seq = None

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self._rtcp_mux and rtcp.is_rtcp(data):
            self._rtcp_in(data, (str(addr[0]), int(addr[1])))
            return
        if len(data) < 12 or data[0] >> 6 != 2:
            self.stats.malformed += 1
            return
        if self.srtp is not None:
            plain = self.srtp.unprotect(data)
            if plain is None:
                self.stats.dropped_auth += 1
                return
            data = plain
        cc = data[0] & 0x0F
        offset = 12 + 4 * cc
        if data[0] & 0x10:  # header extension
            if len(data) < offset + 4:
                self.stats.malformed += 1
                return
            offset += 4 + 4 * int.from_bytes(data[offset + 2 : offset + 4], "big")
        if offset > len(data):
            self.stats.malformed += 1
            return
        payload = data[offset:]
        if data[0] & 0x20 and payload:  # padding
            payload = payload[: -payload[-1]]
        pt = data[1] & 0x7F
        seq = (data[2] << 8) | data[3]
        if not self._admit((str(addr[0]), int(addr[1])), pt, int.from_bytes(data[8:12], "big")):
            return
        if pt == self.dtmf_payload_type and pt not in (g711.PCMU_PT, g711.PCMA_PT):
            self._dtmf_in(payload, int.from_bytes(data[4:8], "big"))
            return
        if pt not in (g711.PCMU_PT, g711.PCMA_PT):
            return  # e.g. comfort noise the answer listed: accepted, not played
        stats = self.stats
        if stats.first_seq is None:
            stats.first_seq = stats.highest_seq = seq
            ext = seq
        else:
            delta = (seq - stats.highest_seq) & 0xFFFF
            ext = stats.highest_seq + delta if delta < 0x8000 else stats.highest_seq + delta - 0x10000
            stats.highest_seq = max(stats.highest_seq, ext)
        if ext in self._buffer or (self._play_seq is not None and ext < self._play_seq):
            if ext in self._buffer:
                stats.duplicates += 1
            else:
                stats.late += 1
            return
        stats.received += 1
        self.reception.packet(ext, int.from_bytes(data[4:8], "big"), time.monotonic())
        stats.jitter_ms = self.reception.jitter / 8.0  # 8000 timestamp units a second
        if self._capture is not None:
            self._capture.append((pt, payload))
        self._buffer[ext] = (pt, payload)
        if len(self._buffer) > JITTER_MAX:
            oldest = min(self._buffer)
            del self._buffer[oldest]
            stats.overflow += 1
            if self._play_seq is not None and self._play_seq <= oldest:
                self._play_seq = oldest + 1
        self._arrived.set()

    def _dtmf_in(self, payload: bytes, ts: int) -> None:
        if len(payload) < 4 or not payload[1] & 0x80 or payload[0] >= len(DTMF_EVENTS):
            return
        if ts != self._last_event_ts:  # the end packet is sent three times; count one digit
            self._last_event_ts = ts
            self.dtmf_received += DTMF_EVENTS[payload[0]]

    def _pop(self) -> tuple[int, bytes] | None:
        if not self._buffer:
            return None
        if self._play_seq is None:
            self._play_seq = min(self._buffer)
        frame = self._buffer.pop(self._play_seq, None)
        if frame is None:
            if len(self._buffer) < JITTER_DEPTH:
                return None
            self._play_seq = min(self._buffer)  # the gap is a loss; play on from the next frame
            frame = self._buffer.pop(self._play_seq)
        self._play_seq += 1
        return frame

    async def receive(self, timeout: float) -> g711.Pcm | None:
        """The next received 20 ms frame in sequence order, decoded; None on timeout or close."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._closed:
            frame = self._pop()
            if frame is not None:
                return g711.decode(frame[1], frame[0])
            self._arrived.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                # After a quiet spell the jitter buffer may hold a gap it will never fill.
                if self._buffer:
                    self._play_seq = min(self._buffer)
                    continue
                return None
        return None

    # --- RTCP ----------------------------------------------------------------------------
    async def _report_loop(self) -> None:
        while not self._closed:
            await asyncio.sleep(rtcp.interval())
            self._send_rtcp()

    def _send_rtcp(self, bye: bool = False) -> None:
        """SR (+ a block on the far end's stream once it has sent) + SDES CNAME (+ BYE)."""
        transport = self._transport if self._rtcp_mux else self._rtcp
        if transport is None or self._rtcp_to is None or transport.is_closing():
            return
        stats = self.stats
        info = rtcp.SenderInfo(
            rtcp.ntp_now(), self._ts, stats.sent & 0xFFFF_FFFF, stats.sent_octets & 0xFFFF_FFFF
        )
        blocks: tuple[rtcp.ReportBlock, ...] = ()
        if self._remote_ssrc is not None and self.reception.received:
            blocks = (self.reception.block(self._remote_ssrc, time.monotonic()),)
        packet = rtcp.sender_report(self._ssrc, info, blocks) + rtcp.sdes_cname(self._ssrc, self._cname)
        if bye:
            packet += rtcp.bye(self._ssrc)
        if self.srtp is not None:
            packet = self.srtp.protect_rtcp(packet)
        try:
            transport.sendto(packet, self._rtcp_to)
        except OSError:
            stats.send_errors += 1
            return
        stats.rtcp_sent += 1

    def _rtcp_in(self, data: bytes, addr: tuple[str, int]) -> None:
        """A compound packet from the far end: its SRs time our LSR/DLSR, its blocks about our
        stream are its view of it. Only the far end's host (or the latched one) is heard; with
        SRTP, only a packet that authenticates (SRTCP)."""
        stats = self.stats
        if self.srtp is not None:
            plain = self.srtp.unprotect_rtcp(data)
            if plain is None:
                stats.rtcp_dropped_auth += 1
                return
            data = plain
        hosts = {self._signalled_host, self._source and _normal_host(self._source[0])}
        if _normal_host(addr[0]) not in hosts:
            stats.rtcp_dropped += 1
            return
        try:
            compound = rtcp.parse(data)
        except rtcp.RtcpError:
            stats.rtcp_dropped += 1
            return
        stats.rtcp_received += 1
        if self.comedia and not self._rtcp_mux:  # reply where its reports really come from
            self._rtcp_to = addr
        now = time.monotonic()
        arrival = rtcp.ntp_now()
        for report in compound.reports:
            if report.sender is not None and report.ssrc == self._remote_ssrc:
                self.reception.sender_report(report.sender.ntp, now)
            for block in report.blocks:
                if block.ssrc != self._ssrc:
                    continue
                stats.remote_fraction_lost = block.fraction_lost / 256
                stats.remote_lost = block.cumulative_lost
                stats.remote_jitter_ms = block.jitter / 8.0
                rtt = block.round_trip(arrival)
                if rtt is not None:
                    stats.rtt_ms = round(rtt * 1000, 1)
        if self._remote_ssrc is not None and self._remote_ssrc in compound.bye:
            stats.remote_bye = True

    def start_capture(self) -> None:
        self._capture = []

    def stop_capture(self) -> g711.Pcm:
        """Everything received since `start_capture`, in arrival order, decoded."""
        frames, self._capture = self._capture or [], None
        if not frames:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate([g711.decode(payload, pt) for pt, payload in frames])


class _Rtcp(asyncio.DatagramProtocol):
    """RTCP on the RTP port + 1: handed to the session."""

    def __init__(self, session: RtpSession) -> None:
        self._session = session

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._session._rtcp_in(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        log.debug("RTCP socket error: %s", exc)


def _settle(waiters: list[asyncio.Future[None]]) -> None:
    for fut in waiters:
        if not fut.done():
            fut.set_result(None)


def _normal_host(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return host.lower()


def _bind_pair(host: str, ports: PortRange | None) -> tuple[socket.socket, socket.socket]:
    """Two UDP sockets on an even port and the next one (RTP, RTCP)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    tries = ports.candidates() if ports is not None else [0] * PORT_TRIES
    for wanted in tries:
        rtp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            rtp.bind((host, wanted))
        except OSError:
            rtp.close()
            if ports is None:
                raise
            continue
        port = rtp.getsockname()[1]
        if port % 2:  # the kernel chose an odd port: try again
            rtp.close()
            continue
        rtcp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            rtcp.bind((host, port + 1))
        except OSError:
            rtp.close()
            rtcp.close()
            continue
        rtp.setblocking(False)
        rtcp.setblocking(False)
        return rtp, rtcp
    where = f" in {ports.first}-{ports.last}" if ports is not None else ""
    raise RtpPortsExhausted(f"no free even RTP port with RTCP on the next{where}")
