"""Operator settings for SIP trunks given on the command line (`huikuan worker`, `huikuan call`):
digest credentials without the password on the command line, the RTP port range, and the
carrier's From domain, P-Asserted-Identity and number format applied to every `--trunk`, and the
TLS settings (CA file, client certificate and key) of `sips:` / `;transport=tls` trunks.

The password comes from a credentials file (`user:password` on its first line, readable by its
owner only, as ssh insists for keys) or the HUIKUAN_SIP_PASSWORD environment variable, so it is
neither in the shell history nor in `ps` output; errors name the file, never its content.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import stat
from pathlib import Path

from huikuan.errors import InvalidInput
from huikuan.telephony.rtp import PortRange
from huikuan.telephony.sip.call import Credentials, Trunk
from huikuan.telephony.sip.numbers import NumberFormat
from huikuan.telephony.sip.ua import client_tls_context

PASSWORD_ENV = "HUIKUAN_SIP_PASSWORD"  # noqa: S105 - the variable's name, not a password


def load_credentials(user: str, credentials_file: str) -> Credentials | None:
    """Credentials from `--credentials-file`, else `--user` with HUIKUAN_SIP_PASSWORD; None if neither."""
    if credentials_file:
        path = Path(credentials_file)
        try:
            mode = path.stat().st_mode
            first = path.read_text(encoding="utf-8").splitlines()[:1]
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"凭据文件无法读取 / cannot read the credentials file {path} ({type(exc).__name__})"
            ) from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidInput(
                f"凭据文件权限过宽 / credentials file {path} is readable by others: chmod 600 {path}"
            )
        name, sep, password = first[0].strip().partition(":") if first else ("", "", "")
        if not sep or not name or not password:
            raise InvalidInput(
                f"凭据文件格式错误 / credentials file {path} must hold `user:password` on its first line"
            )
        if user and user != name:
            raise InvalidInput("--user 与凭据文件不一致 / --user differs from the credentials file's user")
        return Credentials(name, password)
    if not user:
        return None
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        raise InvalidInput(
            f"--user 需要密码 / --user needs a password: --credentials-file FILE or {PASSWORD_ENV}"
        )
    return Credentials(user, password)


def rtp_port_range(text: str) -> PortRange | None:
    if not text:
        return None
    try:
        return PortRange.parse(text)
    except ValueError as exc:
        raise InvalidInput(f"--rtp-ports 无效 / --rtp-ports: {exc}") from exc


def media_cpu(value: int | None) -> int | None:
    """`--media-cpu`: the CPU the RTP pacer thread is pinned to, one this process may use."""
    if value is None:
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if value not in allowed:
        raise InvalidInput(
            f"--media-cpu {value} 不是本进程可用的 CPU / is not a CPU this process may run on "
            f"(allowed: {', '.join(map(str, allowed))})"
        )
    return value


def apply_trunk_settings(
    trunks: list[Trunk], from_domain: str, asserted_identity: str, number_format: str, refer: bool = False
) -> list[Trunk]:
    """Every trunk with the carrier's From domain, P-Asserted-Identity, number format and
    whether it carries REFER (a live transfer is then handed to the trunk)."""
    fmt: NumberFormat | None = None
    if number_format:
        try:
            fmt = NumberFormat.parse(number_format)
        except ValueError as exc:
            raise InvalidInput(f"--number-format 无效 / --number-format: {exc}") from exc
    if asserted_identity and not asserted_identity.startswith(("sip:", "sips:", "tel:")):
        raise InvalidInput(
            "--asserted-identity 须为 sip:/tel: URI / --asserted-identity must be a sip: or tel: URI"
        )
    return [t.with_settings(from_domain or None, asserted_identity or None, fmt, refer) for t in trunks]


def public_address(text: str, local: str) -> str | None:
    """`--public-address`: the IP the far end reaches us at (a NAT's), of the local address's family."""
    if not text:
        return None
    try:
        public, bound = ipaddress.ip_address(text), ipaddress.ip_address(local)
    except ValueError as exc:
        raise InvalidInput(
            "--public-address 须为 IP 地址 / --public-address and --local must be IP addresses"
        ) from exc
    if public.version != bound.version:
        raise InvalidInput("--public-address 与 --local 须同为 IPv4 或 IPv6 / same IP family as --local")
    return str(public)


def tls_context(ca_file: str = "", cert_file: str = "", key_file: str = "") -> ssl.SSLContext | None:
    """The TLS client settings of `--tls-ca/--tls-cert/--tls-key`; None when none is given (a TLS
    trunk then trusts the system's CAs). The server's certificate is always checked: a carrier with
    a private CA is trusted by giving that CA, never by turning the check off."""
    if not (ca_file or cert_file or key_file):
        return None
    if key_file and not cert_file:
        raise InvalidInput("--tls-key 需要 --tls-cert / --tls-key needs --tls-cert")
    for option, name in (("--tls-ca", ca_file), ("--tls-cert", cert_file), ("--tls-key", key_file)):
        if name and not Path(name).is_file():
            raise InvalidInput(f"{option} 文件不存在 / {option}: no such file {name}")
    try:
        return client_tls_context(ca_file or None, cert_file or None, key_file or None)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise InvalidInput(
            f"TLS 证书或密钥无法加载 / TLS certificate or key not loadable ({reason})"
        ) from exc
