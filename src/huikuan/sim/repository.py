"""All SQL of the simulation's hidden truths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from huikuan.db import chunked
from huikuan.sim.models import SimLine, SimPersona
from huikuan.sim.personas import Persona


def debtors_with_persona(session: Session, debtor_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunked(debtor_ids):
        found.update(session.scalars(select(SimPersona.debtor_id).where(SimPersona.debtor_id.in_(chunk))))
    return found


def contacts_with_line(session: Session, contact_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunked(contact_ids):
        found.update(session.scalars(select(SimLine.contact_id).where(SimLine.contact_id.in_(chunk))))
    return found


def insert_truths(session: Session, personas: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
    if personas:
        session.execute(insert(SimPersona), personas)
    if lines:
        session.execute(insert(SimLine), lines)
    session.flush()


def personas_of(session: Session, debtor_ids: Sequence[int]) -> dict[int, tuple[Persona, int]]:
    """debtor id → (hidden persona, per-debtor seed) for the simulated ones among `debtor_ids`."""
    found: dict[int, tuple[Persona, int]] = {}
    for chunk in chunked(debtor_ids):
        query = select(SimPersona.debtor_id, SimPersona.persona, SimPersona.seed).where(
            SimPersona.debtor_id.in_(chunk)
        )
        found.update({did: (Persona(persona), seed) for did, persona, seed in session.execute(query)})
    return found
