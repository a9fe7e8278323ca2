"""The robot's hand-off to the human desk: the two hooks a production worker runs with.

Before an answered call the dialogue asks whether a person can take a transfer now (an agent of
the campaign, or any agent, is available); after a call whose dialogue asked for a person, the
transfer is queued on the desk, which pops the agent's screen. Simulated days run robots only
and leave both hooks out (the dialogue then assumes a person is available).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from huikuan.desk import service as desk
from huikuan.desk.schemas import TransferReason
from huikuan.flows import CallResult
from huikuan.flows.handoff import reason_for
from huikuan.outcomes import service as outcomes


def transfer_reason(call: CallResult) -> TransferReason:
    """Why the robot hands this debtor over: a plan beyond what it may grant, or they asked."""
    return reason_for(call.disposition)


def queue_transfer(session: Session, attempt_id: int, call: CallResult) -> None:
    """The worker's `on_transfer` hook: queue the debtor for the longest-idle agent (unless the
    call's live hand-off to an agent's phone queued it already)."""
    attempt = outcomes.attempt_facts(session, attempt_id)
    if attempt is None or desk.transfer_of_attempt(session, attempt_id) is not None:
        return
    desk.request_transfer(
        session,
        attempt_id=attempt_id,
        reason=transfer_reason(call),
        at=attempt.ended_at or attempt.started_at,
        campaign_id=attempt.campaign_id,
    )


def agent_free(sessions: sessionmaker[Session], campaign_id: int | None) -> Callable[[], bool]:
    """The worker's `agent_available` hook: asked when a call is answered."""

    def available() -> bool:
        with sessions() as s:
            return desk.agent_available(s, campaign_id)

    return available
