"""Debtors on the API: masked for view_masked, in full only through a reveal that needs
view_full and a reason, and is audited (who, which debtor, the reason; never the values)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from huikuan.portfolio.cards import DebtorCard, debtor_card
from huikuan.security import audit
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import RowId

router = APIRouter()


class RevealIn(BaseModel):
    reason: str = Field(min_length=5, max_length=200, description="why the full data is needed")


@router.get("/api/debtors/{debtor_id}", response_model=DebtorCard)
def debtor(
    debtor_id: RowId, _user: Annotated[User, Depends(Requires(Permission.VIEW_MASKED))], session: SessionDep
) -> DebtorCard:
    """A debtor with name, ID number and phone numbers masked (view_masked)."""
    return debtor_card(session, debtor_id)


@router.post("/api/debtors/{debtor_id}/reveal", response_model=DebtorCard)
def reveal(
    debtor_id: RowId,
    body: RevealIn,
    request: Request,
    user: Annotated[User, Depends(Requires(Permission.VIEW_FULL))],
    session: SessionDep,
) -> DebtorCard:
    """The debtor in full (view_full), with a reason; audited (查看完整信息)."""
    card = debtor_card(session, debtor_id, full=True)
    audit.append(
        session,
        at=clock_of(request).now(),
        actor=f"user:{user.id}",
        action="personal_data.reveal",
        entity="debtor",
        entity_id=debtor_id,
        details={"reason": body.reason.strip(), "fields": ["name", "national_id", "contacts"]},
    )
    return card
