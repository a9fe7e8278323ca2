"""Profiling as a filter for other lists (the console's account search)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from huikuan.profiling.models import AccountProfile
from huikuan.profiling.segments import Segment


def accounts_in_segment(segment: Segment) -> Select[Any]:
    """A sub-select of the ids of the accounts whose latest profile is in `segment` (indexed)."""
    return select(AccountProfile.account_id).where(AccountProfile.segment == segment.value)
