"""dnsmasq (Debian) as the DNS server of a test: SRV, NAPTR and address records on loopback."""

from __future__ import annotations

import socket
import subprocess
import time

import dns.exception
import dns.resolver

from tests.telephony.sip.sipp import _bound, free_udp_port

_TRIES = 5  # a port free when picked can be taken before dnsmasq binds it


class _PortTaken(RuntimeError):
    """dnsmasq could not bind its port: another process took it."""


def _free_udp_and_tcp_port(host: str) -> int:
    """A port free for UDP and for TCP: dnsmasq listens on both."""
    while True:
        port = free_udp_port(host=host)
        if not _bound(port, socket.SOCK_STREAM, host):
            return port


class Dnsmasq:
    """`dnsmasq -k` answering only for the records given (no upstream, no /etc/hosts)."""

    def __init__(self, records: list[str], host: str = "127.0.0.1") -> None:
        self.host = host
        for attempt in range(_TRIES):
            self.port = _free_udp_and_tcp_port(host)
            try:
                self._start(records)
                return
            except _PortTaken:
                if attempt == _TRIES - 1:
                    raise

    def _start(self, records: list[str]) -> None:
        host = self.host
        argv = [
            "dnsmasq",
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--bind-interfaces",
            f"--listen-address={host}",
            f"--port={self.port}",
            "--pid-file=",
            "--local=/test/",  # names under .test it does not know: NXDOMAIN, not REFUSED
            "--host-record=ready.huikuan.test,127.0.0.1",  # what `_wait_ready` asks for
            *records,
        ]
        self._proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()

    @property
    def server(self) -> tuple[str, int]:
        return self.host, self.port

    def _wait_ready(self, timeout: float = 10.0) -> None:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = [self.host], self.port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                why = self._proc.stderr.read().decode() if self._proc.stderr else ""
                if self._proc.stderr is not None:
                    self._proc.stderr.close()
                if "Address already in use" in why:
                    raise _PortTaken(why)
                raise RuntimeError(f"dnsmasq exited: {why}")
            try:
                resolver.resolve("ready.huikuan.test", "A", lifetime=0.2)
            except (dns.exception.Timeout, dns.resolver.NoNameservers):
                continue
            return
        raise RuntimeError("dnsmasq did not answer")

    def kill(self) -> None:
        self._proc.kill()
        self._proc.wait()
        if self._proc.stderr is not None:
            self._proc.stderr.close()
