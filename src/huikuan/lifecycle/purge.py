"""The scheduled purge: every kind of data past its retention period, counted and audited.

Run daily (`huikuan data purge`, e.g. from cron with a system account's API token). Idempotent:
a run that fails part-way is completed by the next one; recordings' files go first (see
voice/recording.py), so nothing is kept past its time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from huikuan.dialogue.retention import delete_llm_exchanges_before, llm_exchanges_before
from huikuan.lifecycle.retention import keep
from huikuan.security import audit, auth
from huikuan.voice.recording import delete_expired_recordings, expired_recordings


def _period(kind: str) -> timedelta:
    period = keep(kind)
    if period is None:
        raise ValueError(f"{kind} is not purged by age")
    return period


def _cutoff(kind: str, now: datetime) -> datetime:
    return now - _period(kind)


def purge(session: Session, data_dir: Path, now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Delete (or, dry, count) what is past its time; returns kind → rows. The caller commits."""
    years = _period("recording").days // 365  # whole years, as the recordings count them
    counts: dict[str, int] = {}
    if dry_run:
        counts["recording"] = len(expired_recordings(session, now, years))
        counts["llm_exchange"] = llm_exchanges_before(session, _cutoff("llm_exchange", now))
        counts["web_session"] = auth.ended_sessions_before(session, _cutoff("web_session", now))
        counts["api_token"] = auth.dead_tokens_before(session, _cutoff("api_token", now))
        return counts
    counts["recording"] = delete_expired_recordings(session, data_dir, now, years=years, actor="system")
    counts["llm_exchange"] = delete_llm_exchanges_before(session, _cutoff("llm_exchange", now))
    counts["web_session"] = auth.delete_ended_sessions_before(session, _cutoff("web_session", now))
    counts["api_token"] = auth.delete_dead_tokens_before(session, _cutoff("api_token", now))
    audit.append(
        session, at=now, actor="system", action="retention.purge", entity="retention", details=counts
    )
    return counts
