"""Hidden simulation state: each synthetic debtor's persona. Never read by production paths."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base


class SimPersona(Base):
    __tablename__ = "sim_persona"

    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), primary_key=True)
    persona: Mapped[str] = mapped_column(String(32))  # sim.personas.Persona
    temper: Mapped[int] = mapped_column(Integer, default=0)  # 0 calm .. 3 explosive
    seed: Mapped[int] = mapped_column(Integer, default=0)  # per-debtor PRNG seed


class SimLine(Base):
    """The true behaviour of one contact's number in the simulation."""

    __tablename__ = "sim_line"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), primary_key=True)
    truth: Mapped[str] = mapped_column(String(16))  # sim.personas.LineTruth
