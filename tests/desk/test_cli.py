from __future__ import annotations

from sqlalchemy.orm import Session

from huikuan.desk.models import Agent
from huikuan.security.users import Role
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan
from tests.operators import operator_env


def _huikuan(db: TestDatabase, *args: str, stdin: str = "") -> Ran:
    env = _ADMINS.get(db.url) or _ADMINS.setdefault(db.url, operator_env(db, Role.ADMIN))
    return huikuan(["desk", *args], stdin=stdin, env=env)


_ADMINS: dict[str, dict[str, str]] = {}  # test database URL → env acting as its admin


def test_add_agent_list_and_occupancy(db: TestDatabase) -> None:
    added = _huikuan(db, "add-agent", "desk-cli-agent", "--password-stdin", stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert "agent 1 added" in added.stdout
    listed = _huikuan(db, "agents")
    assert "离线 / offline" in listed.stdout
    assert "1 名坐席" in listed.stdout
    occ = _huikuan(db, "occupancy", "--hours", "2", "--until", "2026-03-02T12:00:00+08:00")
    assert occ.returncode == 0, occ.stderr
    assert "occupancy 0.0%" in occ.stdout


def test_bad_input_is_one_line_error(db: TestDatabase) -> None:
    short = _huikuan(db, "add-agent", "x", "--password-stdin", stdin="short\n")
    assert short.returncode != 0
    assert "password must have at least" in short.stderr
    naive = _huikuan(db, "occupancy", "--until", "2026-03-02T12:00:00")
    assert naive.returncode != 0
    assert naive.stderr.strip().count("\n") == 0
    assert "needs an offset" in naive.stderr


def test_an_agents_phone_is_set_shown_and_checked(db: TestDatabase) -> None:
    added = _huikuan(
        db,
        "add-agent",
        "desk-phone-agent",
        "--phone",
        "sip:8001@127.0.0.1:5070",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    agent_id = added.stdout.split("agent ", 1)[1].split()[0]
    with Session(db.engine) as s:
        assert s.get(Agent, int(agent_id)).phone_uri == "sip:8001@127.0.0.1:5070"  # type: ignore[union-attr]
    bad = _huikuan(db, "set-phone", agent_id, "tel:8001")
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0
    assert "not a SIP URI" in bad.stderr or "must be a sip: URI" in bad.stderr
    moved = _huikuan(db, "set-phone", agent_id, "sip:8002@[::1]:5080")
    assert moved.returncode == 0, moved.stderr
    assert "sip:8002@[::1]:5080" in moved.stdout
    cleared = _huikuan(db, "set-phone", agent_id)
    assert cleared.returncode == 0, cleared.stderr
    assert "no phone" in cleared.stdout
    with Session(db.engine) as s:
        assert s.get(Agent, int(agent_id)).phone_uri is None  # type: ignore[union-attr]
