"""Number status from the network: a final SIP response (and early media) → a `CallOutcome`."""

from __future__ import annotations

from huikuan.types import CallOutcome

_BY_STATUS = {
    404: CallOutcome.INVALID_NUMBER,
    410: CallOutcome.INVALID_NUMBER,
    484: CallOutcome.INVALID_NUMBER,
    604: CallOutcome.INVALID_NUMBER,
    480: CallOutcome.POWERED_OFF,
    486: CallOutcome.BUSY,
    600: CallOutcome.BUSY,
    603: CallOutcome.REJECTED,
    403: CallOutcome.REJECTED,
    408: CallOutcome.NO_ANSWER,
}
# Announcement keywords as an ASR engine would spot them (Mandarin carrier recordings, English).
ANNOUNCEMENT_KEYWORDS: tuple[tuple[str, CallOutcome], ...] = (
    ("空号", CallOutcome.INVALID_NUMBER),
    ("停机", CallOutcome.INVALID_NUMBER),
    ("不存在", CallOutcome.INVALID_NUMBER),
    ("关机", CallOutcome.POWERED_OFF),
    ("不在服务区", CallOutcome.POWERED_OFF),
    ("无法接通", CallOutcome.POWERED_OFF),
    ("正在通话", CallOutcome.BUSY),
    ("does not exist", CallOutcome.INVALID_NUMBER),
    ("not in service", CallOutcome.INVALID_NUMBER),
    ("powered off", CallOutcome.POWERED_OFF),
    ("switched off", CallOutcome.POWERED_OFF),
    ("unavailable", CallOutcome.POWERED_OFF),
    ("busy", CallOutcome.BUSY),
)


def outcome_for(status: int, cancelled_by_us: bool = False) -> CallOutcome:
    """The outcome a final response means; 5xx and anything unexpected is `failed`."""
    if 200 <= status < 300:
        return CallOutcome.ANSWERED
    if status == 487:
        return CallOutcome.NO_ANSWER if cancelled_by_us else CallOutcome.FAILED
    return _BY_STATUS.get(status, CallOutcome.FAILED)


def retry_on_next_trunk(status: int, provisional_seen: bool) -> bool:
    """5xx means the trunk, not the number, failed; so does a trunk that never answered at all."""
    return 500 <= status < 600 or (status == 408 and not provisional_seen)


def outcome_from_announcement(text: str | None) -> CallOutcome | None:
    if not text:
        return None
    low = text.lower()
    for keyword, outcome in ANNOUNCEMENT_KEYWORDS:
        if keyword in low:
            return outcome
    return None
