"""Every state-changing CLI command × every role, and nobody: the permission matrix decides.

Each command runs as a user of the role through an API token (as a script would). A role
without the command's permission is refused with the permission's name; a role with it gets
past the check (the command may then fail on its own, e.g. an unknown id, never on the role).
Without a token or `--as`, every command asks who is acting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.security.permissions import Permission, allowed
from huikuan.security.users import Role
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env

# (command, the permission it needs); ids are ones that do not exist: the check comes first.
COMMANDS: list[tuple[list[str], Permission]] = [
    (["import", "accounts", "{file}", "--batch", "b"], Permission.IMPORT),
    (["import", "payments", "{file}"], Permission.IMPORT),
    (["strategy", "import", "{file}"], Permission.EDIT_STRATEGY),
    (["strategy", "submit", "999"], Permission.EDIT_STRATEGY),
    (["strategy", "approve", "999", "--reason", "looks right"], Permission.APPROVE_SCRIPTS),
    (["strategy", "reject", "999", "--reason", "not right"], Permission.APPROVE_SCRIPTS),
    (["strategy", "experiment", "start", "--challenger", "999", "--name", "x"], Permission.EDIT_STRATEGY),
    (["strategy", "experiment", "approve", "999", "--reason", "looks right"], Permission.APPROVE_SCRIPTS),
    (["campaign", "create", "--name", "c", "--batch", "999"], Permission.RUN_CAMPAIGNS),
    (["campaign", "start", "999"], Permission.RUN_CAMPAIGNS),
    (["campaign", "pause", "999"], Permission.RUN_CAMPAIGNS),
    (["campaign", "resume", "999"], Permission.RUN_CAMPAIGNS),
    (["campaign", "stop", "999"], Permission.RUN_CAMPAIGNS),
    (["export", "attempts"], Permission.EXPORT),
    (["script", "import", "{file}"], Permission.EDIT_SCRIPTS),
    (["script", "submit", "999"], Permission.EDIT_SCRIPTS),
    (["script", "approve", "999"], Permission.APPROVE_SCRIPTS),
    (["script", "reject", "999", "--reason", "nope"], Permission.APPROVE_SCRIPTS),
    (["script", "retire", "999"], Permission.APPROVE_SCRIPTS),
    (["compliance", "stops", "clear", "999", "--reason", "ok"], Permission.CLEAR_STOPS),
    (["compliance", "settings", "set", "CN", "CN.TIME.start=09:00"], Permission.RULE_SETTINGS),
    (["compliance", "test-numbers", "add", "1001", "--label", "desk phone"], Permission.RULE_SETTINGS),
    (["compliance", "test-numbers", "remove", "999"], Permission.RULE_SETTINGS),
    (["call", "1001", "--trunk", "sip:127.0.0.1:9"], Permission.RUN_CAMPAIGNS),
    (["user", "list"], Permission.MANAGE_USERS),
    (["user", "disable", "nobody-here"], Permission.MANAGE_USERS),
    (["desk", "add-agent", "new-agent", "--password-stdin"], Permission.MANAGE_USERS),
    (["keys", "rotate"], Permission.MANAGE_KEYS),
    (["data", "purge", "--dry-run"], Permission.RUN_RETENTION),
    (["data", "export-debtor", "999", "--reason", "客户申请查阅"], Permission.VIEW_FULL),
    (["data", "erase-debtor", "999", "--reason", "客户申请删除"], Permission.ERASE_DATA),
]
ROLES = list(Role)


def _args(command: list[str], file: Path) -> list[str]:
    return [str(file) if part == "{file}" else part for part in command]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_state_changing_command_for_every_role(db: TestDatabase, tmp_path: Path, role: Role) -> None:
    env = {**operator_env(db, role), "HUIKUAN_KEY_DIR": str(tmp_path / "keys"), "COLUMNS": "200"}
    file = tmp_path / "empty.csv"
    file.write_text("", encoding="utf-8")
    for command, permission in COMMANDS:
        done = huikuan(_args(command, file), env=env, stdin="short\n")
        refused = f"may not {permission.value}" in done.stderr
        if allowed(role.value, permission):
            assert not refused, (command, done.stderr)
        else:
            assert done.returncode == 2, (command, done.stdout)
            assert refused, (command, done.stderr)


def test_nobody_acts_without_saying_who(db: TestDatabase, tmp_path: Path) -> None:
    file = tmp_path / "empty.csv"
    file.write_text("", encoding="utf-8")
    for command, _permission in COMMANDS:
        done = huikuan(_args(command, file), env=db.env())
        assert done.returncode == 2, command
        assert "--as" in done.stderr, (command, done.stderr)
