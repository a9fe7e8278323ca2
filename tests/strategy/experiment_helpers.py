"""A running experiment for tests: the shipped strategy (champion) against one script for everyone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from huikuan.security.users import Role, create_user
from huikuan.strategy import experiments, versions
from huikuan.strategy.document import DEFAULT_PATH

AT = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


def one_script_for_everyone() -> str:
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("name: default", "name: one-script")
    rules = re.search(r"^rules:\n(?:  - .*\n)+", text, flags=re.MULTILINE)
    assert rules is not None
    everyone = 'rules:\n  - {segment: "*", buckets: "*", treatment: friendly_reminder}\n'
    return text[: rules.start()] + everyone + text[rules.end() :]


@dataclass(frozen=True)
class Running:
    experiment_id: int
    challenger_id: int
    author: int
    officer: int


def people(s: Session) -> tuple[int, int]:
    author = create_user(s, "strategist", "strategist", "password-long-1", Role.SUPERVISOR).id
    officer = create_user(s, "officer", "officer", "password-long-2", Role.COMPLIANCE_OFFICER).id
    return author, officer


def submitted_challenger(s: Session, author: int) -> int:
    draft = versions.create_draft(s, one_script_for_everyone(), author_id=author, at=AT)
    versions.submit(s, draft.id, by=author, at=AT)
    return draft.id


def running_experiment(s: Session, *, share: float, holdout: float, seed: str = "test-seed") -> Running:
    """Users, a submitted challenger and an approved (running) experiment; not committed."""
    author, officer = people(s)
    challenger = submitted_challenger(s, author)
    exp = experiments.propose(
        s,
        name="segments vs one script",
        challenger_version_id=challenger,
        challenger_share=share,
        holdout_share=holdout,
        by=author,
        at=AT,
        seed=seed,
    )
    experiments.approve(s, exp.id, officer_id=officer, reason="a month's test, reviewed", at=AT)
    return Running(exp.id, challenger, author, officer)
