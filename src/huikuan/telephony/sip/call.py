"""One outbound call as a UAC dialog: INVITE with SDP, auth, early media, CANCEL, ACK, BYE."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import cast

import numpy as np

from huikuan.telephony import g711
from huikuan.telephony.carrier import CallEvent, CallEventKind, DialResult
from huikuan.telephony.rtp import PortRange, RtpPacer, RtpSession
from huikuan.telephony.sip import digest, sdp
from huikuan.telephony.sip.early_media import EarlyMedia, classify
from huikuan.telephony.sip.message import SipMessage, response_to, tag_of, uri_of
from huikuan.telephony.sip.numbers import NumberFormat
from huikuan.telephony.sip.status import outcome_for, outcome_from_announcement
from huikuan.telephony.sip.transaction import ClientTransaction
from huikuan.telephony.sip.ua import ALLOW, Transport, UserAgent, new_branch, new_tag
from huikuan.telephony.sip.uri import Param, SipUri, SipUriError, format_host, parse_uri
from huikuan.telephony.srtp import CryptoAttribute, SrtpContext, SrtpPolicy, accept_offer, choose
from huikuan.types import CallOutcome

log = logging.getLogger(__name__)
CHARS_PER_SECOND = 4.0
Tts = Callable[[str], Awaitable[g711.Pcm]]
Asr = Callable[["SipCall"], Awaitable[str | None]]
AnnouncementAsr = Callable[[g711.Pcm], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Trunk:
    """A trunk's SIP URI: where INVITEs go, and the Request-URI they carry.

    The dialled number becomes the user part of the trunk's URI (`sip:NUMBER@host:port;params`),
    as carriers route on the Request-URI's user part; a user part in the configured URI (an
    account or service number) is replaced, its uri-params (e.g. `user=phone`) kept.
    """

    host: str  # a name, IPv4 or IPv6 (no brackets); resolved when the carrier starts
    port: int = 5060
    transport: Transport = "udp"
    user: str | None = None  # as configured; replaced by the dialled number in the Request-URI
    params: tuple[Param, ...] = ()  # uri-params other than transport, kept in the Request-URI
    from_domain: str | None = None  # From's host (the carrier's domain); default: our address
    asserted_identity: str | None = None  # P-Asserted-Identity URI (RFC 3325); None: not sent
    number_format: NumberFormat | None = None  # E.164 or national dialling; None: as stored
    refer: bool = False  # the trunk carries REFER (RFC 3515): a live transfer is handed to it
    # A host name with no port: servers and port come from DNS SRV (and the transport from NAPTR
    # when the URI names none), RFC 3263; the Request-URI then carries the name without a port.
    locate: bool = False
    transport_from_dns: bool = False
    sips: bool = False  # a sips: URI (TLS on every hop, RFC 5630); `sip:...;transport=tls` is TLS too

    @classmethod
    def parse(cls, text: str) -> Trunk:
        """`sip[s]:[user@]host[:port][;transport=udp|tcp|tls][;params]`, or a bare `host[:port]`.

        `sips:` or `;transport=tls` means SIP over TLS (RFC 3261 §26.2), port 5061 by default."""
        uri = parse_uri(text, default_scheme="sip")
        transport: Transport = "tls" if uri.scheme == "sips" else "udp"
        value = uri.param("transport")
        if value is not None:
            if value.lower() not in ("udp", "tcp", "tls"):
                raise SipUriError("trunk transport must be udp, tcp or tls")
            if uri.scheme == "sips" and value.lower() == "udp":
                raise SipUriError("a sips: trunk goes over TLS, not udp")
            # sips: with transport=tcp is TLS too (RFC 3261 §26.2: TLS over TCP)
            transport = (
                "tls" if uri.scheme == "sips" or value.lower() == "tls" else cast(Transport, value.lower())
            )
        params = tuple((k, v) for k, v in uri.params if k != "transport")
        locate = uri.port is None and not uri.ip_literal
        port = uri.port if uri.port is not None else (5061 if transport == "tls" else 5060)
        return cls(
            uri.host,
            port,
            transport,
            uri.user,
            params,
            locate=locate,
            sips=uri.scheme == "sips",
            transport_from_dns=locate and value is None,
        )

    def with_settings(
        self,
        from_domain: str | None = None,
        asserted_identity: str | None = None,
        number_format: NumberFormat | None = None,
        refer: bool = False,
    ) -> Trunk:
        """This trunk with the carrier's From domain, P-Asserted-Identity, number format, REFER."""
        return replace(
            self,
            from_domain=from_domain or self.from_domain,
            asserted_identity=asserted_identity or self.asserted_identity,
            number_format=number_format or self.number_format,
            refer=refer or self.refer,
        )

    def request_uri(self, number: str) -> str:
        """The Request-URI (and To) of a call to `number` through this trunk."""
        dialled = self.number_format.format(number) if self.number_format else number
        return str(self._uri(dialled or None))  # no user part: a URI such as sip:agent-phone.example

    def _uri(self, user: str | None) -> SipUri:
        # sips: says TLS by itself; a sip: URI names tcp or tls (RFC 5630 §3.1.4)
        named = self.transport != "udp" and not self.sips
        params = self.params + ((("transport", self.transport),) if named else ())
        return SipUri(
            "sips" if self.sips else "sip", self.host, None if self.locate else self.port, user, params=params
        )

    def __str__(self) -> str:
        return str(self._uri(self.user))


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str


async def silence_tts(text: str) -> g711.Pcm:
    """Stand-in voice: silence as long as the text would take to say."""
    seconds = len(text) / CHARS_PER_SECOND + 0.3
    return np.zeros(int(seconds * g711.SAMPLE_RATE), dtype=np.int16)


async def no_asr(call: SipCall) -> str | None:
    """Stand-in ears: listen for a short turn, recognise nothing."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 2.0
    while not call.ended and (remaining := deadline - loop.time()) > 0:
        await call.receive_audio(remaining)
    return None


class SipCall:
    """A call handle satisfying `MediaCall`; created by `SipCarrier.dial`."""

    def __init__(
        self,
        ua: UserAgent,
        pacer: RtpPacer,
        trunk: Trunk,
        number: str,
        caller_id: str,
        credentials: Credentials | None,
        tts: Tts,
        asr: Asr,
        announcement_asr: AnnouncementAsr | None,
        dest: tuple[str, int] | None = None,
        rtp_ports: PortRange | None = None,
        srtp: SrtpPolicy = SrtpPolicy.OFF,
    ) -> None:
        self._ua = ua
        self._srtp = srtp
        self._crypto = CryptoAttribute.new() if srtp != SrtpPolicy.OFF else None  # our SDES key
        self._remote_crypto: CryptoAttribute | None = None
        self._rtp_ports = rtp_ports
        self._trunk = trunk
        self._dest = dest or (trunk.host, trunk.port)  # the trunk's resolved address
        self._transport: Transport = trunk.transport
        self._credentials = credentials
        self._tts = tts
        self._asr = asr
        self._announcement_asr = announcement_asr
        self.call_id = secrets.token_hex(12) + "@huikuan"
        self._local_tag = new_tag()
        self._remote_tag = ""
        self._cseq = 0
        self._remote_uri = trunk.request_uri(number)
        self._remote_target = self._remote_uri
        self._route: list[str] = []
        self._caller = f"sip:{caller_id}@{trunk.from_domain or format_host(ua.public_host)}"
        self._from = f"<{self._caller}>;tag={self._local_tag}"
        self._auth: tuple[str, str] | None = None  # the INVITE's credentials, repeated on its ACK
        self._sent_ack: SipMessage | None = None  # resent as it was for each retransmitted 2xx
        self._to = f"<{self._remote_uri}>"
        self.rtp = RtpSession(pacer)
        self._events: list[CallEvent] = []
        self._started = 0.0
        self._answered_at: float | None = None
        self._ended_at: float | None = None
        self._ended = asyncio.Event()
        self._cause: str | None = None
        self._remote_hung_up = False
        self._result = DialResult(CallOutcome.FAILED, 0.0)
        self._sdp_version = 1
        self._session_id = secrets.randbelow(10**9)
        self.provisional_seen = False
        self.reached = False  # a 180/183 (or any provisional above 100): the callee's network
        self._refer_result: asyncio.Future[int] | None = None  # the target's final status, by NOTIFY
        self._refused = 0  # in-dialog requests answered 481 (wrong tag or source)
        # Called once at the first 180/183: a transfer's leg to an agent pops the screen then.
        self.on_ringing: Callable[[], None] | None = None

    # --- Call / MediaCall ----------------------------------------------------------------
    @property
    def result(self) -> DialResult:
        return self._result

    @property
    def events(self) -> list[CallEvent]:
        return list(self._events)

    @property
    def hangup_cause(self) -> str | None:
        return self._cause

    @property
    def remote_hung_up(self) -> bool:
        return self._remote_hung_up

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    @property
    def talk_seconds(self) -> float:
        if self._answered_at is None:
            return 0.0
        end = self._ended_at if self._ended_at is not None else self._now()
        return end - self._answered_at

    @property
    def dtmf_received(self) -> str:
        return self.rtp.dtmf_received

    @property
    def trunk(self) -> Trunk:
        return self._trunk

    @property
    def server(self) -> tuple[str, int]:
        """The address this call's INVITE went to (one server of the trunk's SRV list)."""
        return self._dest

    @property
    def dialog(self) -> tuple[str, str, str]:
        """The dialog id (RFC 3261 §12): Call-ID, our tag, the far end's tag ("" until answered)."""
        return self.call_id, self._local_tag, self._remote_tag

    @property
    def route_set(self) -> list[str]:
        """The Record-Route set of the 2xx, in the order in-dialog requests carry it as Route."""
        return list(self._route)

    @property
    def dropped(self) -> dict[str, int]:
        """What this call refused (forged in-dialog requests, forged or stray RTP; RTCP seen) for
        logs and metrics."""
        return {"sip_refused_in_dialog": self._refused, **self.rtp.stats.dropped()}

    def use_voice(self, tts: Tts, asr: Asr) -> None:
        """Per-call voice and ears (the debtor's dialect, the attempt's recorder) instead of the carrier's."""
        self._tts = tts
        self._asr = asr

    def flush_playback(self) -> int:
        """Stop the robot's playback now (barge-in): drop the queued frames, return how many."""
        return self.rtp.flush()

    async def say(self, text: str) -> None:
        self._require_live()
        await self.send_audio(await self._tts(text))

    async def hear(self) -> str | None:
        self._require_live()
        return await self._asr(self)

    async def send_audio(self, pcm: g711.Pcm) -> None:
        """Queue PCM for paced sending and wait until it has gone out (or the call ended)."""
        if self.ended:
            return
        self.rtp.queue_pcm(pcm)
        drained = asyncio.ensure_future(self.rtp.drained())
        ended = asyncio.ensure_future(self._ended.wait())
        await asyncio.wait({drained, ended}, return_when=asyncio.FIRST_COMPLETED)
        for fut in (drained, ended):
            fut.cancel()

    async def receive_audio(self, timeout: float) -> g711.Pcm | None:
        return None if self.ended else await self.rtp.receive(timeout)

    async def send_dtmf(self, digits: str) -> None:
        for digit in digits:
            self.rtp.queue_dtmf(digit)
        await self.rtp.drained()

    async def wait_ended(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._ended.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def hangup(self) -> None:
        """BYE if answered and still up; then release media and the dialog."""
        if self._answered_at is not None and not self.ended:
            self._end("local_bye")
            await self._bye()
        self._release()
        await self.rtp.wait_closed()

    async def _bye(self) -> None:
        await self._send_in_dialog("BYE")

    async def _send_in_dialog(
        self, method: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> SipMessage | None:
        """An in-dialog request along the route set, answering one digest challenge (a proxy may
        authenticate in-dialog requests); its final response, None on timeout."""
        auth: tuple[str, str] | None = None
        while True:
            req = self._in_dialog(method)
            for header in headers:
                req.add(*header)
            if auth is not None:
                req.add(*auth)
            tx = self._ua.request(req, self._target_addr(), transport=self._transport)
            resp = await tx.next(self._ua.timers.b + 1)
            while resp is not None and resp.status < 200:
                resp = await tx.next(self._ua.timers.b + 1)
            tx.cancel()
            if resp is None or resp.status not in (401, 407) or auth is not None:
                return resp
            auth = self._answer_challenge(resp, req)
            if auth is None:
                return resp

    async def transfer(self, target: str, timeout: float = 30.0) -> bool:
        """Blind transfer (RFC 3515): REFER the far end to `target` (the agent's phone). True when
        the far end's NOTIFY reports a 2xx from the target: then our leg ends (`transferred`)."""
        self._require_live()
        loop = asyncio.get_running_loop()
        self._refer_result = loop.create_future()
        headers = (
            ("Refer-To", f"<{target}>"),
            ("Referred-By", f"<{self._caller}>"),
            ("Contact", self._ua.contact(self._transport, "sips" if self._trunk.sips else "sip")),
        )
        resp = await self._send_in_dialog("REFER", headers)
        if resp is None or not 200 <= resp.status < 300:
            return False
        try:
            status = await asyncio.wait_for(asyncio.shield(self._refer_result), timeout)
        except TimeoutError:
            return False
        if not 200 <= status < 300:
            return False
        if not self.ended:
            self._end("transferred")
            await self._bye()
        self._release()
        await self.rtp.wait_closed()
        return True

    def _on_notify(self, request: SipMessage) -> SipMessage:
        """NOTIFY for our REFER (Event: refer): a message/sipfrag status line; the final one settles it."""
        event = (request.get("Event") or "").split(";", 1)[0].strip().lower()
        if event != "refer":
            return response_to(request, 489, "Bad Event", self._local_tag)
        line = request.body.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        parts = line.split(" ", 2)
        if len(parts) >= 2 and parts[0] == "SIP/2.0" and parts[1].isdigit():
            status = int(parts[1])
            fut = self._refer_result
            if status >= 200 and fut is not None and not fut.done():
                fut.set_result(status)
        return response_to(request, 200, "OK", self._local_tag)

    def _answer_challenge(self, resp: SipMessage, request: SipMessage) -> tuple[str, str] | None:
        """The Authorization / Proxy-Authorization header for a 401/407, if we have credentials."""
        if self._credentials is None:
            return None
        proxy = resp.status == 407
        challenge = digest.parse_challenge(
            resp.get("Proxy-Authenticate" if proxy else "WWW-Authenticate") or ""
        )
        if not challenge:
            return None
        value = digest.authorization(
            challenge, request.method, request.uri, self._credentials.username, self._credentials.password
        )
        return ("Proxy-Authorization" if proxy else "Authorization", value)

    # --- dialling ------------------------------------------------------------------------
    async def dial(self, ring_timeout: float) -> DialResult:
        loop = asyncio.get_running_loop()
        self._started = loop.time()
        await self.rtp.open(self._ua.host, self._rtp_ports)
        self._ua.register_dialog(self.call_id, self)
        try:
            self._result = await self._invite_loop(ring_timeout)
        except Exception:
            log.exception("call %s failed while dialling", self.call_id)
            self._result = DialResult(CallOutcome.FAILED, self._now(), trunk=str(self._trunk))
        if self._result.outcome != CallOutcome.ANSWERED:
            self._release()
            await self.rtp.wait_closed()
        return self._result

    async def _invite_loop(self, ring_timeout: float) -> DialResult:
        loop = asyncio.get_running_loop()
        ring_deadline = self._started + ring_timeout
        auth_header: tuple[str, str] | None = None
        early = False
        while True:
            invite = self._invite(auth_header)
            tx = self._ua.request(invite, self._dest, self._non2xx_ack, self._transport)
            cancelled = False
            cancel_sent = False
            while True:
                wait = ring_deadline - loop.time() if not cancelled else self._ua.timers.b
                resp = await tx.next(max(wait, 0.0))
                if resp is None:
                    if not self.provisional_seen:
                        # The ring time is up and the server never answered, not even 100 Trying
                        # (a carrier's later server only gets what is left of the call's ring time).
                        tx.cancel()
                        self._end("trunk_failed")
                        return self._dial_result(CallOutcome.TRUNK_FAILED, None, early, cause="trunk:timeout")
                    if cancelled:  # no 487 after our CANCEL: give up on the far end
                        tx.cancel()
                        self._end("timeout")
                        return self._dial_result(CallOutcome.NO_ANSWER, None, early)
                    cancelled = True
                    self._send_cancel(invite)
                    cancel_sent = True
                    continue
                if resp.status < 200:
                    self.provisional_seen = True
                    self.reached = self.reached or resp.status > 100
                    if cancelled and not cancel_sent:
                        self._send_cancel(invite)
                        cancel_sent = True
                    early = self._on_provisional(resp) or early
                    continue
                break
            status = resp.status
            cause = self._trunk_failure(tx, status)
            if cause is not None:
                self._end("trunk_failed", status)
                return self._dial_result(CallOutcome.TRUNK_FAILED, status, early, cause=cause)
            if status in (401, 407) and auth_header is None:
                auth_header = self._answer_challenge(resp, invite)
                if auth_header is not None:
                    self._event(CallEventKind.TRYING, status)
                    continue
            if 200 <= status < 300:
                self._auth = auth_header
                refusal = self._establish(resp)
                tx.on_2xx_again = lambda again: self._ack(again)
                if refusal is not None:  # answered, but not as our settings require: end it now
                    log.warning("call %s ended at answer: %s", self.call_id, refusal)
                    self._end(refusal, status)
                    await self._bye()
                    return self._dial_result(CallOutcome.FAILED, status, early, cause=refusal)
                if cancelled:  # the far end answered as our CANCEL crossed it
                    await self.hangup()
                    return self._dial_result(CallOutcome.NO_ANSWER, status, early)
                self._answered_at = self._now()
                self._event(CallEventKind.ANSWERED, status)
                return self._dial_result(CallOutcome.ANSWERED, status, early)
            outcome = outcome_for(status, cancelled_by_us=cancelled)
            kind = EarlyMedia.NONE
            if early:
                kind, outcome = await self._judge_early_media(outcome)
            self._end("cancelled" if cancelled else "rejected", status)
            # 488 to an RTP/SAVP offer: most likely the far end does not do SRTP; say so.
            refused = status == 488 and self._srtp == SrtpPolicy.MANDATORY
            return self._dial_result(outcome, status, early, kind, "srtp:not_acceptable" if refused else None)

    def _trunk_failure(self, tx: ClientTransaction, status: int) -> str | None:
        """Why the trunk, not the callee, ended this INVITE; None if the callee's network may have
        been reached. Before any 18x: a transport error, a local timeout with no response at
        all, or 503 from the trunk (RFC 3261 §21.5.4: the server is overloaded or down)."""
        if self.reached:
            return None
        if tx.failure == "transport":
            return "trunk:transport"
        if tx.failure == "timeout" and not self.provisional_seen:
            return "trunk:timeout"
        if status == 503:
            return "trunk:503"
        return None

    def _dial_result(
        self,
        outcome: CallOutcome,
        status: int | None,
        early: bool,
        kind: EarlyMedia | None = None,
        cause: str | None = None,
    ) -> DialResult:
        media = (kind or EarlyMedia.NONE).value if early else None
        return DialResult(outcome, self._now(), status, media, str(self._trunk), cause)

    async def _judge_early_media(self, outcome: CallOutcome) -> tuple[EarlyMedia, CallOutcome]:
        pcm = self.rtp.stop_capture()
        kind = classify(pcm)
        if kind == EarlyMedia.ANNOUNCEMENT and self._announcement_asr is not None:
            spotted = outcome_from_announcement(await self._announcement_asr(pcm))
            if spotted is not None:
                return kind, spotted
        if kind == EarlyMedia.BUSY_TONE and outcome in (CallOutcome.NO_ANSWER, CallOutcome.FAILED):
            return kind, CallOutcome.BUSY
        return kind, outcome

    def _on_provisional(self, resp: SipMessage) -> bool:
        if resp.status == 100:
            self._event(CallEventKind.TRYING, 100)
            return False
        ringing, self.on_ringing = self.on_ringing, None
        if ringing is not None:
            ringing()
        media = sdp.parse_answer(resp.body) if resp.body else None
        if media is not None and self._secure(media) is None:
            if not self.rtp.remote:
                self.rtp.start_capture()
            self._start_media(media)
            self._event(CallEventKind.EARLY_MEDIA, resp.status)
            return True
        self._event(CallEventKind.RINGING, resp.status)
        return False

    def _establish(self, resp: SipMessage) -> str | None:
        """Take the 2xx's dialog and media and ACK it; the reason the call cannot go on (SRTP
        mandatory and no acceptable key in the answer), else None."""
        self._remote_tag = tag_of(resp.get("To"))
        self._to = resp.get("To") or self._to
        contact = resp.get("Contact")
        if contact:
            self._remote_target = uri_of(contact)
        self._route = list(reversed(resp.get_all("Record-Route")))
        media = sdp.parse_answer(resp.body) if resp.body else None
        refusal = self._secure(media) if media is not None else None
        if media is not None and refusal is None:
            if self.rtp.remote:
                self.rtp.stop_capture()
            self._start_media(media)
        elif self.rtp.remote:
            self.rtp.stop_capture()
        self._ack(resp)
        if refusal is None and self._srtp == SrtpPolicy.MANDATORY and self.rtp.srtp is None:
            refusal = "srtp:no_crypto"  # no usable SDP at all: no key was agreed
        return refusal

    def _secure(self, media: sdp.MediaAnswer) -> str | None:
        """Apply the answer's SDES key to the RTP session (RFC 4568); the refusal cause when SRTP
        is mandatory and the answer has no crypto line accepting ours, else None. With SRTP
        optional, an answer without one leaves the stream plain RTP."""
        if self._crypto is None:
            return None
        remote = choose(self._crypto, media.crypto)
        if remote is None:
            if self._srtp == SrtpPolicy.MANDATORY:
                return "srtp:no_crypto"
            self.rtp.srtp, self._remote_crypto = None, None
            return None
        if remote != self._remote_crypto:  # a new key (not the 183's answer repeated in the 200)
            self.rtp.srtp, self._remote_crypto = SrtpContext(self._crypto, remote), remote
        return None

    def _start_media(self, media: sdp.MediaAnswer) -> None:
        self.rtp.start(
            media.host,
            media.port,
            media.payload_type,
            media.dtmf_payload_type,
            media.payload_types,
            rtcp_to=media.rtcp_to(),
            rtcp_mux=media.rtcp_mux,
        )

    def _ack(self, resp: SipMessage) -> None:
        """ACK for a 2xx, with the INVITE's credentials (RFC 3261 §22.1: a proxy may check them).

        A retransmitted 2xx gets the same ACK again, not a new one (RFC 3261 §13.2.2.4): a new
        branch is a new request to the far end, which by then may be waiting for our BYE.
        """
        if self._sent_ack is None:
            self._sent_ack = self._in_dialog("ACK", cseq=int(resp.cseq[0]))
            if self._auth is not None:
                self._sent_ack.add(*self._auth)
        self._ua.send_stateless(self._sent_ack, self._target_addr(), self._transport)

    def _non2xx_ack(self, resp: SipMessage) -> SipMessage:
        """RFC 3261 §17.1.1.3: same branch and Request-URI as the INVITE, To from the response."""
        invite = self._last_invite
        ack = SipMessage(method="ACK", uri=invite.uri)
        ack.add("Via", invite.get("Via") or "")
        for route in invite.get_all("Route"):
            ack.add("Route", route)
        ack.add("Max-Forwards", "70")
        ack.add("From", invite.get("From") or "")
        ack.add("To", resp.get("To") or "")
        ack.add("Call-ID", self.call_id)
        ack.add("CSeq", f"{invite.cseq[0]} ACK")
        return ack

    def _send_cancel(self, invite: SipMessage) -> None:
        cancel = SipMessage(method="CANCEL", uri=invite.uri)
        cancel.add("Via", invite.get("Via") or "")
        cancel.add("Max-Forwards", "70")
        cancel.add("From", invite.get("From") or "")
        cancel.add("To", invite.get("To") or "")
        cancel.add("Call-ID", self.call_id)
        cancel.add("CSeq", f"{invite.cseq[0]} CANCEL")
        self._ua.request(cancel, self._dest, transport=self._transport)

    def _invite(self, auth: tuple[str, str] | None) -> SipMessage:
        self._cseq += 1
        invite = SipMessage(method="INVITE", uri=self._remote_uri)
        invite.add("Via", self._ua.via(new_branch(), self._transport))
        invite.add("Max-Forwards", "70")
        invite.add("From", self._from)
        invite.add("To", self._to)
        invite.add("Call-ID", self.call_id)
        invite.add("CSeq", f"{self._cseq} INVITE")
        invite.add("Contact", self._ua.contact(self._transport, "sips" if self._trunk.sips else "sip"))
        invite.add("Allow", ALLOW)
        invite.add("User-Agent", "huikuan")
        if self._trunk.asserted_identity:
            invite.add("P-Asserted-Identity", f"<{self._trunk.asserted_identity}>")
        if auth is not None:
            invite.add(*auth)
        invite.add("Content-Type", "application/sdp")
        invite.body = sdp.offer(
            self._ua.public_host,
            self.rtp.local_port,
            self._session_id,
            crypto=self._crypto,
            savp=self._srtp == SrtpPolicy.MANDATORY,
        )
        self._last_invite = invite
        return invite

    def _in_dialog(self, method: str, cseq: int | None = None) -> SipMessage:
        if cseq is None:
            self._cseq += 1
            cseq = self._cseq
        req = SipMessage(method=method, uri=self._remote_target)
        req.add("Via", self._ua.via(new_branch(), self._transport))
        for route in self._route:
            req.add("Route", route)
        req.add("Max-Forwards", "70")
        req.add("From", self._from)
        req.add("To", self._to)
        req.add("Call-ID", self.call_id)
        req.add("CSeq", f"{cseq} {method}")
        return req

    def _target_addr(self) -> tuple[str, int]:
        """Where in-dialog requests go: the first Route, else the remote target (RFC 3261 §12.2.1.1).

        Only an IP literal is used as it stands; a name (never resolved on the event loop) or
        an unusable URI falls back to the trunk's address, resolved when the carrier started.
        """
        text = uri_of(self._route[0]) if self._route else self._remote_target
        try:
            uri = parse_uri(text)
        except ValueError:
            return self._dest
        return (uri.host, uri.effective_port) if uri.ip_literal else self._dest

    # --- requests from the far end ---------------------------------------------------------
    def accepts(self, request: SipMessage, addr: tuple[str, int]) -> bool:
        """Is this in-dialog request ours? RFC 3261 §12.2.2: Call-ID (the UA's lookup), the To tag
        ours, the From tag the far end's; and it must come from a host on the dialog's path (the
        first route hop, the remote target or the trunk), not from whoever learnt the Call-ID."""
        if tag_of(request.get("To")) != self._local_tag:
            return False
        if not self._remote_tag or tag_of(request.get("From")) != self._remote_tag:
            return False
        return _host(addr[0]) in {_host(self._target_addr()[0]), _host(self._dest[0])}

    def refused(self) -> int:
        self._refused += 1
        return self._refused

    def on_request(self, request: SipMessage, addr: tuple[str, int]) -> SipMessage:
        if request.method == "BYE":
            self._remote_hung_up = True
            refer = self._refer_result
            transferred = refer is not None and refer.done() and 200 <= refer.result() < 300
            self._end("transferred" if transferred else "remote_bye")
            self._release()
            return response_to(request, 200, "OK")
        if request.method == "INVITE":  # re-INVITE: take the new media address, answer ours
            media = sdp.parse_answer(request.body) if request.body else None
            crypto: CryptoAttribute | None = None
            if media is not None and self._srtp != SrtpPolicy.OFF:  # an offer: answer its key
                keys = accept_offer(media.crypto)
                if keys is None and self._srtp == SrtpPolicy.MANDATORY:
                    return response_to(request, 488, "Not Acceptable Here", self._local_tag)
                if keys is not None:
                    self._remote_crypto, crypto = keys
                    self._crypto = crypto
                    self.rtp.srtp = SrtpContext(crypto, self._remote_crypto)
                else:
                    self.rtp.srtp = self._remote_crypto = None
            if media is not None:
                self._start_media(media)
            mux = media.rtcp_mux if media is not None else self.rtp.rtcp_mux
            self._sdp_version += 1
            resp = response_to(request, 200, "OK", self._local_tag)
            resp.add("Contact", self._ua.contact(self._transport, "sips" if self._trunk.sips else "sip"))
            resp.add("Allow", ALLOW)
            resp.add("Content-Type", "application/sdp")
            resp.body = sdp.offer(
                self._ua.public_host,
                self.rtp.local_port,
                self._session_id,
                self._sdp_version,
                mux,
                crypto=crypto if media is not None else self._crypto,
                # No SDP in the re-INVITE: ours is an offer, made as our first one was.
                savp=media.proto == "RTP/SAVP" if media is not None else self._srtp == SrtpPolicy.MANDATORY,
            )
            return resp
        if request.method == "NOTIFY":
            return self._on_notify(request)
        if request.method in ("OPTIONS", "INFO", "UPDATE"):  # INFO's DTMF comes by RTP; ignored
            resp = response_to(request, 200, "OK", self._local_tag)
            resp.add("Allow", ALLOW)
            return resp
        return response_to(request, 405, "Method Not Allowed", self._local_tag)

    # --- bookkeeping ---------------------------------------------------------------------
    def _now(self) -> float:
        return asyncio.get_running_loop().time() - self._started

    def _event(self, kind: CallEventKind, status: int | None = None, cause: str | None = None) -> None:
        self._events.append(CallEvent(kind, self._now(), status, cause))

    def _end(self, cause: str, status: int | None = None) -> None:
        if self.ended:
            return
        self._cause = cause
        self._ended_at = self._now()
        self._event(CallEventKind.ENDED, status, cause)
        self._ended.set()

    def _release(self) -> None:
        dropped = {k: v for k, v in self.dropped.items() if v and k != "rtcp_received"}
        if dropped and not self.rtp.closed:
            log.warning("call %s refused media: %s", self.call_id, dropped)
        if not self.rtp.closed and self.rtp.remote is not None:
            log.info("call %s media: %s", self.call_id, self.rtp.stats.quality())
        self.rtp.close()
        # Keep the dialog registered a little while to answer a retransmitted BYE from our cache.
        asyncio.get_running_loop().call_later(self._ua.timers.b, self._ua.unregister_dialog, self.call_id)

    def _require_live(self) -> None:
        if self._result.outcome != CallOutcome.ANSWERED or self.ended:
            raise RuntimeError("no live call to talk on")


def _host(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return text.lower()
