"""`SipCarrier`: the `Carrier` protocol over SIP trunks, many calls in one asyncio process."""

from __future__ import annotations

import logging

from huikuan.telephony.rtp import RtpPacer
from huikuan.telephony.sip.call import (
    AnnouncementAsr,
    Asr,
    Credentials,
    SipCall,
    Trunk,
    Tts,
    no_asr,
    silence_tts,
)
from huikuan.telephony.sip.status import retry_on_next_trunk
from huikuan.telephony.sip.transaction import Timers
from huikuan.telephony.sip.ua import UserAgent
from huikuan.types import CallOutcome

log = logging.getLogger(__name__)


class SipCarrier:
    """Dials through `trunks` in order: a 5xx (or a silent trunk) moves the call to the next one."""

    def __init__(
        self,
        trunks: list[Trunk],
        local_host: str = "127.0.0.1",
        local_port: int = 0,
        credentials: Credentials | None = None,
        tts: Tts = silence_tts,
        asr: Asr = no_asr,
        announcement_asr: AnnouncementAsr | None = None,
        timers: Timers | None = None,
    ) -> None:
        if not trunks:
            raise ValueError("at least one trunk is needed")
        self.trunks = trunks
        self.ua = UserAgent(local_host, local_port, timers)
        self.pacer = RtpPacer()
        self._credentials = credentials
        self._tts = tts
        self._asr = asr
        self._announcement_asr = announcement_asr

    async def start(self) -> None:
        await self.ua.start()

    async def close(self) -> None:
        await self.ua.close()

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> SipCall:
        await self.ua.start()
        call: SipCall | None = None
        for trunk in self.trunks:
            call = SipCall(
                self.ua,
                self.pacer,
                trunk,
                number,
                caller_id,
                self._credentials,
                self._tts,
                self._asr,
                self._announcement_asr,
            )
            result = await call.dial(ring_timeout)
            log.info("call %s via %s: %s (%s)", call.call_id, trunk, result.outcome, result.sip_status)
            if result.outcome != CallOutcome.FAILED or not retry_on_next_trunk(
                result.sip_status or 0, call.provisional_seen
            ):
                return call
        assert call is not None  # noqa: S101 - trunks is not empty
        return call
