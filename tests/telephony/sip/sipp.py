"""SIPp as the far end: a foreground subprocess per scenario on loopback with ephemeral ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SCENARIOS = Path(__file__).parent / "scenarios"


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_udp_port(kind: socket.SocketKind = socket.SOCK_DGRAM, host: str = "127.0.0.1") -> int:
    with socket.socket(_family(host), kind) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _bound(port: int, kind: socket.SocketKind = socket.SOCK_DGRAM, host: str = "127.0.0.1") -> bool:
    with socket.socket(_family(host), kind) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


class Sipp:
    """`sipp -sf scenario -m calls` in the foreground; `finish()` returns its exit status."""

    def __init__(
        self,
        scenario: str,
        calls: int = 1,
        keys: dict[str, str] | None = None,
        cwd: Path | None = None,
        echo: bool = True,
        timeout: int = 60,
        tcp: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        kind = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
        self.tcp = tcp
        self.host = host
        self.port = free_udp_port(kind, host)
        self.media_port = free_udp_port(host=host)
        path = SCENARIOS / scenario
        self._generated: Path | None = None
        if keys:  # SIPp checks status codes when it loads a scenario, so substitute before
            text = path.read_text()
            for key, value in keys.items():
                text = text.replace(f"[{key}]", value)
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as out:
                out.write(text)
            path = self._generated = Path(out.name)
        args = ["sipp", "-sf", str(path), "-i", host, "-p", str(self.port)]
        args += ["-mp", str(self.media_port), "-m", str(calls), "-l", str(calls + 10)]
        args += ["-timeout", f"{timeout}s", "-timeout_error", "-nostdin", "-max_socket", "2000"]
        self._errors = Path(tempfile.mkdtemp(prefix="sipp-")) / "errors.log"
        args += ["-trace_err", "-error_file", str(self._errors)]  # why a call failed, for `why()`
        if echo:
            args.append("-rtp_echo")
        if tcp:  # one TCP socket for all calls, as a trunk would hold it
            args += ["-t", "t1"]
        self.proc = subprocess.Popen(
            args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        # Ready when SIPp holds its SIP port: a readiness poll, not a timing sleep.
        while not _bound(self.port, kind, host):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"sipp did not start: {self.proc.stderr.read() if self.proc.stderr else ''}"
                )
            time.sleep(0.01)

    @property
    def trunk(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"sip:{host}:{self.port}" + (";transport=tcp" if self.tcp else "")

    def finish(self, timeout: float = 30) -> int:
        """Wait for SIPp to run its calls; 0 means every call followed the scenario."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -1

    def why(self) -> str:
        """What SIPp logged about unexpected messages and failed calls: the assertion message."""
        logged = self._errors.read_text(errors="replace") if self._errors.exists() else ""
        return logged[-3000:] or "SIPp logged no unexpected message"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        if self._generated is not None:
            self._generated.unlink(missing_ok=True)
        shutil.rmtree(self._errors.parent, ignore_errors=True)
