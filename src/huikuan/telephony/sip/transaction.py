"""Client transactions (RFC 3261 §17.1): Timer A/E retransmission over UDP, Timer B/F timeout.

An INVITE transaction stops retransmitting at the first provisional response; after a final
non-2xx it sends the ACK itself and keeps absorbing retransmitted finals for Timer D. A timeout
is delivered to the caller as a synthetic 408, as the RFC asks of a transaction user. Over a
reliable transport (TCP) the request is sent once, Timer B/F still bound the wait, and a lost
connection is a transport error delivered as a synthetic 503 (§8.1.3.1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from huikuan.telephony.sip.message import SipMessage


@dataclass(frozen=True, slots=True)
class Timers:
    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0

    @property
    def b(self) -> float:
        return 64 * self.t1


def timeout_response(
    request: SipMessage, status: int = 408, reason: str = "Request Timeout (local)"
) -> SipMessage:
    resp = SipMessage(status=status, reason=reason)
    resp.headers = [(h, v) for h, v in request.headers if h in ("Via", "From", "To", "Call-ID", "CSeq")]
    return resp


class ClientTransaction:
    """Sends `request`, retransmits until answered, hands responses over through `next()`."""

    def __init__(
        self,
        request: SipMessage,
        send: Callable[[bytes], object],
        timers: Timers,
        ack_builder: Callable[[SipMessage], SipMessage] | None = None,
        reliable: bool = False,
    ) -> None:
        self.request = request
        self.invite = request.method == "INVITE"
        self._send = send
        self._timers = timers
        self._ack_builder = ack_builder
        self._reliable = reliable
        self._wire = request.to_bytes()
        self._queue: asyncio.Queue[SipMessage] = asyncio.Queue()
        self._answered = asyncio.Event()
        self.final: SipMessage | None = None
        self.provisional = False
        self._ack: bytes | None = None
        self.on_2xx_again: Callable[[SipMessage], None] | None = None
        self.dest: tuple[str, int] | None = None
        # Why no real final response came: "timeout" (Timer B/F) or "transport" (ICMP
        # unreachable, a refused or lost connection); None when the far end answered.
        self.failure: str | None = None
        self._task = asyncio.get_running_loop().create_task(self._retransmit())

    async def _retransmit(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timers.b
        interval = self._timers.t1
        if self._send(self._wire) is False:  # a connection already known to be gone
            self.transport_failed()
            return
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0 and not self.provisional:
                self.failure = "timeout"
                self._deliver(timeout_response(self.request))
                return
            try:
                await asyncio.wait_for(self._answered.wait(), min(interval, max(remaining, 0.001)))
            except TimeoutError:
                if self.final is None and not (self.invite and self.provisional):
                    if not self._reliable and (loop.time() < deadline or self.provisional):
                        self._send(self._wire)
                    interval = interval * 2 if self.invite else min(interval * 2, self._timers.t2)
                    continue
            if self.final is not None or (self.invite and self.provisional):
                return
            self._answered.clear()

    def receive(self, response: SipMessage) -> None:
        """A response whose branch and method match this transaction."""
        if response.status < 200:
            if self.final is None:
                self.provisional = True
                self._answered.set()
                self._queue.put_nowait(response)
            return
        if self.final is not None:  # a retransmitted final
            if response.status >= 300 and self._ack is not None:
                self._send(self._ack)
            elif response.status < 300 and self.on_2xx_again is not None:
                self.on_2xx_again(response)
            return
        if self.invite and response.status >= 300 and self._ack_builder is not None:
            self._ack = self._ack_builder(response).to_bytes()
            self._send(self._ack)
        self._deliver(response)

    def _deliver(self, response: SipMessage) -> None:
        if response.status >= 200:
            self.final = response
        self._answered.set()
        self._queue.put_nowait(response)

    def transport_failed(self) -> None:
        """The connection carrying this transaction is gone: no final response can come on it."""
        if self.final is None:
            self._task.cancel()
            self.failure = "transport"
            self._deliver(timeout_response(self.request, 503, "Service Unavailable (transport)"))

    async def next(self, timeout: float) -> SipMessage | None:
        """The next response (a synthetic 408 on timeout of the transaction); None if `timeout` passes."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def cancel(self) -> None:
        self._task.cancel()
