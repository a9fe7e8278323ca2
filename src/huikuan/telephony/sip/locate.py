"""Where a trunk named by DNS is (RFC 3263 §4): NAPTR for the transport, SRV for servers and ports.

A trunk URI with a host *name* and no port (`sip:carrier.example`) is located the way RFC 3263
says a SIP client finds a server: without a `transport` parameter, NAPTR records of the name pick
the transport (`SIP+D2U` → UDP, `SIP+D2T` → TCP, in order and preference) and name the SRV record
to read; with one (or without usable NAPTR records), the SRV record `_sip._udp.NAME` (or `_tcp`)
lists the servers, taken by priority and, within a priority, by weight (RFC 2782); the first
server's address (A or AAAA, in the local socket's family) and port are the destination, and the
Request-URI keeps the name. The others, in that order, are where a call goes when the first fails
at the transport level, times out without any response, or answers 503 (RFC 3263 §4.3; the
carrier's `dial`). No SRV record either: the name's own address on port 5060, as before.
An IP address or an explicit port skips all of this (RFC 3263 §4.2).

Lookups use dnspython's asyncio resolver (the system's resolv.conf, or the `dns_server` a test or
an operator gives) so the event loop never waits on a blocking resolver. RFC 3263 itself is not
in any Python library; this is the part of it a trunk needs. TLS (a `sips:` URI or
`;transport=tls`): NAPTR `SIPS+D2T` records name the SRV record, else `_sips._tcp.NAME`; without a
transport in the URI, a NAPTR `SIPS+D2T` record may pick TLS as it would pick UDP or TCP.
"""

from __future__ import annotations

import logging
import random
import socket
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.resolver

from huikuan.telephony.sip.ua import Transport

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 3.0  # seconds for one DNS question (all servers of the resolver)
NAPTR_SERVICES: dict[str, Transport] = {"SIP+D2U": "udp", "SIP+D2T": "tcp", "SIPS+D2T": "tls"}
SRV_PREFIX: dict[Transport, str] = {"udp": "_sip._udp", "tcp": "_sip._tcp", "tls": "_sips._tcp"}
_NO_RECORD = (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers)


@dataclass(frozen=True, slots=True)
class Located:
    transport: Transport
    address: str  # an IP address in the requested family
    port: int
    server: str  # the SRV target's name (for logs and errors)


def resolver_for(dns_server: tuple[str, int] | None) -> dns.asyncresolver.Resolver:
    """The system's resolver, or one asking only `dns_server` (host, port)."""
    if dns_server is None:
        return dns.asyncresolver.Resolver()
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns_server[0]]
    resolver.port = dns_server[1]
    return resolver


async def locate(
    name: str,
    transport: Transport | None,
    family: socket.AddressFamily,
    resolver: dns.asyncresolver.Resolver,
) -> Located | None:
    """The server for a trunk named `name` (transport None: NAPTR decides); None without SRV records."""
    servers = await locate_all(name, transport, family, resolver)
    return servers[0] if servers else None


async def locate_all(
    name: str,
    transport: Transport | None,
    family: socket.AddressFamily,
    resolver: dns.asyncresolver.Resolver,
) -> list[Located]:
    """Every server of the first SRV record with a reachable target, in the order to try them
    (RFC 2782: priority, then weight); targets without an address are left out. [] without SRV."""
    for chosen, srv_name in await _srv_names(name, transport, resolver):
        found = []
        for target, port in await _servers(srv_name, resolver):
            address = await _address(target, family, resolver)
            if address is not None:
                found.append(Located(chosen, address, port, target))
        if found:
            return found
    return []


async def _srv_names(
    name: str, transport: Transport | None, resolver: dns.asyncresolver.Resolver
) -> list[tuple[Transport, str]]:
    """(transport, SRV name) pairs to try in order."""
    if transport is not None and transport != "tls":
        return [(transport, f"{SRV_PREFIX[transport]}.{name}")]
    naptr = []
    for record in await _answer(resolver, name, "NAPTR"):
        service = record.service.decode("ascii", "replace").upper()
        if record.flags.decode("ascii", "replace").lower() == "s" and service in NAPTR_SERVICES:
            naptr.append((record.order, record.preference, NAPTR_SERVICES[service], str(record.replacement)))
    if transport == "tls":  # only the SIPS+D2T records, then the SRV name itself
        naptr = [n for n in naptr if n[2] == "tls"]
        tls: list[tuple[Transport, str]] = [("tls", r.rstrip(".")) for _, _, _, r in sorted(naptr)]
        return [*tls, ("tls", f"_sips._tcp.{name}")]
    if naptr:
        return [(t, replacement.rstrip(".")) for _, _, t, replacement in sorted(naptr)]
    return [("udp", f"_sip._udp.{name}"), ("tcp", f"_sip._tcp.{name}")]


async def _servers(srv_name: str, resolver: dns.asyncresolver.Resolver) -> list[tuple[str, int]]:
    """An SRV record's targets in the order RFC 2782 says to try them."""
    records = [r for r in await _answer(resolver, srv_name, "SRV") if str(r.target) != "."]
    ordered: list[tuple[str, int]] = []
    for priority in sorted({r.priority for r in records}):
        group = [r for r in records if r.priority == priority]
        while group:  # weighted random order within a priority (zero weights last, by chance)
            weights = [r.weight + 1e-9 for r in group]
            pick = random.choices(range(len(group)), weights=weights)[0]  # noqa: S311 - load spreading
            record = group.pop(pick)
            ordered.append((str(record.target).rstrip("."), int(record.port)))
    return ordered


async def _address(
    host: str, family: socket.AddressFamily, resolver: dns.asyncresolver.Resolver
) -> str | None:
    kind = "AAAA" if family == socket.AF_INET6 else "A"
    for record in await _answer(resolver, host, kind):
        return str(record.address)
    return None


async def _answer(resolver: dns.asyncresolver.Resolver, name: str, kind: str) -> list:  # type: ignore[type-arg]
    try:
        return list(await resolver.resolve(name, kind, lifetime=LOOKUP_TIMEOUT))
    except _NO_RECORD:
        return []
    except dns.exception.Timeout:
        log.warning("DNS %s lookup timed out", kind)
        return []
