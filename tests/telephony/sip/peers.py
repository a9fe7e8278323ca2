"""Independent SIP software as the far end: baresip as the debtor's phone, Kamailio as a proxy.

Both are Debian packages (`baresip-core`, `kamailio`; the Makefile installs them) started per test
on 127.0.0.1 with free ports and their own configuration in the test's directory. Under CI=true a
missing binary is an error, as a missing PostgreSQL is (tests/conftest.py); elsewhere the test is
skipped with the package to install.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.telephony.sip.sipp import _bound, free_udp_port

READY_S = 10.0
BARESIP_MODULES = Path("/usr/lib/baresip/modules")
KAMAILIO_MODULES = next(
    (
        p
        for p in (Path("/usr/lib/x86_64-linux-gnu/kamailio/modules"), Path("/usr/lib/kamailio/modules"))
        if p.is_dir()
    ),
    Path("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
)


def which(binary: str) -> str | None:
    """The binary on PATH, or in the sbin directories a non-root PATH lacks (kamailio lives there)."""
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")


def require(binary: str, package: str) -> str:
    path = which(binary)
    if path is None:
        if os.environ.get("CI"):
            raise RuntimeError(f"CI run without {binary} (Debian package {package}): its tests would not run")
        pytest.skip(f"{binary} not installed (apt-get install {package})")
    return path


def _wait(proc: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path, what: str) -> None:
    """Readiness poll (not a timing sleep): until `ready()` or the process dies."""
    deadline = time.monotonic() + READY_S
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.02)


def free_tcp_port() -> int:
    return free_udp_port(socket.SOCK_STREAM)


class Baresip:
    """baresip answering calls to `number` automatically: it plays `play` (a 8 kHz mono WAV) as
    its microphone, hangs up when the file ends (aufile's end of file), and the sndfile filter
    records what it hears (`heard()`) and what it sent."""

    def __init__(
        self,
        workdir: Path,
        number: str,
        play: Path,
        host: str = "127.0.0.1",
        answermode: str = "auto",
        config: tuple[str, ...] = (),
        mediaenc: str | None = None,  # "srtp" (best effort) or "srtp-mand": SDES-SRTP by its srtp module
    ) -> None:
        self.binary = require("baresip", "baresip-core")
        self.host = host
        bracketed = f"[{host}]" if ":" in host else host
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.recordings = self.dir / "rec"
        self.recordings.mkdir(exist_ok=True)
        self.number = number
        self.answermode = answermode  # "manual": it rings (180) and never answers
        self.extra_config = config  # more config lines, e.g. "rtcp_mux yes"
        self.mediaenc = mediaenc
        self.log = self.dir / "baresip.log"
        # Free ports are only free when we look: baresip also binds TLS on the next port, and
        # another test may take either before baresip starts. Such a clash is retried on new ports.
        for attempt in range(5):
            self.port = free_udp_port(host=host)
            self.ctrl_port = free_tcp_port()
            self._configure(play, bracketed)
            try:
                self._start()
                return
            except RuntimeError as error:
                if "Address already in use" not in str(error) or attempt == 4:
                    raise

    def _configure(self, play: Path, bracketed: str) -> None:
        (self.dir / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen {bracketed}:{self.port}",
                    f"net_interface {self.host}",  # SDP and RTP on loopback too
                    f"audio_source aufile,{play}",
                    "audio_player aubridge,nowhere",
                    "audio_alert aubridge,nowhere",
                    f"module_path {BARESIP_MODULES}",
                    "module g711.so",
                    "module aufile.so",
                    "module aubridge.so",
                    "module sndfile.so",
                    # before account.so, which looks the account's mediaenc up as it loads
                    *(["module srtp.so"] if self.mediaenc else []),
                    "module account.so",
                    "module ctrl_tcp.so",
                    "module_app menu.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
                    f"snd_path {self.recordings}",
                    *self.extra_config,
                    "",
                ]
            )
        )
        # The account's user is the dialled number: baresip finds its UA by the Request-URI user.
        (self.dir / "accounts").write_text(
            f"<sip:{self.number}@{bracketed}>;regint=0;answermode={self.answermode}"
            + (f";mediaenc={self.mediaenc}" if self.mediaenc else "")
            + "\n"
        )

    def _start(self) -> None:
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [self.binary, "-f", str(self.dir)],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait(self.proc, lambda: b"baresip is ready" in self.log.read_bytes(), self.log, "baresip")
        except RuntimeError:
            self.proc.wait()
            self._out.close()
            raise

    @property
    def trunk(self) -> str:
        return f"sip:[{self.host}]:{self.port}" if ":" in self.host else f"sip:{self.host}:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 15.0) -> bool:
        """Until baresip's log shows `text` (e.g. the call's termination); False on timeout."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return text in self.output()
            time.sleep(0.05)
        return True

    def heard(self) -> np.ndarray:
        """What baresip received from us, decoded (its sndfile `-dec.wav`), once the call is over."""
        files = sorted(self.recordings.glob("*-dec.wav"))
        if not files:
            return np.zeros(0, dtype=np.int16)
        with wave.open(str(files[-1])) as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


KAMAILIO_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:{port}
listen=tcp:127.0.0.1:{port}
{tls}mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
{tls_module}
# A trunk that authenticates its customer: every new INVITE, and the customer's BYE, must carry
# digest credentials (407 otherwise); the proxy stays on the path (Record-Route) and relays to
# the phone.
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!sanity_check()) {{ exit; }}
    if (has_totag()) {{
        if (is_method("BYE") && $fU == "{caller}") {{
            if (!pv_proxy_authenticate("{realm}", "{password}", "0") || $au != "{user}") {{
                xlog("L_NOTICE", "challenge BYE $ci\\n");
                proxy_challenge("{realm}", "0");
                exit;
            }}
            xlog("L_NOTICE", "authenticated BYE $ci\\n");
        }}
        if (is_method("ACK") && $fU == "{caller}" && is_present_hf("Proxy-Authorization")) {{
            xlog("L_NOTICE", "ACK with credentials $ci\\n");
        }}
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK") && t_check_trans()) {{ t_relay(); exit; }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("OPTIONS") && uri == myself && $rU == $null) {{ sl_send_reply("200", "OK"); exit; }}
    if (!pv_proxy_authenticate("{realm}", "{password}", "0") || $au != "{user}") {{
        xlog("L_NOTICE", "challenge $rm $ci\\n");
        proxy_challenge("{realm}", "0");
        exit;
    }}
    consume_credentials();
    xlog("L_NOTICE", "relay $rm $ci PAI=$hdr(P-Asserted-Identity) from=$fu ruri=$ru\\n");
    record_route();
    $du = "sip:127.0.0.1:{target}";
    t_relay();
}}
"""


class Kamailio:
    """Kamailio as the carrier's proxy: digest auth for `user`/`password`, Record-Route, relays
    every new call to `target_port` on loopback. Its log (stderr) says what it challenged."""

    realm = "huikuan.test"

    def __init__(
        self,
        workdir: Path,
        target_port: int,
        user: str,
        password: str,
        caller: str,
        tls: tuple[Path, Path, Path | None] | None = None,
    ) -> None:
        """`tls`: (certificate, key, CA of client certificates or None) for a TLS listener on
        `tls_port` (Debian kamailio-tls-modules); with a CA, clients must present a certificate."""
        self.binary = require("kamailio", "kamailio")
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = _free_udp_and_tcp_port()
        self.tls_port = _free_udp_and_tcp_port() if tls else 0
        tls_listen = tls_module = ""
        if tls is not None:
            if not (KAMAILIO_MODULES / "tls.so").exists():
                if os.environ.get("CI"):
                    raise RuntimeError("CI run without Kamailio's tls.so (kamailio-tls-modules)")
                pytest.skip("Kamailio's TLS module not installed (apt-get install kamailio-tls-modules)")
            cert, key, client_ca = tls
            tls_listen = f"enable_tls=yes\ntcp_accept_aliases=yes\nlisten=tls:127.0.0.1:{self.tls_port}\n"
            tls_module = (
                'loadmodule "tls.so"\n'
                f'modparam("tls", "certificate", "{cert}")\n'
                f'modparam("tls", "private_key", "{key}")\n'
                'modparam("tls", "tls_method", "TLSv1.2+")\n'
            )
            if client_ca is not None:
                tls_module += (
                    f'modparam("tls", "ca_list", "{client_ca}")\n'
                    'modparam("tls", "verify_certificate", 1)\n'
                    'modparam("tls", "require_certificate", 1)\n'
                )
        cfg = workdir / "kamailio.cfg"
        cfg.write_text(
            KAMAILIO_CFG.format(
                port=self.port,
                modules=KAMAILIO_MODULES,
                target=target_port,
                user=user,
                password=password,
                caller=caller,
                realm=self.realm,
                tls=tls_listen,
                tls_module=tls_module,
            )
        )
        self.log = workdir / "kamailio.log"
        self._out = self.log.open("wb")
        # -DD: stay in the foreground (children still forked); -E: log to stderr; -w: working dir.
        self.proc = subprocess.Popen(
            [self.binary, "-DD", "-E", "-f", str(cfg), "-w", str(workdir), "-Y", str(workdir)],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        _wait(
            self.proc,
            lambda: _bound(self.port) and (not tls or _bound(self.tls_port, socket.SOCK_STREAM)),
            self.log,
            "kamailio",
        )

    @property
    def trunk(self) -> str:
        return f"sip:127.0.0.1:{self.port}"

    @property
    def tcp_trunk(self) -> str:
        return f"sip:127.0.0.1:{self.port};transport=tcp"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def _free_udp_and_tcp_port() -> int:
    """A port number free for both UDP and TCP (Kamailio listens on both)."""
    for _ in range(50):
        port = free_udp_port()
        if not _bound(port, socket.SOCK_STREAM):
            return port
    raise RuntimeError("no port free for both UDP and TCP")


def wav_pcm(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def tone_seconds(pcm: np.ndarray, hz: float, threshold: float = 300.0) -> float:
    """Seconds of 50 ms windows, louder than `threshold`, whose strongest frequency is within
    40 Hz of `hz`: how long a tone of that pitch is heard in a recording."""
    n = 400  # 20 Hz bins at 8 kHz
    frames = pcm[: len(pcm) // n * n].astype(np.float64).reshape(-1, n)
    if not len(frames):
        return 0.0
    loud = np.sqrt((frames**2).mean(axis=1)) > threshold
    peaks = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)).argmax(axis=1) * (8000 / n)
    return float((loud & (np.abs(peaks - hz) <= 40)).sum()) * n / 8000


def voiced_seconds(pcm: np.ndarray, threshold: float = 300.0) -> float:
    """Seconds of 20 ms frames whose RMS is above `threshold` (speech, not silence or noise)."""
    n = 160
    frames = pcm[: len(pcm) // n * n].astype(np.float64).reshape(-1, n)
    if not len(frames):
        return 0.0
    rms = np.sqrt((frames**2).mean(axis=1))
    return float((rms > threshold).sum()) * 0.02
