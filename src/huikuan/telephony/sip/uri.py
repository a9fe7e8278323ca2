"""SIP URIs (RFC 3261 §19.1): `sip:`/`sips:`, a user part with its own params, a host that is a
name, an IPv4 address or an IPv6 reference in brackets, a port, uri-params and headers.

Written here rather than taken from PyPI: the only candidate found in the package index,
`sip-core` 0.0.1, is a single early release with no users, and the stacks that parse URIs well
(pjsua2, sippy) bring a whole user agent with them. The grammar needed is small, and this module
has no dependency, so it is a plain function with a strict error for anything it does not accept.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

DEFAULT_PORTS = {"sip": 5060, "sips": 5061}
_HOSTNAME = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$"
)
_TOKEN = re.compile(r"^[A-Za-z0-9\-_.!~*'()%\[\]/:&+$]+$")
_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]+$")
Param = tuple[str, str | None]


class SipUriError(ValueError):
    """Text that is not a SIP URI this user agent can use; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class SipUri:
    scheme: str  # "sip" or "sips"
    host: str  # a name, dotted IPv4, or IPv6 without brackets
    port: int | None = None  # None: the scheme's default (5060, 5061 for sips)
    user: str | None = None  # with its own params (e.g. "+8610086;phone-context=example.com")
    password: str | None = None
    params: tuple[Param, ...] = ()  # uri-params in order; names are lower-cased
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def ipv6(self) -> bool:
        return ":" in self.host

    @property
    def ip_literal(self) -> bool:
        """The host is an IP address, not a name (nothing to resolve)."""
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if self.ipv6 else self.host
        return host if self.port is None else f"{host}:{self.port}"

    def param(self, name: str) -> str | None:
        """The value of uri-param `name` ("" for a flag such as `;lr`), None if absent."""
        for key, value in self.params:
            if key == name.lower():
                return "" if value is None else value
        return None

    def with_user(self, user: str | None) -> SipUri:
        return replace(self, user=user, password=None)

    def __str__(self) -> str:
        userinfo = ""
        if self.user is not None:
            userinfo = self.user + (f":{self.password}" if self.password is not None else "") + "@"
        params = "".join(f";{k}" if v is None else f";{k}={v}" for k, v in self.params)
        headers = "&".join(f"{k}={v}" for k, v in self.headers)
        return f"{self.scheme}:{userinfo}{self.hostport}{params}" + (f"?{headers}" if headers else "")


def format_host(host: str) -> str:
    """`host` as it goes in a URI, Via or SDP-free header: IPv6 in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def hostport(host: str, port: int) -> str:
    return f"{format_host(host)}:{port}"


def parse_uri(text: str, *, default_scheme: str | None = None) -> SipUri:
    """Parse `text` as a SIP URI; with `default_scheme`, a bare `host[:port][;params]` is accepted."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in DEFAULT_PORTS:
        if default_scheme is None:
            raise SipUriError("a SIP URI starts with sip: or sips:")
        scheme, rest = default_scheme, text
    user: str | None = None
    password: str | None = None
    if "@" in rest:  # the user part cannot hold an unescaped "@" (RFC 3261 §25.1)
        userinfo, _, rest = rest.partition("@")
        user, _, pw = userinfo.partition(":")
        password = pw if _ else None
        if not user or not _USER.match(user):
            raise SipUriError("the user part is empty or holds characters that must be escaped")
    rest, _, header_text = rest.partition("?")
    hostport_text, *param_texts = rest.split(";")
    host, port = _host_and_port(hostport_text)
    params: list[Param] = []
    for item in param_texts:
        name, eq, value = item.partition("=")
        if not name or not _TOKEN.match(name) or (eq and not _TOKEN.match(value)):
            raise SipUriError(f"bad uri-param {item!r}")
        params.append((name.lower(), value if eq else None))
    headers: list[tuple[str, str]] = []
    if header_text:
        for item in header_text.split("&"):
            name, eq, value = item.partition("=")
            if not name or not eq:
                raise SipUriError(f"bad URI header {item!r}")
            headers.append((name, value))
    return SipUri(scheme, host, port, user, password, tuple(params), tuple(headers))


def _host_and_port(text: str) -> tuple[str, int | None]:
    port_text: str | None = None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise SipUriError("an IPv6 address needs its closing bracket")
        host, tail = text[1:end], text[end + 1 :]
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise SipUriError(f"{host!r} is not an IPv6 address") from exc
        if tail:
            if not tail.startswith(":"):
                raise SipUriError("only :port may follow an IPv6 reference")
            port_text = tail[1:]
    else:
        if text.count(":") > 1:
            raise SipUriError("an IPv6 address goes in brackets, e.g. sip:[::1]:5060")
        host, colon, tail = text.partition(":")
        port_text = tail if colon else None
        if not host or not _HOSTNAME.match(host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError as exc:
                raise SipUriError(f"{host!r} is not a host name or an IP address") from exc
    if port_text is None:
        return host.lower(), None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SipUriError(f"bad port {port_text!r}")
    return host.lower(), int(port_text)
