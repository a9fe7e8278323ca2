"""Telephony: the `Carrier` protocol, the simulated carrier and the SIP carrier (`telephony.sip`).

The simulated carrier is imported lazily so SIP and RTP code does not load the simulation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from huikuan.telephony.carrier import Call, CallEvent, CallEventKind, Carrier, DialResult, MediaCall

if TYPE_CHECKING:
    from huikuan.telephony.simulated import SimulatedCall, SimulatedCarrier, Subscriber, load_directory

_SIMULATED = {"SimulatedCall", "SimulatedCarrier", "Subscriber", "load_directory"}

__all__ = [
    "Call",
    "CallEvent",
    "CallEventKind",
    "Carrier",
    "DialResult",
    "MediaCall",
    "SimulatedCall",
    "SimulatedCarrier",
    "Subscriber",
    "load_directory",
]


def __getattr__(name: str) -> Any:
    if name in _SIMULATED:
        return getattr(importlib.import_module("huikuan.telephony.simulated"), name)
    raise AttributeError(name)
