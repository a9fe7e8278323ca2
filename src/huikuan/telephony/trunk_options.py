"""The trunk options `huikuan call` and `huikuan dialer worker` share, declared once.

Typer reads an option's flag and help from its default value, so a shared `typer.Option(...)` object is
how two commands take the same option with the same words (as `security.operator.ACTING` is shared).
"""

from __future__ import annotations

import typer

CREDENTIALS_FILE = typer.Option(
    "", "--credentials-file", help="中继凭据文件 / file with user:password (chmod 600)"
)
LOCAL_ADDRESS = typer.Option("127.0.0.1", "--local", help="本地 SIP/RTP 地址 / local address for SIP and RTP")
PUBLIC_ADDRESS = typer.Option(
    "", "--public-address", help="对外地址（NAT）/ address the far end reaches us at (Via, Contact, SDP)"
)
RTP_PORTS = typer.Option("", "--rtp-ports", help="RTP 端口范围 / RTP port range, e.g. 20000-29999")
COMEDIA = typer.Option(
    False,
    "--comedia",
    help="对端在NAT后：向其实际来源回送媒体 / send media back to where the far end's RTP comes from",
)
SRTP = typer.Option("off", "--srtp", help="媒体加密 / SDES-SRTP on trunk calls: off | optional | mandatory")
TLS_CA = typer.Option(
    "", "--tls-ca", help="TLS 中继的CA证书文件 / CA file trusted for TLS trunks (default: system CAs)"
)
TLS_CERT = typer.Option(
    "", "--tls-cert", help="TLS 客户端证书 / client certificate (PEM) for trunks requiring mutual TLS"
)
TLS_KEY = typer.Option("", "--tls-key", help="TLS 客户端私钥 / the client certificate's key (PEM)")
FROM_DOMAIN = typer.Option("", "--from-domain", help="From 域名 / From header domain for the trunks")
ASSERTED_IDENTITY = typer.Option(
    "", "--asserted-identity", help="P-Asserted-Identity URI, e.g. sip:4001234567@carrier.cn"
)
NUMBER_FORMAT = typer.Option(
    "", "--number-format", help="号码格式 / e164 | national (optionally :REGION, default CN)"
)
