"""`SipCarrier`: the `Carrier` protocol over SIP trunks, many calls in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import ssl
import sys
from collections.abc import Callable
from dataclasses import replace

from huikuan.errors import InvalidInput
from huikuan.telephony.rtp import PortRange, RtpPacer
from huikuan.telephony.sip.call import (
    AnnouncementAsr,
    Asr,
    Credentials,
    SipCall,
    Trunk,
    Tts,
    no_asr,
    silence_tts,
)
from huikuan.telephony.sip.locate import locate_all, resolver_for
from huikuan.telephony.sip.message import SipMessage
from huikuan.telephony.sip.status import retry_on_next_trunk
from huikuan.telephony.sip.transaction import Timers
from huikuan.telephony.sip.ua import UserAgent, new_branch, new_tag
from huikuan.telephony.sip.uri import format_host
from huikuan.telephony.srtp import SrtpPolicy
from huikuan.types import CallOutcome

log = logging.getLogger(__name__)
GIL_SWITCH_S = 0.001
RESOLVE_TIMEOUT = 5.0  # seconds for a trunk's name to resolve at start


class TrunkConfigError(InvalidInput):
    """A trunk that cannot be used as configured (its name does not resolve, wrong IP family)."""


class SipCarrier:
    """Dials through `trunks` in order: a trunk failure (transport error, silence, 503) moves the
    call to the trunk's next SRV server (RFC 3263 §4.3), then to the next trunk; another 5xx to the
    next trunk. All attempts share the call's ring time. Trunk names are resolved once, at `start()`."""

    def __init__(
        self,
        trunks: list[Trunk],
        local_host: str = "127.0.0.1",
        local_port: int = 0,
        credentials: Credentials | None = None,
        tts: Tts = silence_tts,
        asr: Asr = no_asr,
        announcement_asr: AnnouncementAsr | None = None,
        timers: Timers | None = None,
        rtp_ports: PortRange | None = None,
        public_address: str | None = None,
        dns_server: tuple[str, int] | None = None,
        comedia: bool = False,
        media_cpu: int | None = None,
        srtp: SrtpPolicy = SrtpPolicy.OFF,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if not trunks:
            raise ValueError("at least one trunk is needed")
        self.trunks = trunks
        self.ua = UserAgent(local_host, local_port, timers, public_address, tls_context)
        self.pacer = RtpPacer(cpu=media_cpu)  # media_cpu: a core kept for the pacer thread
        self._credentials = credentials
        self._rtp_ports = rtp_ports
        self._srtp = srtp  # SDES-SRTP on the trunks' calls (not on agent legs: a floor PBX is local)
        self._tts = tts
        self._asr = asr
        self._announcement_asr = announcement_asr
        self._starting: asyncio.Future[list[list[tuple[str, int]]]] | None = None
        self._dns_server = dns_server  # (host, port) asked for SRV/NAPTR; None: the system's resolver
        self._comedia = comedia  # far ends behind NAT: media goes back to the latched source

    async def start(self) -> None:
        """Resolve every trunk and open the sockets; `TrunkConfigError` (one line) if a trunk is unusable."""
        # numpy loads its FFT lazily; early-media judging needs it, and a first import inside a
        # live call would stall every line's RTP for tens of milliseconds.
        import numpy.fft  # noqa: F401

        # A process that paces live RTP wants the GIL back quickly from its helper threads (the
        # database thread, TTS): 1 ms instead of Python's 5 ms switch interval.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        await self._addresses()

    async def _addresses(self) -> list[list[tuple[str, int]]]:
        """Each trunk's servers, in the order to try them (one unless DNS SRV lists more)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        return await asyncio.shield(self._starting)

    async def _start(self) -> list[list[tuple[str, int]]]:
        located = [await locate_servers(trunk, self.ua.family, self._dns_server) for trunk in self.trunks]
        self.trunks = [trunk for trunk, _ in located]
        for trunk, dests in located:
            if trunk.transport == "tls":  # the certificate must name the trunk's host (RFC 5922 §7)
                self.ua.tls.server_names.update(dict.fromkeys(dests, trunk.host))
        await self.ua.start()
        return [dest for _, dest in located]

    async def close(self) -> None:
        await self.ua.close()

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> SipCall:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ring_timeout  # the call's, whichever server ends up ringing
        servers = await self._addresses()
        tried: list[SipCall] = []
        for trunk, dests in zip(self.trunks, servers, strict=True):
            for dest in dests:
                remaining = deadline - loop.time()
                if remaining <= 0 and tried:  # the first attempt always goes out
                    break
                call = await self._attempt(trunk, dest, number, caller_id, remaining)
                tried.append(call)
                if call.result.outcome == CallOutcome.TRUNK_FAILED:
                    continue  # this server is down: the trunk's next one (RFC 3263 §4.3)
                if call.result.outcome != CallOutcome.FAILED or not retry_on_next_trunk(
                    call.result.sip_status or 0, call.provisional_seen
                ):
                    return call
                break  # another 5xx, or a silent trunk: the next trunk
        # Every trunk failed. Only when each failed on our side is it a trunk failure; if one
        # gave a failure from the network, that one is the call's outcome (it may have been a dial).
        counted = [c for c in tried if c.result.outcome != CallOutcome.TRUNK_FAILED]
        return counted[-1] if counted else tried[-1]

    async def _attempt(
        self, trunk: Trunk, dest: tuple[str, int], number: str, caller_id: str, ring_timeout: float
    ) -> SipCall:
        """One INVITE to one server of `trunk`; the call, answered or with its failure."""
        call = SipCall(
            self.ua,
            self.pacer,
            trunk,
            number,
            caller_id,
            self._credentials,
            self._tts,
            self._asr,
            self._announcement_asr,
            dest,
            self._rtp_ports,
            self._srtp,
        )
        call.rtp.comedia = self._comedia
        result = await call.dial(ring_timeout)
        log.info(
            "call %s via %s (%s): %s (%s)",
            call.call_id,
            trunk,
            format_host(dest[0]) + f":{dest[1]}",
            result.outcome,
            result.cause or result.sip_status,
        )
        return call

    async def dial_uri(
        self,
        uri: str,
        caller_id: str,
        ring_timeout: float = 20.0,
        on_ringing: Callable[[], None] | None = None,
    ) -> SipCall:
        """A second leg from this user agent straight to `uri` (an agent's phone at the floor's
        PBX/proxy), not through the trunks: the call's result says whether it answered.
        `on_ringing` is called once at its first 180/183."""
        # A PBX named without a port is located as a trunk is (DNS SRV/NAPTR, RFC 3263).
        target, dest = await locate_trunk(Trunk.parse(uri), self.ua.family, self._dns_server)
        await self._addresses()  # the UA's sockets are open
        call = SipCall(
            self.ua,
            self.pacer,
            target,
            target.user or "",
            caller_id,
            self._credentials,
            self._tts,
            self._asr,
            None,
            dest,
            self._rtp_ports,
        )
        call.on_ringing = on_ringing
        call.rtp.comedia = self._comedia
        result = await call.dial(ring_timeout)
        log.info("leg %s to an agent's phone: %s (%s)", call.call_id, result.outcome, result.sip_status)
        return call

    async def probe(self) -> bool:
        """Is any trunk answering? An out-of-dialog OPTIONS to each in turn (RFC 3261 §11): any
        final response from the far end, whatever its status, says it is up."""
        servers = await self._addresses()
        for trunk, dest in [(t, d) for t, dests in zip(self.trunks, servers, strict=True) for d in dests]:
            options = SipMessage(method="OPTIONS", uri=str(trunk))
            options.add("Via", self.ua.via(new_branch(), trunk.transport))
            options.add("Max-Forwards", "70")
            options.add("From", f"<sip:huikuan@{format_host(self.ua.public_host)}>;tag={new_tag()}")
            options.add("To", f"<{trunk}>")
            options.add("Call-ID", secrets.token_hex(12) + "@huikuan")
            options.add("CSeq", "1 OPTIONS")
            options.add("Accept", "application/sdp")
            tx = self.ua.request(options, dest, transport=trunk.transport)
            try:
                resp = await tx.next(self.ua.timers.b + 1)
                while resp is not None and resp.status < 200:
                    resp = await tx.next(self.ua.timers.b + 1)
            finally:
                tx.cancel()
            if resp is not None and tx.failure is None:
                return True
        return False


async def locate_trunk(
    trunk: Trunk, family: socket.AddressFamily, dns_server: tuple[str, int] | None = None
) -> tuple[Trunk, tuple[str, int]]:
    """The trunk (its transport as DNS chose it) and the address its requests go to (RFC 3263)."""
    located, servers = await locate_servers(trunk, family, dns_server)
    return located, servers[0]


async def locate_servers(
    trunk: Trunk, family: socket.AddressFamily, dns_server: tuple[str, int] | None = None
) -> tuple[Trunk, list[tuple[str, int]]]:
    """The trunk (its transport as DNS chose it) and its servers' addresses in the order to try
    them: the SRV list (RFC 3263 §4.3), or the one address of a name or IP."""
    if trunk.locate:
        transport = None if trunk.transport_from_dns else trunk.transport
        found = await locate_all(trunk.host, transport, family, resolver_for(dns_server))
        if found:
            for server in found:
                log.info(
                    "trunk %s: SRV server %s:%d (%s)", trunk, server.server, server.port, server.transport
                )
            return replace(trunk, transport=found[0].transport), [(s.address, s.port) for s in found]
    return trunk, [await resolve(trunk, family)]


async def resolve(trunk: Trunk, family: socket.AddressFamily) -> tuple[str, int]:
    """The trunk's address in the local socket's family (A for IPv4, AAAA for IPv6)."""
    loop = asyncio.get_running_loop()
    kind = socket.SOCK_DGRAM if trunk.transport == "udp" else socket.SOCK_STREAM
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(trunk.host, trunk.port, type=kind), RESOLVE_TIMEOUT)
    except TimeoutError as exc:
        raise TrunkConfigError(
            f"trunk {trunk}: {trunk.host} did not resolve in {RESOLVE_TIMEOUT:.0f} s"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrunkConfigError(f"trunk {trunk}: {trunk.host} cannot be resolved ({reason})") from exc
    for fam, _, _, _, sockaddr in infos:
        if fam == family:
            return str(sockaddr[0]), int(sockaddr[1])
    ours, theirs = ("IPv6", "IPv4") if family == socket.AF_INET6 else ("IPv4", "IPv6")
    raise TrunkConfigError(
        f"trunk {trunk} has no {ours} address (only {theirs}); give a local address of the same family"
    )
