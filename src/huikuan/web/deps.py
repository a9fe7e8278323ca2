"""What every route takes from the app: one transaction on its engine, and its clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from huikuan.clock import Clock
from huikuan.db import session_scope


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request, on the app's engine."""
    with session_scope(request.app.state.engine) as session:
        yield session


def clock_of(request: Request) -> Clock:
    """The app's clock: every recorded instant comes from it (a virtual one in tests)."""
    clock: Clock = request.app.state.clock
    return clock


SessionDep = Annotated[Session, Depends(db_session)]
