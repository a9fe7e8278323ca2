"""The dialogue's data past its time: LLM exchanges (lifecycle/retention.py says how long)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from huikuan.dialogue.models import LlmExchange


def llm_exchanges_before(session: Session, cutoff: datetime) -> int:
    return int(
        session.scalar(select(func.count()).select_from(LlmExchange).where(LlmExchange.at < cutoff)) or 0
    )


def delete_llm_exchanges_before(session: Session, cutoff: datetime) -> int:
    done = session.execute(delete(LlmExchange).where(LlmExchange.at < cutoff))
    return int(getattr(done, "rowcount", 0))
