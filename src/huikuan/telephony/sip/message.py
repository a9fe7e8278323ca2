"""SIP messages (RFC 3261 §7): strict parsing that never crashes on hostile input, and serialising.

Hand-written because the candidate libraries (sippy, pyVoIP) are not asyncio and tie parsing to
their own thread models; a carrier needs only the small subset a user-agent client uses. Any
datagram that does not parse raises `SipParseError`, which the transport counts and drops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE_BYTES = 65_535
MAX_HEADERS = 128
COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
}
CANONICAL = {
    "via": "Via",
    "from": "From",
    "to": "To",
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "contact": "Contact",
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "max-forwards": "Max-Forwards",
    "www-authenticate": "WWW-Authenticate",
    "proxy-authenticate": "Proxy-Authenticate",
    "authorization": "Authorization",
    "proxy-authorization": "Proxy-Authorization",
    "record-route": "Record-Route",
    "route": "Route",
    "user-agent": "User-Agent",
    "allow": "Allow",
    "accept": "Accept",
    "supported": "Supported",
    "reason": "Reason",
}
REQUIRED = ("via", "from", "to", "call-id", "cseq")
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 ([1-6][0-9][0-9]) ?(.*)$")
_REQUEST_LINE = re.compile(r"^([A-Za-z]+) (\S+) SIP/2\.0$")
_CSEQ = re.compile(r"^\s*([0-9]{1,10})\s+([A-Za-z]+)\s*$")
_TAG = re.compile(r";\s*tag=([^;>\s]+)", re.IGNORECASE)
_BRANCH = re.compile(r";\s*branch=([^;,\s]+)", re.IGNORECASE)
_URI_IN_BRACKETS = re.compile(r"<([^>]*)>")


class SipParseError(ValueError):
    """A datagram is not a well-formed SIP message (the text says what, never the content)."""


def canonical(name: str) -> str:
    low = name.lower()
    low = COMPACT.get(low, low)
    return CANONICAL.get(low, "-".join(part.capitalize() for part in low.split("-")))


@dataclass(slots=True)
class SipMessage:
    """A request (method, uri) or a response (status, reason); headers keep order and repeats."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    method: str = ""
    uri: str = ""
    status: int = 0
    reason: str = ""

    @property
    def is_request(self) -> bool:
        return self.status == 0

    def get(self, name: str) -> str | None:
        key = canonical(name)
        for header, value in self.headers:
            if header == key:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        key = canonical(name)
        out: list[str] = []
        for header, value in self.headers:
            if header == key:
                out.extend(split_commas(value) if key in ("Via", "Record-Route", "Route") else [value])
        return out

    def set(self, name: str, value: str) -> None:
        key = canonical(name)
        self.headers = [(h, v) for h, v in self.headers if h != key]
        self.headers.append((key, value))

    def add(self, name: str, value: str) -> None:
        self.headers.append((canonical(name), value))

    @property
    def call_id(self) -> str:
        return self.get("Call-ID") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        match = _CSEQ.match(self.get("CSeq") or "")
        if match is None:
            raise SipParseError("bad CSeq")
        return int(match.group(1)), match.group(2).upper()

    @property
    def branch(self) -> str:
        via = self.get_all("Via")
        match = _BRANCH.search(via[0]) if via else None
        return match.group(1) if match else ""

    def to_bytes(self) -> bytes:
        start = (
            f"{self.method} {self.uri} SIP/2.0" if self.is_request else f"SIP/2.0 {self.status} {self.reason}"
        )
        lines = [start]
        lines.extend(f"{h}: {v}" for h, v in self.headers if h != "Content-Length")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


def split_commas(value: str) -> list[str]:
    """Split a header value on commas outside quotes and angle brackets."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        elif ch == "," and not quoted and depth == 0:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


def tag_of(value: str | None) -> str:
    match = _TAG.search(value or "")
    return match.group(1) if match else ""


def uri_of(value: str) -> str:
    """The URI of a name-addr (`"x" <sip:a@b>;tag=1`) or addr-spec (`sip:a@b;tag=1`)."""
    match = _URI_IN_BRACKETS.search(value)
    if match:
        return match.group(1).strip()
    return value.split(";", 1)[0].strip()


def parse(data: bytes) -> SipMessage:
    """Parse one SIP message from a datagram (or a framed stream chunk); raise SipParseError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise SipParseError("message too large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
        if not sep:
            raise SipParseError("no end of headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SipParseError("headers are not UTF-8") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)  # RFC 3261 §7.5: ignore CRLFs before the start line
    if not lines:
        raise SipParseError("empty message")
    msg = SipMessage()
    start = lines[0].strip()
    status_match = _STATUS_LINE.match(start)
    if status_match:
        msg.status, msg.reason = int(status_match.group(1)), status_match.group(2).strip()
    else:
        request_match = _REQUEST_LINE.match(start)
        if request_match is None:
            raise SipParseError("bad start line")
        msg.method, msg.uri = request_match.group(1).upper(), request_match.group(2)
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            if not msg.headers:
                raise SipParseError("continuation before any header")
            name, value = msg.headers[-1]
            msg.headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or not _TOKEN.match(name):
            raise SipParseError("bad header line")
        msg.headers.append((canonical(name), value.strip()))
        if len(msg.headers) > MAX_HEADERS:
            raise SipParseError("too many headers")
    for required in REQUIRED:
        if msg.get(required) is None:
            raise SipParseError(f"missing {canonical(required)}")
    msg.cseq  # noqa: B018 - validates the CSeq header now rather than at first use
    if not msg.branch and msg.is_request:
        raise SipParseError("Via without branch")
    length_text = msg.get("Content-Length")
    if length_text is not None:
        if not length_text.isdigit():
            raise SipParseError("bad Content-Length")
        length = int(length_text)
        if length > len(body):
            raise SipParseError("truncated body")
        body = body[:length]
    msg.body = body
    return msg


def response_to(request: SipMessage, status: int, reason: str, to_tag: str = "") -> SipMessage:
    """A response copying Via, From, To (adding our tag), Call-ID and CSeq from `request`."""
    resp = SipMessage(status=status, reason=reason)
    for via in request.get_all("Via"):
        resp.add("Via", via)
    resp.add("From", request.get("From") or "")
    to = request.get("To") or ""
    if to_tag and not tag_of(to):
        to = f"{to};tag={to_tag}"
    resp.add("To", to)
    resp.add("Call-ID", request.call_id)
    resp.add("CSeq", request.get("CSeq") or "")
    return resp
