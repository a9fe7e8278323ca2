"""dnsmasq (Debian) as the DNS server of a test: SRV, NAPTR and address records on loopback."""

from __future__ import annotations

import subprocess
import time

import dns.exception
import dns.resolver

from tests.telephony.sip.sipp import free_udp_port


class Dnsmasq:
    """`dnsmasq -k` answering only for the records given (no upstream, no /etc/hosts)."""

    def __init__(self, records: list[str], host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = free_udp_port(host=host)
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
