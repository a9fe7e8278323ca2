"""SIP over TCP and TLS (RFC 3261 §18, §26.2): one connection per far end, reused by every call.

A `TcpFlow` is one connection. Requests are written to the flow of their destination (opened on
first use, buffered until connected); responses and requests from the far end arrive on the flow
and are answered on it. When a connection cannot be opened or is lost, the transactions waiting on
it are told (the RFC's transport error, which the transaction user sees as a 503).

TLS is the same stream with asyncio's ssl support: a `TcpTransport` given an `ssl.SSLContext`
opens TLS connections, checking the server's certificate against the name in `server_names`
(the trunk's host) or, failing that, the address itself. A failed handshake is a failed
connection: the waiting transactions fail at once, as when a TCP connection is refused.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any, cast

from huikuan.telephony.sip.stream import StreamFramer

log = logging.getLogger(__name__)
Addr = tuple[str, int]


class TcpFlow(asyncio.Protocol):
    """One TCP connection: frames what comes in, holds what goes out until it is connected."""

    def __init__(self, owner: TcpTransport, peer: Addr | None) -> None:
        self.peer = peer
        self._owner = owner
        self._transport: asyncio.Transport | None = None
        self._pending: list[bytes] = []
        self._framer = StreamFramer()
        self.closed = False
        # Told when the connection goes; transactions leave the set when they are dropped, so a
        # connection kept for days does not keep every transaction it ever carried.
        self.on_lost: set[Callable[[], None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        if self.peer is None:  # accepted: the far end opened it
            host, port = transport.get_extra_info("peername")[:2]
            self.peer = (str(host), int(port))
            self._owner.adopt(self)
        for data in self._pending:
            self._transport.write(data)
        self._pending.clear()

    @property
    def tls(self) -> bool:
        return self._owner.tls is not None

    def data_received(self, data: bytes) -> None:
        for message in self._framer.feed(data):
            self._owner.deliver(message, self)
        if self._framer.error is not None and not self.closed:
            # Nothing after a broken frame can be found again: drop the connection, keep the process.
            self._owner.framing_errors += 1
            log.debug("closing SIP/TCP connection: %s", self._framer.error)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._framer.pending:
            self._owner.framing_errors += 1  # the far end closed mid-message
        self._lost()

    def fail(self) -> None:
        """The connection could not be opened."""
        self._lost()

    def _lost(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._pending.clear()
        self._owner.forget(self)
        callbacks, self.on_lost = self.on_lost, set()
        for callback in callbacks:
            callback()

    def send(self, data: bytes) -> bool:
        """Write (or hold until connected); False when the connection is gone."""
        if self.closed:
            return False
        if self._transport is None:
            self._pending.append(data)
        else:
            self._transport.write(data)
        return True

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        else:
            self._lost()


class TcpTransport:
    """The TCP side of a user agent: a listener and the open flows keyed by the far end's address."""

    def __init__(self, deliver: Callable[[bytes, TcpFlow], None], tls: ssl.SSLContext | None = None) -> None:
        self._deliver = deliver
        self.tls = tls  # None: plain TCP
        self.name = "TLS" if tls is not None else "TCP"
        # The name a server's certificate must carry, by address (the trunk's host name).
        self.server_names: dict[Addr, str] = {}
        self.handshake_failures = 0
        self._flows: dict[Addr, TcpFlow] = {}
        self._server: asyncio.Server | None = None
        self._connecting: set[asyncio.Task[Any]] = set()
        self.framing_errors = 0
        self.connections_opened = 0

    async def listen(self, host: str, port: int) -> int | None:
        """Accept connections on `port` (for requests to our Contact); None if it is taken."""
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(lambda: TcpFlow(self, None), host, port)
        except OSError as exc:
            log.warning("SIP/TCP listener not opened on port %s: %s", port, exc.strerror)
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def flow_to(self, addr: Addr) -> TcpFlow:
        """The open connection to `addr`, or a new one being opened."""
        flow = self._flows.get(addr)
        if flow is not None and not flow.closed:
            return flow
        flow = TcpFlow(self, addr)
        self._flows[addr] = flow
        self.connections_opened += 1
        task = asyncio.get_running_loop().create_task(self._connect(flow, addr))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)
        return flow

    async def _connect(self, flow: TcpFlow, addr: Addr) -> None:
        loop = asyncio.get_running_loop()
        if self.tls is None:
            try:
                await loop.create_connection(lambda: flow, addr[0], addr[1])
            except OSError as exc:
                log.info("SIP/TCP connection to trunk failed: %s", exc.strerror)
                flow.fail()
            return
        name = self.server_names.get(addr, addr[0])
        try:
            await loop.create_connection(
                lambda: flow, addr[0], addr[1], ssl=self.tls, server_hostname=name, ssl_handshake_timeout=10
            )
        except ssl.SSLCertVerificationError as exc:
            self.handshake_failures += 1
            log.warning("SIP/TLS to trunk %s refused: certificate not trusted (%s)", name, exc.verify_message)
            flow.fail()
        except (OSError, TimeoutError) as exc:
            self.handshake_failures += isinstance(exc, ssl.SSLError | TimeoutError)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            if isinstance(exc, ssl.SSLError):
                reason = exc.reason or str(exc)
            log.warning("SIP/TLS connection to trunk %s failed: %s", name, reason)
            flow.fail()

    def adopt(self, flow: TcpFlow) -> None:
        if flow.peer is not None and flow.peer not in self._flows:
            self._flows[flow.peer] = flow

    def forget(self, flow: TcpFlow) -> None:
        if flow.peer is not None and self._flows.get(flow.peer) is flow:
            del self._flows[flow.peer]

    def deliver(self, message: bytes, flow: TcpFlow) -> None:
        self._deliver(message, flow)

    async def close(self) -> None:
        for task in list(self._connecting):
            task.cancel()
        for flow in list(self._flows.values()):
            flow.close()
        self._flows.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
