"""Strategy versions and their approval, as scripts are approved: a draft (validated whole), its
submission, and the decision of a person who may approve (`approve_scripts`: a compliance
officer) and is not its author. Approving retires the previously approved version, so exactly
one strategy drives every call (`active_strategy`); before any approval the shipped one does.
Every transition is audited with ids and the content's hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.security import audit
from huikuan.strategy.document import Strategy, parse_strategy, shipped_strategy
from huikuan.strategy.models import StrategyExperiment, StrategyVersion

MIN_REASON, MAX_REASON = 5, 500


class StrategyStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    id: int
    name: str
    version: int
    status: StrategyStatus
    author_id: int | None
    reviewed_by: int | None
    created_at: datetime
    reviewed_at: datetime | None
    review_reason: str | None
    sha256: str


@dataclass(frozen=True, slots=True)
class Active:
    strategy: Strategy
    version_id: int | None  # None: the shipped strategy (nothing approved yet)


def _info(row: StrategyVersion) -> StrategyInfo:
    return StrategyInfo(
        id=row.id,
        name=row.name,
        version=row.version,
        status=StrategyStatus(row.status),
        author_id=row.author_id,
        reviewed_by=row.reviewed_by,
        created_at=row.created_at,
        reviewed_at=row.reviewed_at,
        review_reason=row.review_reason,
        sha256=row.sha256,
    )


def _get(session: Session, version_id: int) -> StrategyVersion:
    row = session.get(StrategyVersion, version_id)
    if row is None:
        raise NotFound(f"策略版本 {version_id} 不存在 / no strategy version {version_id}")
    return row


def _audit(session: Session, row: StrategyVersion, action: str, actor: int, at: datetime) -> None:
    audit.append(
        session,
        at=at,
        actor=f"user:{actor}",
        action=f"strategy.{action}",
        entity="strategy_version",
        entity_id=row.id,
        details={"name": row.name, "version": row.version, "sha256": row.sha256},
    )


def create_draft(session: Session, content: str, *, author_id: int, at: datetime) -> StrategyInfo:
    """Store `content` as the next version of its strategy, if it validates (InvalidInput else)."""
    strategy = parse_strategy(content)
    latest = session.scalar(
        select(func.max(StrategyVersion.version)).where(StrategyVersion.name == strategy.name)
    )
    row = StrategyVersion(
        name=strategy.name,
        version=(latest or 0) + 1,
        status=StrategyStatus.DRAFT.value,
        content=content,
        sha256=hashlib.sha256(content.encode()).hexdigest(),
        author_id=author_id,
        created_at=at,
    )
    session.add(row)
    session.flush()
    _audit(session, row, "draft", author_id, at)
    return _info(row)


def submit(session: Session, version_id: int, *, by: int, at: datetime) -> StrategyInfo:
    row = _get(session, version_id)
    if row.status != StrategyStatus.DRAFT:
        raise Conflict(f"只能提交草稿 / only a draft can be submitted (version {version_id} is {row.status})")
    row.status = StrategyStatus.SUBMITTED.value
    row.submitted_at = at
    session.flush()
    _audit(session, row, "submit", by, at)
    return _info(row)


def _review(session: Session, version_id: int, officer_id: int) -> StrategyVersion:
    row = _get(session, version_id)
    if row.status != StrategyStatus.SUBMITTED:
        raise Conflict(f"只能审批已提交的版本 / only a submitted version can be decided ({row.status})")
    if row.author_id == officer_id:
        raise PermissionDenied(
            f"不能审批自己编写的策略 {version_id} / the author cannot decide their own strategy version"
        )
    return row


def check_reason(reason: str) -> str:
    """The reason stripped, if it has 5–500 characters (InvalidInput else)."""
    text = reason.strip()
    if not MIN_REASON <= len(text) <= MAX_REASON:
        raise InvalidInput(
            f"理由须为 {MIN_REASON}–{MAX_REASON} 个字符 / a reason of {MIN_REASON}–{MAX_REASON} characters"
        )
    return text


def approve(session: Session, version_id: int, *, officer_id: int, reason: str, at: datetime) -> StrategyInfo:
    """Approve a submitted version (not by its author); the approved one before it retires."""
    row = _review(session, version_id, officer_id)
    text = check_reason(reason)
    if session.scalar(select(StrategyExperiment.id).where(StrategyExperiment.status == "running")):
        # The running experiment's champion arm would silently change under it.
        raise Conflict("实验运行中，请先停止 / an experiment is running: stop it before a new approval")
    parse_strategy(row.content)  # stored content is re-checked: the rules may have tightened since
    for previous in session.scalars(
        select(StrategyVersion).where(StrategyVersion.status == StrategyStatus.APPROVED.value)
    ):
        previous.status = StrategyStatus.RETIRED.value
        session.flush()
        _audit(session, previous, "retire", officer_id, at)
    row.status = StrategyStatus.APPROVED.value
    row.reviewed_by, row.reviewed_at, row.review_reason = officer_id, at, text
    session.flush()
    _audit(session, row, "approve", officer_id, at)
    return _info(row)


def reject(session: Session, version_id: int, *, officer_id: int, reason: str, at: datetime) -> StrategyInfo:
    row = _review(session, version_id, officer_id)
    row.status = StrategyStatus.REJECTED.value
    row.reviewed_by, row.reviewed_at, row.review_reason = officer_id, at, check_reason(reason)
    session.flush()
    _audit(session, row, "reject", officer_id, at)
    return _info(row)


def list_versions(session: Session) -> list[StrategyInfo]:
    query = select(StrategyVersion).order_by(StrategyVersion.name, StrategyVersion.version)
    return [_info(row) for row in session.scalars(query)]


def content_of(session: Session, version_id: int) -> str:
    return _get(session, version_id).content


def active_version_id(session: Session) -> int | None:
    query = select(StrategyVersion.id).where(StrategyVersion.status == StrategyStatus.APPROVED.value)
    return session.scalar(query)


_PARSED: dict[int, Strategy] = {}  # version id → its strategy (a stored version never changes)


def active_strategy(session: Session) -> Active:
    """The approved strategy that drives calls now, or the shipped one before any approval
    (one indexed query per call; each version is parsed once per process)."""
    version_id = active_version_id(session)
    if version_id is None:
        return Active(shipped_strategy(), None)
    if version_id not in _PARSED:
        _PARSED[version_id] = parse_strategy(content_of(session, version_id))
    return Active(_PARSED[version_id], version_id)
