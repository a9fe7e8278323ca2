"""Script versions as stored data, the running script, the day's use of it, and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huikuan.dialer.models import Campaign
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.dialogue import approval, versions
from huikuan.dialogue.models import ScriptVersion
from huikuan.errors import Conflict, InvalidInput, NotFound
from huikuan.outcomes.models import CallAttempt
from huikuan.security.users import Role, create_user
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)
PW = "a long test password"
ZH = versions.builtin_contents()["reminder.zh-CN"]


def _users(session: Session) -> tuple[int, int]:
    author = create_user(session, "author", "编写员", PW, Role.SUPERVISOR).id
    officer = create_user(session, "officer", "合规专员", PW, Role.COMPLIANCE_OFFICER).id
    return author, officer


def test_drafts_are_numbered_per_script_code(session: Session) -> None:
    author, _ = _users(session)
    v1 = versions.create_draft(session, ZH, author_id=author, at=T0)
    v2 = versions.create_draft(session, ZH, author_id=author, at=T0)
    en = versions.create_draft(
        session, versions.builtin_contents()["reminder.en-US"], author_id=author, at=T0
    )
    assert (v1.code, v1.version, v1.status) == ("reminder.zh-CN", 1, "draft")
    assert (v2.code, v2.version) == ("reminder.zh-CN", 2)
    assert (en.code, en.version) == ("reminder.en-US", 1)
    assert [v.id for v in versions.list_versions(session, "reminder.zh-CN")] == [v1.id, v2.id]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nodes: [", "script is not valid YAML"),
        ("- a list", "a script must be a YAML mapping"),
        ("id: x\nversion: 1\nlang: zh-CN\n", "missing the field start"),
        (ZH.replace("lang: zh-CN", "lang: fr-FR"), "unsupported language fr-FR"),
        (ZH.replace("confirm_identity: remind", "confirm_identity: nowhere", 1), "leads to missing node"),
    ],
)
def test_bad_content_is_refused_before_it_is_stored(session: Session, content: str, message: str) -> None:
    author, _ = _users(session)
    with pytest.raises(InvalidInput, match=message):
        versions.create_draft(session, content, author_id=author, at=T0)
    assert versions.list_versions(session) == []


def test_running_script_returns_only_the_approved_version(session: Session) -> None:
    author, officer = _users(session)
    with pytest.raises(NotFound, match="has no approved version"):
        versions.running_script(session, "reminder", "zh-CN")
    draft = versions.create_draft(session, ZH, author_id=author, at=T0)
    with pytest.raises(NotFound):
        versions.running_script(session, "reminder", "zh-CN")
    versions.submit(session, draft.id, by=author, at=T0)
    with pytest.raises(Conflict, match="cannot submit"):
        versions.submit(session, draft.id, by=author, at=T0)
    with pytest.raises(NotFound):
        versions.running_script(session, "reminder", "zh-CN")
    approval.approve(session, draft.id, officer, T0)
    running = versions.running_script(session, "reminder", "zh-CN")
    assert (running.version_id, running.code, running.script.lang) == (draft.id, "reminder.zh-CN", "zh-CN")
    versions.create_draft(session, ZH, author_id=author, at=T0)  # a newer draft does not run
    assert versions.running_script(session, "reminder", "zh-CN").version_id == draft.id
    with pytest.raises(NotFound):
        versions.running_script(session, "reminder", "en-US")


def test_the_database_holds_at_most_one_approved_version_per_script(session: Session) -> None:
    author, _officer = _users(session)
    ids = []
    for _ in range(2):
        v = versions.create_draft(session, ZH, author_id=author, at=T0)
        ids.append(v.id)
    session.commit()
    session.execute(update(ScriptVersion).where(ScriptVersion.id == ids[0]).values(status="approved"))
    with pytest.raises(IntegrityError):
        session.execute(update(ScriptVersion).where(ScriptVersion.id == ids[1]).values(status="approved"))
    session.rollback()


def test_a_day_refuses_without_an_approved_script_and_records_the_version(db: TestDatabase) -> None:
    day = date(2026, 3, 10)
    with db.session() as s:
        batch = factories.portfolio(s, accounts=12, seed=5, as_of=day)
        campaign_id = factories.campaign(s, batch, robots=1).id
        s.commit()

    def go() -> None:
        run_virtual_day(db.engine, VirtualDay(campaign_id, day, lines=1, seed=5))

    with pytest.raises(NotFound, match=r"\.zh-CN has no approved version"):
        go()
    with db.session() as s:
        assert s.scalars(select(CallAttempt)).all() == []
        approved_all = factories.approved_scripts(s)
        approved = approved_all["reminder.zh-CN"]
        s.commit()
    go()
    with db.session() as s:
        used = set(s.scalars(select(CallAttempt.script_version_id)))
        campaign = s.get(Campaign, campaign_id)
        assert campaign is not None
        assert campaign.script_version_id == approved
    # Each call ran an approved version: the treatment's script, or the third-party one.
    assert used
    assert used <= set(approved_all.values())


def _cli(db: TestDatabase, *args: str, password: str | None = None) -> Ran:
    acting = ["--password-stdin"] if password is not None else []
    return huikuan(["script", *args, *acting], stdin=f"{password}\n" if password else "", env=db.env())


def test_cli_takes_a_script_from_file_to_approval(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        author_id, _ = _users(s)
        s.commit()
    good = tmp_path / "reminder.zh-CN.yaml"
    good.write_text(ZH, encoding="utf-8")
    data = yaml.safe_load(ZH)
    data["nodes"]["greet"]["say"] = "您好，请问是{name}本人吗？"
    bad = tmp_path / "no-label.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    lint_bad = _cli(db, "lint", str(bad))
    assert lint_bad.returncode == 2
    assert "greet say#1 [CN.AI_LABEL]" in lint_bad.stdout
    assert lint_bad.stderr.count("\n") == 1
    assert lint_bad.stderr.startswith("error: ")

    imported = _cli(db, "import", str(good), "--as", "author", password=PW)
    assert imported.returncode == 0, imported.stderr
    vid = imported.stdout.split("draft ")[1].split(":")[0]
    assert _cli(db, "submit", vid, "--as", "author", password=PW).returncode == 0
    own = _cli(db, "approve", vid, "--as", "author", password=PW)
    assert own.returncode == 2
    assert own.stderr.strip().splitlines() == [
        f"error: 用户 {author_id} 无权限 approve_scripts / user {author_id} may not approve_scripts"
    ]
    anonymous = _cli(db, "approve", vid)
    assert anonymous.returncode == 2
    assert "--as" in anonymous.stderr
    wrong = _cli(db, "approve", vid, "--as", "officer", password="not-the-password")  # noqa: S106 - a wrong one
    assert wrong.returncode == 2
    assert "wrong username or password" in wrong.stderr
    ok = _cli(db, "approve", vid, "--as", "officer", password=PW)
    assert ok.returncode == 0, ok.stderr
    listed = _cli(db, "list").stdout.splitlines()
    assert listed[1].split("\t")[:4] == [vid, "reminder.zh-CN", "v1", "approved"]
