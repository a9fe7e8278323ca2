"""The user agent core: one UDP socket, transactions by branch, requests routed to dialogs.

Many calls share one `UserAgent` (one socket, one event loop). Datagrams that do not parse are
counted in `parse_errors` and dropped; a handler that raises is logged with the Call-ID and
answered 500, so one bad peer never takes the process down.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from huikuan.telephony.sip.message import SipMessage, SipParseError, parse, response_to
from huikuan.telephony.sip.transaction import ClientTransaction, Timers

log = logging.getLogger(__name__)
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


class DialogHandler(Protocol):
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
        try:
            msg = parse(data)
        except SipParseError as exc:
            self._ua.parse_errors += 1
            log.debug("dropped unparseable datagram: %s", exc)
            return
        try:
            self._ua.on_message(msg, (str(addr[0]), int(addr[1])))
        except Exception:
            self._ua.handler_errors += 1
            log.exception("SIP handler failed for call %s", msg.call_id)

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)


class UserAgent:
    """Owns the SIP socket; client transactions and dialogs register here."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, timers: Timers | None = None) -> None:
        self.host = host
        self.port = port
        self.timers = timers or Timers()
        self.parse_errors = 0
        self.handler_errors = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol: _Udp | None = None
        self._starting: asyncio.Future[None] | None = None
        self._transactions: dict[tuple[str, str], ClientTransaction] = {}
        self._dialogs: dict[str, DialogHandler] = {}
        self._answered: dict[tuple[str, str], bytes] = {}  # server side: responses for retransmits

    async def start(self) -> None:
        """Open the socket once, however many calls start dialling at the same moment."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._open())
        await asyncio.shield(self._starting)

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        transport, self._protocol = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(self.host, self.port)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    async def close(self) -> None:
        """Stop every transaction and close the socket (waits for the loop to release it)."""
        for tx in self._transactions.values():
            tx.cancel()
        self._transactions.clear()
        if self._transport is not None:
            self._transport.close()
            self._transport = None
            self._starting = None
            if self._protocol is not None:
                await self._protocol.lost

    def via(self, branch: str) -> str:
        return f"SIP/2.0/UDP {self.host}:{self.port};branch={branch};rport"

    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._transport is not None:
            self._transport.sendto(data, addr)

    def request(
        self,
        request: SipMessage,
        addr: tuple[str, int],
        ack_builder: Callable[[SipMessage], SipMessage] | None = None,
    ) -> ClientTransaction:
        """Start a client transaction; it stays registered for Timer D/K after its final response."""
        key = (request.branch, request.cseq[1])
        tx = ClientTransaction(request, lambda data: self.send(data, addr), self.timers, ack_builder)
        self._transactions[key] = tx
        asyncio.get_running_loop().call_later(self.timers.b + 32, self._transactions.pop, key, None)
        return tx

    def send_stateless(self, request: SipMessage, addr: tuple[str, int]) -> None:
        """ACK for a 2xx is its own transaction-less request (RFC 3261 §13.2.2.4)."""
        self.send(request.to_bytes(), addr)

    def register_dialog(self, call_id: str, handler: DialogHandler) -> None:
        self._dialogs[call_id] = handler

    def unregister_dialog(self, call_id: str) -> None:
        self._dialogs.pop(call_id, None)

    def on_message(self, msg: SipMessage, addr: tuple[str, int]) -> None:
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
            self.send(cached, addr)
            return
        handler = self._dialogs.get(msg.call_id)
        if handler is not None:
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
        self.send(wire, addr)
