"""SIP over TLS (RFC 3261 §26.2) against Kamailio's TLS module, with certificates made here.

A private CA (made with `cryptography`) signs Kamailio's server certificate for 127.0.0.1,
localhost and carrier.huikuan.test; the robot trusts that CA through `--tls-ca`'s context. A
second CA that signed nothing Kamailio shows stands for "not trusted"; a trunk name the
certificate does not carry stands for "wrong host name".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import math
import socket
import ssl
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from huikuan.errors import InvalidInput
from huikuan.telephony.sip import Credentials, SipCall, SipCarrier, Trunk, tls_context
from huikuan.telephony.sip.locate import Located, locate, resolver_for
from huikuan.telephony.srtp import SrtpPolicy
from huikuan.types import CallOutcome
from tests.telephony.sip.dnsmasq import Dnsmasq
from tests.telephony.sip.peers import Baresip, Kamailio

NUMBER, CALLER = "13800000000", "4001234567"
USER, PASSWORD = "robot", "s3cret-trunk"
SERVER_NAMES = ("localhost", "carrier.huikuan.test")


@dataclass(frozen=True)
class Pki:
    ca: Path  # the CA the robot is told to trust
    rogue_ca: Path  # a CA that signed nothing Kamailio shows
    server_cert: Path
    server_key: Path
    client_cert: Path  # signed by `ca`, for mutual TLS
    client_key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)
    return path


def _ca(tmp: Path, common: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = tmp / f"{common}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key, path


def _leaf(
    tmp: Path,
    name: str,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path],
    sans: list[x509.GeneralName],
    usage: x509.ObjectIdentifier,
) -> tuple[Path, Path]:
    ca_cert, ca_key, _ = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path = tmp / f"{name}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, _write_key(key, tmp / f"{name}.key")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    tmp = tmp_path_factory.mktemp("pki")
    ca = _ca(tmp, "huikuan-test-ca")
    rogue = _ca(tmp, "rogue-ca")
    sans: list[x509.GeneralName] = [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
    sans += [x509.DNSName(n) for n in SERVER_NAMES]
    server_cert, server_key = _leaf(tmp, "kamailio", ca, sans, x509.ExtendedKeyUsageOID.SERVER_AUTH)
    client_cert, client_key = _leaf(
        tmp, "robot", ca, [x509.DNSName("robot.huikuan.test")], x509.ExtendedKeyUsageOID.CLIENT_AUTH
    )
    return Pki(ca[2], rogue[2], server_cert, server_key, client_cert, client_key)


@pytest.fixture
def peers() -> Iterator[list[Baresip | Kamailio | Dnsmasq]]:
    started: list[Baresip | Kamailio | Dnsmasq] = []
    yield started
    for peer in reversed(started):
        if isinstance(peer, Dnsmasq):
            peer.kill()
        else:
            peer.stop()


def _tone(path: Path, seconds: float) -> Path:
    """A 440 Hz tone as 8 kHz mono WAV: what baresip plays while the call is up."""
    t = np.arange(int(seconds * 8000)) / 8000
    pcm = (8000 * np.sin(2 * math.pi * 440 * t)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    return path


def test_tls_trunks_are_parsed_from_sips_and_transport_tls() -> None:
    sips = Trunk.parse("sips:carrier.example")
    assert (sips.transport, sips.port, sips.sips, sips.locate) == ("tls", 5061, True, True)
    assert sips.request_uri(NUMBER) == f"sips:{NUMBER}@carrier.example"
    tls = Trunk.parse("sip:10.0.0.5;transport=TLS")
    assert (tls.transport, tls.port, tls.sips) == ("tls", 5061, False)
    assert tls.request_uri(NUMBER) == f"sip:{NUMBER}@10.0.0.5:5061;transport=tls"
    assert Trunk.parse("sips:10.0.0.5:5071;transport=tcp").transport == "tls"  # TLS over TCP (§26.2)
    with pytest.raises(ValueError, match="TLS, not udp"):
        Trunk.parse("sips:10.0.0.5;transport=udp")


def test_tls_settings_check_their_files(pki: Pki, tmp_path: Path) -> None:
    assert tls_context() is None  # nothing given: a TLS trunk trusts the system's CAs
    context = tls_context(str(pki.ca), str(pki.client_cert), str(pki.client_key))
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    with pytest.raises(InvalidInput, match="--tls-ca"):
        tls_context(str(tmp_path / "absent.pem"))
    with pytest.raises(InvalidInput, match="--tls-key needs --tls-cert"):
        tls_context(key_file=str(pki.client_key))
    with pytest.raises(InvalidInput, match="not loadable"):
        tls_context(cert_file=str(pki.client_cert), key_file=str(pki.server_key))  # not its key


@pytest.mark.parametrize("srtp", [False, True], ids=["rtp", "srtp"])
def test_a_call_over_tls_through_kamailio_with_digest_auth(
    srtp: bool, pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq]
) -> None:
    """With SRTP too, the SDES key travels only inside TLS, as docs/telephony.md asks on untrusted
    networks; the phone's audio reaches us only if both ends agreed on it."""
    phone = Baresip(
        tmp_path / "phone",
        NUMBER,
        _tone(tmp_path / "tone.wav", 30.0),
        mediaenc="srtp-mand" if srtp else None,
    )
    peers.append(phone)
    proxy = Kamailio(
        tmp_path / "proxy", phone.port, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    trunk = Trunk.parse(f"sips:localhost:{proxy.tls_port}")

    async def go() -> tuple[SipCall, int, int]:
        carrier = SipCarrier(
            [trunk],
            credentials=Credentials(USER, PASSWORD),
            tls_context=tls_context(str(pki.ca)),
            srtp=SrtpPolicy.MANDATORY if srtp else SrtpPolicy.OFF,
        )
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            up = await _heard_frames(call, 1.0)
            await call.hangup()
            return call, up, carrier.ua.tls.connections_opened
        finally:
            await carrier.close()

    call, frames, opened = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert opened == 1  # INVITE, its ACK and the BYE shared one TLS connection
    log = proxy.output()
    assert f"challenge INVITE {call.call_id}" in log  # 407 over TLS, then our digest was accepted
    assert f"relay INVITE {call.call_id}" in log
    assert f"ruri=sips:{NUMBER}@localhost:{proxy.tls_port}" in log
    assert f"authenticated BYE {call.call_id}" in log
    assert any(f":{proxy.tls_port}" in route and "transport=tls" in route for route in call.route_set)
    assert call.hangup_cause == "local_bye"
    assert phone.wait_for("terminated")  # our BYE reached the phone through the proxy
    assert frames > 20  # baresip's media reached us
    assert (call.rtp.srtp is not None) is srtp
    assert call.rtp.stats.dropped_auth == 0


def test_the_far_end_hangs_up_over_our_tls_connection(
    pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq]
) -> None:
    """We open no TLS listener: the phone's BYE must come back through the proxy on our connection
    (Via `;alias`, RFC 5923; Kamailio's tcp_accept_aliases)."""
    phone = Baresip(tmp_path / "phone", NUMBER, _tone(tmp_path / "tone.wav", 1.5))  # hangs up at its end
    peers.append(phone)
    proxy = Kamailio(
        tmp_path / "proxy", phone.port, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    trunk = Trunk.parse(f"sip:localhost:{proxy.tls_port};transport=tls")

    async def go() -> tuple[SipCall, bool, int]:
        carrier = SipCarrier(
            [trunk], credentials=Credentials(USER, PASSWORD), tls_context=tls_context(str(pki.ca))
        )
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            ended = await call.wait_ended(8)
            return call, ended, carrier.ua.tls.connections_opened
        finally:
            await carrier.close()

    call, ended, opened = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert ended
    assert call.remote_hung_up
    assert opened == 1
    assert f"ruri=sip:{NUMBER}@localhost:{proxy.tls_port};transport=tls" in proxy.output()


async def _heard_frames(call: SipCall, seconds: float) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    frames = 0
    while (left := deadline - loop.time()) > 0:
        chunk = await call.receive_audio(left)
        if chunk is None:
            break
        frames += 1 if np.abs(chunk).max(initial=0) > 1000 else 0
    return frames


def _refused(
    trunk: Trunk, context: ssl.SSLContext | None, dns: tuple[str, int] | None = None
) -> tuple[SipCall, float, int]:
    async def go() -> tuple[SipCall, float, int]:
        carrier = SipCarrier([trunk], tls_context=context, dns_server=dns)
        await carrier.start()
        started = time.monotonic()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=30)
            return call, time.monotonic() - started, carrier.ua.tls.handshake_failures
        finally:
            await carrier.close()

    return asyncio.run(go())


def test_an_untrusted_certificate_is_refused_at_once_as_a_trunk_failure(
    pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq], caplog: pytest.LogCaptureFixture
) -> None:
    proxy = Kamailio(
        tmp_path / "proxy", 9, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    caplog.set_level(logging.WARNING, "huikuan.telephony.sip.tcp")
    call, seconds, failures = _refused(
        Trunk.parse(f"sips:127.0.0.1:{proxy.tls_port}"), tls_context(str(pki.rogue_ca))
    )
    assert call.result.outcome == CallOutcome.TRUNK_FAILED  # never against the debtor's caps
    assert call.result.cause == "trunk:transport"
    assert call.result.sip_status == 503
    assert seconds < 3  # at the handshake, not after Timer B's 32 s
    assert failures == 1
    lines = [r.getMessage() for r in caplog.records if "SIP/TLS" in r.getMessage()]
    assert len(lines) == 1
    assert "certificate not trusted" in lines[0]
    assert "unable to get local issuer certificate" in lines[0]
    assert f"relay INVITE {call.call_id}" not in proxy.output()


def test_the_system_cas_do_not_trust_a_private_ca(
    pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq]
) -> None:
    proxy = Kamailio(
        tmp_path / "proxy", 9, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    call, seconds, failures = _refused(Trunk.parse(f"sips:127.0.0.1:{proxy.tls_port}"), None)
    assert (call.result.outcome, call.result.cause, failures) == (
        CallOutcome.TRUNK_FAILED,
        "trunk:transport",
        1,
    )
    assert seconds < 3


def test_a_certificate_for_another_host_name_is_refused(
    pki: Pki,
    tmp_path: Path,
    peers: list[Baresip | Kamailio | Dnsmasq],
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy = Kamailio(
        tmp_path / "proxy", 9, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    # other.huikuan.test leads (NAPTR SIPS+D2T, SRV _sips._tcp) to the very same Kamailio, whose
    # certificate does not name it: the name checked is the trunk's, not the SRV target's.
    dns = Dnsmasq(
        [
            "--naptr-record=other.huikuan.test,10,50,s,SIPS+D2T,,_sips._tcp.other.huikuan.test",
            f"--srv-host=_sips._tcp.other.huikuan.test,localhost.huikuan.test,{proxy.tls_port},10,5",
            "--host-record=localhost.huikuan.test,127.0.0.1",
        ]
    )
    peers.append(dns)
    caplog.set_level(logging.WARNING, "huikuan.telephony.sip.tcp")
    call, seconds, failures = _refused(
        Trunk.parse("sips:other.huikuan.test"), tls_context(str(pki.ca)), dns.server
    )
    assert (call.result.outcome, call.result.cause, failures) == (
        CallOutcome.TRUNK_FAILED,
        "trunk:transport",
        1,
    )
    assert seconds < 3
    lines = [r.getMessage() for r in caplog.records if "SIP/TLS" in r.getMessage()]
    assert len(lines) == 1
    assert "other.huikuan.test" in lines[0]
    assert "Hostname mismatch" in lines[0]


def test_sips_names_are_located_by_naptr_sips_d2t_and_srv_sips_tcp(
    pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq]
) -> None:
    proxy = Kamailio(
        tmp_path / "proxy", 9, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, None)
    )
    peers.append(proxy)
    dns = Dnsmasq(
        [
            "--naptr-record=carrier.huikuan.test,10,50,s,SIP+D2U,,_sip._udp.carrier.huikuan.test",
            "--naptr-record=carrier.huikuan.test,20,50,s,SIPS+D2T,,_sips._tcp.carrier.huikuan.test",
            f"--srv-host=_sip._udp.carrier.huikuan.test,sip1.huikuan.test,{proxy.port},10,5",
            f"--srv-host=_sips._tcp.carrier.huikuan.test,sip1.huikuan.test,{proxy.tls_port},10,5",
            "--host-record=sip1.huikuan.test,127.0.0.1",
        ]
    )
    peers.append(dns)
    resolver = resolver_for(dns.server)

    async def go() -> tuple[Located | None, Located | None, bool]:
        tls = await locate("carrier.huikuan.test", "tls", socket.AF_INET, resolver)
        plain = await locate("carrier.huikuan.test", None, socket.AF_INET, resolver)
        # The OPTIONS probe over TLS: Kamailio answers it (its certificate names carrier.huikuan.test).
        carrier = SipCarrier(
            [Trunk.parse("sips:carrier.huikuan.test")],
            tls_context=tls_context(str(pki.ca)),
            dns_server=dns.server,
        )
        try:
            up = await carrier.probe()
        finally:
            await carrier.close()
        return tls, plain, up

    tls, plain, up = asyncio.run(go())
    assert tls is not None
    assert plain is not None
    assert (tls.transport, tls.port) == ("tls", proxy.tls_port)
    assert (plain.transport, plain.port) == ("udp", proxy.port)  # NAPTR order: UDP first
    assert up


def test_mutual_tls_needs_the_client_certificate(
    pki: Pki, tmp_path: Path, peers: list[Baresip | Kamailio | Dnsmasq]
) -> None:
    proxy = Kamailio(
        tmp_path / "proxy", 9, USER, PASSWORD, CALLER, tls=(pki.server_cert, pki.server_key, pki.ca)
    )
    peers.append(proxy)
    trunk = Trunk.parse(f"sip:127.0.0.1:{proxy.tls_port};transport=tls")

    async def probe(context: ssl.SSLContext | None) -> bool:
        carrier = SipCarrier([trunk], tls_context=context)
        try:
            return await carrier.probe()
        finally:
            await carrier.close()

    with_cert = tls_context(str(pki.ca), str(pki.client_cert), str(pki.client_key))
    assert asyncio.run(probe(with_cert))
    assert not asyncio.run(probe(tls_context(str(pki.ca))))  # Kamailio ends the handshake
