"""The user agent core: one UDP socket and TCP flows, transactions by branch, requests to dialogs.

Many calls share one `UserAgent` (one socket, one event loop). UDP is the default; a trunk with
`;transport=tcp` goes over one reused TCP connection per far end (`tcp.py`), and a `sips:` trunk
or one with `;transport=tls` over one TLS connection (`tls_context`: the CAs to trust and any
client certificate; no TLS listener is opened, so the far end answers on our connection). Messages that do not
parse are counted in `parse_errors` and dropped; a handler that raises is logged with the Call-ID
and answered 500, so one bad peer never takes the process down.

A request reaches a dialog only when the dialog accepts it (Call-ID, both tags and the source
host, see `SipCall.accepts`); anything else is answered 481 and counted in `dialog_rejects`, so a
stranger who learns a Call-ID can neither end nor re-route a call.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import secrets
import socket
import ssl
import struct
import sys
from collections.abc import Callable
from typing import Any, Literal, Protocol

from huikuan.telephony.sip.message import SipMessage, SipParseError, parse, response_to
from huikuan.telephony.sip.tcp import TcpFlow, TcpTransport
from huikuan.telephony.sip.transaction import ClientTransaction, Timers
from huikuan.telephony.sip.uri import hostport

log = logging.getLogger(__name__)
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY"  # what SipCall.on_request answers
Transport = Literal["udp", "tcp", "tls"]
# Linux asks for ICMP errors on an unconnected UDP socket with IP_RECVERR / IPV6_RECVERR (Python
# 3.11 has no names for them); the error queue then gives back each failed datagram's start and
# destination, so a port-unreachable fails the very transaction that sent it (ip(7), ipv6(7)).
_RECVERR = {socket.AF_INET: (socket.IPPROTO_IP, 11), socket.AF_INET6: (socket.IPPROTO_IPV6, 25)}
_UNREACHABLE = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})
_BRANCH = re.compile(rb"[\r\n]v(?:ia)?:[^\r\n]*?;\s*branch=([^;,\s]+)", re.IGNORECASE)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


class DialogHandler(Protocol):
    def accepts(self, request: SipMessage, addr: tuple[str, int]) -> bool: ...

    def refused(self) -> int:
        """Count one refused in-dialog request; returns how many so far."""
        ...

    def on_request(self, request: SipMessage, addr: tuple[str, int]) -> SipMessage: ...


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, ua: UserAgent) -> None:
        self._ua = ua
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if not data.strip():
            return  # keep-alive CRLF (RFC 5626)
        self._ua.receive(data, (str(addr[0]), int(addr[1])), None)

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)
        self._ua.read_error_queue()


class UserAgent:
    """Owns the SIP socket; client transactions and dialogs register here."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        timers: Timers | None = None,
        public_host: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host  # the address the sockets bind (0.0.0.0 / :: for every interface)
        # What the far end must reach us at (Via, Contact, SDP): a NAT's public address, or the bound one.
        self.public_host = public_host or host
        self.port = port
        self.timers = timers or Timers()
        self.parse_errors = 0
        self.handler_errors = 0
        self.dialog_rejects = 0  # in-dialog requests with a wrong tag or from a stranger: 481
        self._transport: asyncio.DatagramTransport | None = None
        self._sock: socket.socket | None = None
        self._protocol: _Udp | None = None
        self.transport_errors = 0
        self._starting: asyncio.Future[None] | None = None
        self._transactions: dict[tuple[str, str], ClientTransaction] = {}
        self._dialogs: dict[str, DialogHandler] = {}
        self._answered: dict[tuple[str, str], bytes] = {}  # server side: responses for retransmits
        self.tcp = TcpTransport(self._receive_stream)
        self.tcp_port: int | None = None
        # TLS flows (created on first use: the default context loads the system's CAs).
        self._tls_context = tls_context
        self._tls: TcpTransport | None = None

    @property
    def tls(self) -> TcpTransport:
        if self._tls is None:
            self._tls = TcpTransport(self._receive_stream, self._tls_context or client_tls_context())
        return self._tls

    def stream(self, transport: Transport) -> TcpTransport:
        return self.tls if transport == "tls" else self.tcp

    @property
    def family(self) -> socket.AddressFamily:
        """The local address's family: trunks and phones are resolved in it."""
        return socket.AF_INET6 if ":" in self.host else socket.AF_INET

    async def start(self) -> None:
        """Open the socket once, however many calls start dialling at the same moment."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._open())
        await asyncio.shield(self._starting)

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        family = self.family
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.bind((self.host, self.port))
            if sys.platform == "linux":
                sock.setsockopt(*_RECVERR[family], 1)
        except OSError:
            sock.close()
            raise
        transport, self._protocol = await loop.create_datagram_endpoint(lambda: _Udp(self), sock=sock)
        self._transport = transport
        self._sock = sock
        self.port = transport.get_extra_info("sockname")[1]
        # The same port number over TCP, so a far end may open a connection to our Contact.
        self.tcp_port = await self.tcp.listen(self.host, self.port)

    async def close(self) -> None:
        """Stop every transaction and close the socket (waits for the loop to release it)."""
        for tx in self._transactions.values():
            tx.cancel()
        self._transactions.clear()
        await self.tcp.close()
        if self._tls is not None:
            await self._tls.close()
        if self._transport is not None:
            self._transport.close()
            self._transport = None
            self._sock = None
            self._starting = None
            if self._protocol is not None:
                await self._protocol.lost

    def via(self, branch: str, transport: Transport = "udp") -> str:
        port = (self.tcp_port or self.port) if transport != "udp" else self.port
        # Over TLS nobody can open a connection to us (no listener, no server certificate):
        # `;alias` (RFC 5923) asks the far end to send its requests back on our connection.
        alias = ";alias" if transport == "tls" else ""
        sent_by = hostport(self.public_host, port)
        return f"SIP/2.0/{transport.upper()} {sent_by};branch={branch};rport{alias}"

    def contact(self, transport: Transport = "udp", scheme: str = "sip") -> str:
        """Our Contact; over TLS `sips:` when the Request-URI is sips (RFC 5630 §3.1.3)."""
        if transport == "tls":
            where = hostport(self.public_host, self.tcp_port or self.port)
            return f"<{scheme}:huikuan@{where};transport=tls>"
        if transport == "tcp":
            return f"<sip:huikuan@{hostport(self.public_host, self.tcp_port or self.port)};transport=tcp>"
        return f"<sip:huikuan@{hostport(self.public_host, self.port)}>"

    def read_error_queue(self) -> None:
        """Fail at once the transactions whose datagrams came back as ICMP unreachable.

        Called on the socket's error report. The queue must be emptied: while it holds an entry
        the socket stays readable and the loop would spin on it.
        """
        sock = self._sock
        if sock is None or sys.platform != "linux":
            return
        while True:
            try:
                data, ancillary, _, addr = sock.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
            except OSError:  # BlockingIOError: empty
                return
            code = next((struct.unpack_from("=I", d)[0] for _, _, d in ancillary if len(d) >= 4), 0)
            if code in _UNREACHABLE:
                self.transport_errors += 1
                self._transport_error(data, (str(addr[0]), int(addr[1])) if addr else None)

    def _transport_error(self, quoted: bytes, addr: tuple[str, int] | None) -> None:
        """ICMP quotes the start of our datagram: its request line and top Via name the transaction."""
        method = quoted.split(b" ", 1)[0].decode("ascii", "replace")
        found = _BRANCH.search(quoted)
        tx = self._transactions.get((found.group(1).decode("ascii", "replace"), method)) if found else None
        if tx is not None:
            tx.transport_failed()
            return
        for tx in list(self._transactions.values()):  # quote too short: whatever went to that address
            if addr is not None and tx.dest == addr:
                tx.transport_failed()

    def send(self, data: bytes, addr: tuple[str, int], transport: Transport = "udp") -> bool:
        """Send one message; False when a TCP connection is known to be gone."""
        if transport != "udp":
            return self.stream(transport).flow_to(addr).send(data)
        if self._transport is not None:
            self._transport.sendto(data, addr)
        return True

    def request(
        self,
        request: SipMessage,
        addr: tuple[str, int],
        ack_builder: Callable[[SipMessage], SipMessage] | None = None,
        transport: Transport = "udp",
    ) -> ClientTransaction:
        """Start a client transaction; it stays registered for Timer D/K after its final response.

        Over TCP and TLS the request is sent once (no Timer A/E, RFC 3261 §17.1.1.2/§17.1.2.2) and a lost
        connection fails the transaction at once instead of at Timer B.
        """
        key = (request.branch, request.cseq[1])
        flow: TcpFlow | None = None
        if transport != "udp":
            flow = self.stream(transport).flow_to(addr)
            tx = ClientTransaction(request, flow.send, self.timers, ack_builder, reliable=True)
            flow.on_lost.add(tx.transport_failed)
        else:
            tx = ClientTransaction(request, lambda data: self.send(data, addr), self.timers, ack_builder)
        tx.dest = addr
        self._transactions[key] = tx
        asyncio.get_running_loop().call_later(self.timers.b + 32, self._drop, key, tx, flow)
        return tx

    def _drop(self, key: tuple[str, str], tx: ClientTransaction, flow: TcpFlow | None) -> None:
        if self._transactions.get(key) is tx:
            del self._transactions[key]
        if flow is not None:
            flow.on_lost.discard(tx.transport_failed)

    def send_stateless(
        self, request: SipMessage, addr: tuple[str, int], transport: Transport = "udp"
    ) -> None:
        """ACK for a 2xx is its own transaction-less request (RFC 3261 §13.2.2.4)."""
        self.send(request.to_bytes(), addr, transport)

    def _receive_stream(self, data: bytes, flow: TcpFlow) -> None:
        assert flow.peer is not None  # noqa: S101 - a flow delivering data is connected
        self.receive(data, flow.peer, flow)

    def receive(self, data: bytes, addr: tuple[str, int], flow: TcpFlow | None) -> None:
        """One message from a datagram or a TCP frame; never raises."""
        try:
            msg = parse(data)
        except SipParseError as exc:
            self.parse_errors += 1
            log.debug("dropped unparseable message: %s", exc)
            return
        try:
            self.on_message(msg, addr, flow)
        except Exception:
            self.handler_errors += 1
            log.exception("SIP handler failed for call %s", msg.call_id)

    def register_dialog(self, call_id: str, handler: DialogHandler) -> None:
        self._dialogs[call_id] = handler

    def unregister_dialog(self, call_id: str) -> None:
        self._dialogs.pop(call_id, None)

    def on_message(self, msg: SipMessage, addr: tuple[str, int], flow: TcpFlow | None = None) -> None:
        if not msg.is_request:
            tx = self._transactions.get((msg.branch, msg.cseq[1]))
            if tx is not None:
                tx.receive(msg)
            return
        if msg.method == "ACK":
            return  # ACKs for our 2xx to a re-INVITE need no reply
        key = (msg.branch, msg.method)
        cached = self._answered.get(key)
        if cached is not None:
            self._reply(cached, addr, flow)
            return
        handler = self._dialogs.get(msg.call_id)
        if handler is not None and not handler.accepts(msg, addr):
            self.dialog_rejects += 1
            # One WARNING per call, DEBUG after: a flood of forged requests must not flood the logs.
            first = handler.refused() == 1
            (log.warning if first else log.debug)(
                "in-dialog %s for call %s refused: tags or source do not match", msg.method, msg.call_id
            )
            resp = response_to(msg, 481, "Call/Transaction Does Not Exist")
        elif handler is not None:
            try:
                resp = handler.on_request(msg, addr)
            except Exception:
                self.handler_errors += 1
                log.exception("dialog handler failed for call %s", msg.call_id)
                resp = response_to(msg, 500, "Server Internal Error")
        elif msg.method == "OPTIONS":
            resp = response_to(msg, 200, "OK", new_tag())
            resp.add("Allow", ALLOW)
            resp.add("Accept", "application/sdp")
        elif msg.method == "INVITE":
            resp = response_to(msg, 603, "Decline", new_tag())  # outbound-only robot
        else:
            resp = response_to(msg, 481, "Call/Transaction Does Not Exist", new_tag())
        wire = resp.to_bytes()
        self._answered[key] = wire
        asyncio.get_running_loop().call_later(self.timers.b, self._answered.pop, key, None)
        self._reply(wire, addr, flow)

    def _reply(self, wire: bytes, addr: tuple[str, int], flow: TcpFlow | None) -> None:
        """Responses go back the way the request came (RFC 3261 §18.2.2): its connection over TCP."""
        if flow is None:
            self.send(wire, addr)
        elif not flow.send(wire):
            self.send(wire, addr, "tls" if flow.tls else "tcp")


def client_tls_context(
    ca_file: str | None = None, cert_file: str | None = None, key_file: str | None = None
) -> ssl.SSLContext:
    """A TLS client context that checks the server: the system's CAs (or only `ca_file`) and the
    host name; with `cert_file` (and `key_file`), the client certificate a mutual-TLS trunk asks for.
    Verification cannot be turned off: a private CA goes in `ca_file`."""
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file:
        context.load_cert_chain(cert_file, key_file or None)
    return context
