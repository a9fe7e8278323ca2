"""Framing SIP messages out of a byte stream (RFC 3261 §18.3): headers, then Content-Length bytes.

Over TCP a message's end is known only from its Content-Length, so the header is mandatory there.
A framing error (no or bad Content-Length, headers or body too large) leaves no way to find the
next message: the caller closes the connection. A message that frames but does not parse is only
dropped, because the stream stays in step.
"""

from __future__ import annotations

import re

from huikuan.telephony.sip.message import MAX_MESSAGE_BYTES

_CONTENT_LENGTH = re.compile(
    rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t\r]*$", re.IGNORECASE | re.MULTILINE
)


class FramingError(ValueError):
    """The stream cannot be split into messages any more (the text says why, never the content)."""


class StreamFramer:
    """Feed received bytes; get back each complete message's bytes, in order.

    When the stream breaks, `feed` still returns the messages framed before the break and sets
    `error`; the buffer is dropped so nothing more comes out.
    """

    def __init__(self, max_message: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_message
        self.error: FramingError | None = None

    @property
    def pending(self) -> int:
        """Bytes of an unfinished message (non-zero when a peer closes mid-message)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        if self.error is not None:
            return []
        self._buffer += data
        messages: list[bytes] = []
        try:
            self._split(messages)
        except FramingError as exc:
            self.error = exc
            self._buffer.clear()
        return messages

    def _split(self, messages: list[bytes]) -> None:
        while True:
            # CRLFs between messages are keep-alives (RFC 5626 §3.5.1).
            start = 0
            while start < len(self._buffer) and self._buffer[start] in b"\r\n":
                start += 1
            if start:
                del self._buffer[:start]
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > self._max:
                    raise FramingError("headers too large")
                return
            head = bytes(self._buffer[:end])
            lengths = _CONTENT_LENGTH.findall(head)
            if len(lengths) != 1:
                raise FramingError("stream message needs exactly one Content-Length")
            if not lengths[0].isdigit():
                raise FramingError("bad Content-Length")
            total = end + 4 + int(lengths[0])
            if total > self._max:
                raise FramingError("message too large")
            if len(self._buffer) < total:
                return
            messages.append(bytes(self._buffer[:total]))
            del self._buffer[:total]
