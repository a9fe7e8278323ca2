"""Tell other processes that the floor's figures changed: attempts, promises, stops recorded.

On PostgreSQL `announce` sends `NOTIFY huikuan_activity` in the caller's transaction, so a
listener (the web process's dashboard) hears it exactly when the rows become visible, and not
at all if the transaction rolls back; PostgreSQL folds identical notices of one transaction into
one. SQLite has no notices: its readers poll a cheap change marker instead.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "huikuan_activity"


def announce(session: Session) -> None:
    """Queue a notice on `CHANNEL`, delivered when `session` commits (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
