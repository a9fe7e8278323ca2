"""The SDP offer we send (PCMU, PCMA, telephone-event) and the bits of an answer we use.

RTCP: the offer names its port (`a=rtcp`, RFC 3605: port + 1) and offers `a=rtcp-mux` (RFC 5761);
an answer's `a=rtcp-mux` accepts multiplexing, its `a=rtcp:PORT [IN IP4 addr]` says where its RTCP
goes when not multiplexed.
SRTP (SDES, RFC 4568): `crypto` adds our `a=crypto` key line; the answer's usable key lines and
its m= line's transport (RTP/AVP or RTP/SAVP) are kept for `telephony.srtp` to choose from."""

from __future__ import annotations

from dataclasses import dataclass

from huikuan.telephony.srtp import CryptoAttribute

PCMU, PCMA, TELEPHONE_EVENT = 0, 8, 101


@dataclass(frozen=True, slots=True)
class MediaAnswer:
    host: str
    port: int
    payload_type: int  # the first codec of ours the far end accepted
    dtmf_payload_type: int | None
    payload_types: tuple[int, ...] = ()  # every format of ours the answer kept (media accepted)
    rtcp_mux: bool = False  # the answer accepted RTCP on the RTP port (RFC 5761)
    rtcp: tuple[str, int] | None = None  # its `a=rtcp` (RFC 3605) address and port
    proto: str = "RTP/AVP"  # the m= line's transport: RTP/SAVP when the far end wants SRTP only
    crypto: tuple[CryptoAttribute, ...] = ()  # the audio stream's usable a=crypto lines (SDES)

    def rtcp_to(self) -> tuple[str, int]:
        """Where our RTCP goes: the RTP port when multiplexed, its `a=rtcp`, else RTP port + 1."""
        if self.rtcp_mux:
            return (self.host, self.port)
        return self.rtcp or (self.host, self.port + 1)


def offer(
    host: str,
    port: int,
    session_id: int,
    version: int = 1,
    rtcp_mux: bool = True,
    crypto: CryptoAttribute | None = None,
    savp: bool = False,
) -> bytes:
    """Our SDP (an offer, or the answer to a re-INVITE); `rtcp_mux` False in an answer to an offer
    without it (RFC 5761 §5.1.1); `crypto` adds our SRTP key, `savp` makes the stream RTP/SAVP
    (SRTP only) instead of RTP/AVP with an optional key."""
    proto = "RTP/SAVP" if savp else "RTP/AVP"
    family = "IP6" if ":" in host else "IP4"
    lines = [
        "v=0",
        f"o=huikuan {session_id} {version} IN {family} {host}",
        "s=huikuan",
        f"c=IN {family} {host}",
        "t=0 0",
        f"m=audio {port} {proto} {PCMU} {PCMA} {TELEPHONE_EVENT}",
        f"a=rtpmap:{PCMU} PCMU/8000",
        f"a=rtpmap:{PCMA} PCMA/8000",
        f"a=rtpmap:{TELEPHONE_EVENT} telephone-event/8000",
        f"a=fmtp:{TELEPHONE_EVENT} 0-15",
        "a=ptime:20",
        "a=sendrecv",
        f"a=rtcp:{port + 1}",
    ]
    if rtcp_mux:
        lines.append("a=rtcp-mux")
    if crypto is not None:
        lines.append("a=" + crypto.format())
    return ("\r\n".join(lines) + "\r\n").encode()


def parse_answer(body: bytes) -> MediaAnswer | None:
    """The far end's audio address and chosen codec, or None if unusable (no audio, no G.711)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    session_host, media_host, port, formats = "", "", 0, []
    dtmf: int | None = None
    in_audio = False
    mux = False
    rtcp: tuple[str, int] | None = None
    rtcp_port = 0
    proto = "RTP/AVP"
    crypto: list[CryptoAttribute] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("c=IN IP4 ") or line.startswith("c=IN IP6 "):
            host = line.split()[-1].split("/")[0]
            if in_audio:
                media_host = host
            else:
                session_host = host
        elif line.startswith("m="):
            fields = line[2:].split()
            in_audio = fields[0] == "audio" if fields else False
            if in_audio and len(fields) >= 4 and fields[1].isdigit():
                port = int(fields[1])
                proto = fields[2].upper()
                crypto = []
                formats = [int(f) for f in fields[3:] if f.isdigit()]
        elif in_audio and line.lower().startswith("a=rtpmap:") and "telephone-event" in line.lower():
            pt = line[9:].split()[0]
            dtmf = int(pt) if pt.isdigit() else None
        elif in_audio and line.lower() == "a=rtcp-mux":
            mux = True
        elif in_audio and line.lower().startswith("a=rtcp:"):
            fields = line[7:].split()
            if fields and fields[0].isdigit() and 0 < int(fields[0]) < 65536:
                rtcp_port = int(fields[0])
                if len(fields) >= 4 and fields[1] == "IN" and fields[2] in ("IP4", "IP6"):
                    rtcp = (fields[3], rtcp_port)
        elif in_audio and line.lower().startswith("a=crypto:"):
            attr = CryptoAttribute.parse(line)
            if attr is not None:
                crypto.append(attr)
    host = media_host or session_host
    codec = next((f for f in formats if f in (PCMU, PCMA)), None)
    if not host or not 0 < port < 65536 or codec is None:
        return None
    dtmf_pt = dtmf if dtmf in formats else None
    ours = tuple(f for f in formats if f in (PCMU, PCMA) or f == dtmf_pt)
    if rtcp_port and rtcp is None:
        rtcp = (host, rtcp_port)
    return MediaAnswer(host, port, codec, dtmf_pt, ours, mux, rtcp, proto, tuple(crypto))
