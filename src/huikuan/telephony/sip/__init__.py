"""A focused asyncio SIP user-agent client for placing robot calls through trunks (see docs/telephony.md)."""

from huikuan.telephony.sip.call import Credentials, SipCall, Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.telephony.sip.settings import (
    apply_trunk_settings,
    load_credentials,
    media_cpu,
    public_address,
    rtp_port_range,
    tls_context,
)

__all__ = [
    "Credentials",
    "SipCall",
    "SipCarrier",
    "Trunk",
    "apply_trunk_settings",
    "load_credentials",
    "media_cpu",
    "public_address",
    "rtp_port_range",
    "tls_context",
]
