"""All SQL of profiling: profiles (replaced per refresh), models trained, treatment decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from huikuan.db import chunked
from huikuan.profiling.models import AccountProfile, ProfilingModel, TreatmentDecision


def replace_profiles(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the profiles of the rows' accounts with the rows."""
    for part in chunked([r["account_id"] for r in rows], 500):
        session.execute(delete(AccountProfile).where(AccountProfile.account_id.in_(part)))
    if rows:
        session.execute(insert(AccountProfile), list(rows))


def profile(session: Session, account_id: int) -> AccountProfile | None:
    return session.get(AccountProfile, account_id)


def all_profiles(session: Session) -> list[AccountProfile]:
    return list(session.scalars(select(AccountProfile).order_by(AccountProfile.account_id)))


def add_model(session: Session, values: Mapping[str, Any]) -> None:
    if session.get(ProfilingModel, values["version"]) is None:
        session.add(ProfilingModel(**values))
        session.flush()


def add_decision(session: Session, values: Mapping[str, Any]) -> None:
    session.execute(insert(TreatmentDecision), [dict(values)])


def decision(session: Session, attempt_id: int) -> TreatmentDecision | None:
    return session.scalars(
        select(TreatmentDecision).where(TreatmentDecision.attempt_id == attempt_id)
    ).first()


def decisions_for(session: Session, attempt_ids: Sequence[int]) -> list[TreatmentDecision]:
    """The treatment decisions of `attempt_ids` (one chunk)."""
    return list(
        session.scalars(select(TreatmentDecision).where(TreatmentDecision.attempt_id.in_(attempt_ids)))
    )
