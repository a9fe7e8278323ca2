"""Telephony: the `Carrier` protocol and the simulated carrier (SIP comes in a later issue)."""

from huikuan.telephony.carrier import Call, Carrier, DialResult
from huikuan.telephony.simulated import SimulatedCall, SimulatedCarrier, Subscriber, load_directory

__all__ = [
    "Call",
    "Carrier",
    "DialResult",
    "SimulatedCall",
    "SimulatedCarrier",
    "Subscriber",
    "load_directory",
]
