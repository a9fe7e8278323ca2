"""SIP URIs (RFC 3261 §19.1) and trunks built on them."""

from __future__ import annotations

import pytest

from huikuan.telephony.sip import Trunk
from huikuan.telephony.sip.uri import SipUri, SipUriError, parse_uri


def test_a_full_uri_keeps_every_part() -> None:
    uri = parse_uri(
        "sips:+8610086;phone-context=example.com:pw@Carrier.Example.com:5071;transport=tcp;lr?x=1&y=2"
    )
    assert uri == SipUri(
        scheme="sips",
        host="carrier.example.com",
        port=5071,
        user="+8610086;phone-context=example.com",
        password="pw",  # noqa: S106 - a URI field, not a credential
        params=(("transport", "tcp"), ("lr", None)),
        headers=(("x", "1"), ("y", "2")),
    )
    assert uri.param("lr") == ""
    assert uri.param("maddr") is None


@pytest.mark.parametrize(
    ("text", "host", "port", "effective"),
    [
        ("sip:10.0.0.5", "10.0.0.5", None, 5060),
        ("sips:10.0.0.5", "10.0.0.5", None, 5061),
        ("sip:[::1]:5262", "::1", 5262, 5262),
        ("sip:alice@[2001:db8::7]", "2001:db8::7", None, 5060),
        ("<sip:pbx.local:5080>", "pbx.local", 5080, 5080),
    ],
)
def test_hosts_and_default_ports(text: str, host: str, port: int | None, effective: int) -> None:
    uri = parse_uri(text)
    assert (uri.host, uri.port, uri.effective_port) == (host, port, effective)


def test_an_ipv6_uri_prints_with_brackets() -> None:
    assert str(parse_uri("sip:13800000000@[::1]:5262;user=phone")) == "sip:13800000000@[::1]:5262;user=phone"


@pytest.mark.parametrize(
    "bad",
    [
        "sip:::1",
        "sip:[::1",
        "sip:[nope]:5060",
        "sip:host:0",
        "sip:host:70000",
        "sip:@host",
        "sip:ho st",
        "http:x",
    ],
)
def test_bad_uris_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(SipUriError):
        parse_uri(bad)


def test_the_dialled_number_replaces_a_trunk_user_part_and_keeps_the_params() -> None:
    trunk = Trunk.parse("sip:10086@127.0.0.1:5099;user=phone")
    assert (trunk.host, trunk.port, trunk.user) == ("127.0.0.1", 5099, "10086")
    assert trunk.request_uri("13800000000") == "sip:13800000000@127.0.0.1:5099;user=phone"
    assert str(trunk) == "sip:10086@127.0.0.1:5099;user=phone"


def test_trunks_without_a_user_part_and_bare_host_ports_work_as_before() -> None:
    assert Trunk.parse("sip:10.0.0.5:5060;transport=tcp") == Trunk("10.0.0.5", 5060, "tcp")
    assert Trunk.parse("10.0.0.5") == Trunk("10.0.0.5", 5060, "udp")
    assert Trunk.parse("sip:[::1]:5262").request_uri("1") == "sip:1@[::1]:5262"
    assert Trunk.parse("sip:10.0.0.5;transport=TCP").request_uri("1") == "sip:1@10.0.0.5:5060;transport=tcp"


@pytest.mark.parametrize("bad", ["sips:10.0.0.5;transport=udp", "sip:10.0.0.5;transport=sctp", "sip:10086@"])
def test_trunks_we_cannot_use_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - SipUriError is a ValueError, as Trunk.parse always raised
        Trunk.parse(bad)
