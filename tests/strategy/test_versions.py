"""Strategy versions are approved like scripts, and the approved one drives the call path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from huikuan.dialer.worker import case_of
from huikuan.errors import Conflict, InvalidInput, PermissionDenied
from huikuan.profiling.segments import Segment
from huikuan.profiling.service import ProfileRead
from huikuan.security.users import Role, create_user
from huikuan.strategy import versions
from huikuan.strategy.document import DEFAULT_PATH, Case
from huikuan.strategy.versions import StrategyStatus
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
# Everyone gets a plan of at most three payments: a visible change from the shipped strategy.
PLANS_FOR_ALL = (
    DEFAULT_PATH.read_text(encoding="utf-8")
    .replace("name: default", "name: plans-for-all")
    .replace(
        "treatment: friendly_reminder}         # the last", "treatment: hardship_installment}  # the last"
    )
    .replace(
        "  hardship_installment:\n    script: hardship\n    plan: {max_terms: 6",
        "  hardship_installment:\n    script: hardship\n    plan: {max_terms: 3",
    )
)


def _users(db: TestDatabase) -> tuple[int, int]:
    with db.session() as s:
        author = create_user(s, "strategist", "strategist", "password-long-1", Role.SUPERVISOR).id
        officer = create_user(s, "officer", "officer", "password-long-2", Role.COMPLIANCE_OFFICER).id
        s.commit()
    return author, officer


def test_an_approved_strategy_drives_calls_and_retires_the_one_before(db: TestDatabase) -> None:
    author, officer = _users(db)
    with db.session() as s:
        assert versions.active_strategy(s).version_id is None  # the shipped one until an approval
        first = versions.create_draft(s, PLANS_FOR_ALL, author_id=author, at=AT)
        versions.submit(s, first.id, by=author, at=AT)
        with pytest.raises(PermissionDenied):
            versions.approve(s, first.id, officer_id=author, reason="my own work", at=AT)
        with pytest.raises(InvalidInput):
            versions.approve(s, first.id, officer_id=officer, reason="ok", at=AT)  # too short
        versions.approve(s, first.id, officer_id=officer, reason="plans for everyone in December", at=AT)
        s.commit()
        active = versions.active_strategy(s)
        assert active.version_id == first.id
        decided = active.strategy.decide(Case("M2", None))
        assert decided.treatment == "hardship_installment"
        assert active.strategy.bounds(decided.treatment).max_terms == 3
        second = versions.create_draft(s, PLANS_FOR_ALL, author_id=author, at=AT)
        assert second.version == 2
        versions.submit(s, second.id, by=author, at=AT)
        versions.approve(s, second.id, officer_id=officer, reason="same again, reviewed", at=AT)
        s.commit()
        statuses = {v.id: v.status for v in versions.list_versions(s)}
    assert statuses == {first.id: StrategyStatus.RETIRED, second.id: StrategyStatus.APPROVED}


def test_a_draft_must_validate_and_only_a_submitted_version_is_decided(db: TestDatabase) -> None:
    author, officer = _users(db)
    with db.session() as s:
        with pytest.raises(InvalidInput):
            versions.create_draft(s, "name: broken\nrules: []\n", author_id=author, at=AT)
        draft = versions.create_draft(s, PLANS_FOR_ALL, author_id=author, at=AT)
        with pytest.raises(Conflict):
            versions.approve(s, draft.id, officer_id=officer, reason="not even submitted", at=AT)
        versions.submit(s, draft.id, by=author, at=AT)
        rejected = versions.reject(s, draft.id, officer_id=officer, reason="too generous a plan", at=AT)
        assert rejected.status == StrategyStatus.REJECTED
        assert versions.active_strategy(s).version_id is None


def test_the_call_path_reads_the_profile_into_the_case() -> None:
    profile = ProfileRead(
        account_id=1,
        computed_at=AT,
        feature_version="v",
        segment=Segment.HARDSHIP,
        source="rules",
        confidence=0.9,
        explanation_zh="",
        explanation_en="",
        best_hours=[],
        propensity=None,
        propensity_version=None,
        promises_broken=2,
        days_worked=7,
    )
    assert case_of("M3", profile) == Case("M3", "hardship", 2, 7)
    assert case_of("M3", None) == Case("M3", None)


def test_the_cli_takes_a_strategy_from_file_to_active(db: TestDatabase, tmp_path: Path) -> None:
    file = tmp_path / "strategy.yaml"
    file.write_text(PLANS_FOR_ALL, encoding="utf-8")
    assert huikuan(["strategy", "check", str(file)]).returncode == 0
    supervisor = operator_env(db, Role.SUPERVISOR)
    officer = operator_env(db, Role.COMPLIANCE_OFFICER)
    stored = huikuan(["strategy", "import", str(file)], env=supervisor)
    assert stored.returncode == 0, stored.stderr
    version_id = stored.stdout.split("draft stored ")[1].split(":")[0]
    assert huikuan(["strategy", "submit", version_id], env=supervisor).returncode == 0
    approved = huikuan(["strategy", "approve", version_id, "--reason", "reviewed with legal"], env=officer)
    assert approved.returncode == 0, approved.stderr
    shown = huikuan(["strategy", "show"], env=db.env())
    assert "name: plans-for-all" in shown.stdout
    assert "\tapproved\t" in huikuan(["strategy", "list"], env=db.env()).stdout
