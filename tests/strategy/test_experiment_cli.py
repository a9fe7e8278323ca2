"""`huikuan strategy experiment …`: two people start it, anyone allowed reads it, errors are one line."""

from __future__ import annotations

import json

from huikuan.security.users import Role, find_user
from huikuan.strategy import versions
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan
from tests.operators import operator_env
from tests.strategy.experiment_helpers import AT, one_script_for_everyone


def _one_line_error(ran: Ran, *words: str) -> None:
    assert ran.returncode == 2
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("error: ")
    assert " / " in lines[0]  # Chinese, then English
    for word in words:
        assert word in lines[0]


def test_start_approve_show_report_stop(db: TestDatabase) -> None:
    supervisor = operator_env(db, Role.SUPERVISOR)
    officer = operator_env(db, Role.COMPLIANCE_OFFICER)
    with db.session() as s:
        writer = find_user(s, "cli-supervisor").id
        draft = versions.create_draft(s, one_script_for_everyone(), author_id=writer, at=AT)
        versions.submit(s, draft.id, by=writer, at=AT)
        s.commit()
    start = ["strategy", "experiment", "start", "--challenger", str(draft.id), "--name", "segments vs one"]
    _one_line_error(huikuan([*start, "--share", "1.5"], env=supervisor), "challenger share")
    _one_line_error(huikuan([*start, "--holdout", "0.5"], env=supervisor), "holdout share")
    _one_line_error(huikuan([*start], env=officer))  # an officer may not propose
    proposed = huikuan([*start, "--share", "0.4", "--holdout", "0.1"], env=supervisor)
    assert proposed.returncode == 0, proposed.stderr
    experiment_id = proposed.stdout.strip().split("experiment ")[-1]
    _one_line_error(
        huikuan(
            ["strategy", "experiment", "approve", experiment_id, "--reason", "my own idea"], env=supervisor
        )
    )
    approved = huikuan(
        ["strategy", "experiment", "approve", experiment_id, "--reason", "reviewed"], env=officer
    )
    assert approved.returncode == 0, approved.stderr
    shown = huikuan(["strategy", "experiment", "show", experiment_id], env=db.env())
    assert "\trunning\tchampion=shipped\t" in shown.stdout
    assert "challenger_share=0.4\tholdout_share=0.1" in shown.stdout
    reported = huikuan(["strategy", "experiment", "report", experiment_id, "--json"], env=officer)
    assert reported.returncode == 0, reported.stderr
    body = json.loads(reported.stdout)
    assert body["rows"][0]["cut"] == "all"
    assert body["rows"][0]["arms"] == {}  # no account decided yet
    table = huikuan(["strategy", "experiment", "report", experiment_id], env=officer)
    assert "cut\tvalue\tarm" in table.stdout
    stopped = huikuan(
        ["strategy", "experiment", "stop", experiment_id, "--reason", "a month is over"], env=officer
    )
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout
    _one_line_error(
        huikuan(
            ["strategy", "experiment", "stop", experiment_id, "--reason", "a month is over"], env=officer
        ),
        "already stopped",
    )


def test_unknown_experiments_and_versions_are_one_line_errors(db: TestDatabase) -> None:
    supervisor = operator_env(db, Role.SUPERVISOR)
    _one_line_error(huikuan(["strategy", "experiment", "report", "99"], env=supervisor), "no experiment 99")
    _one_line_error(huikuan(["strategy", "experiment", "show", "99"], env=db.env()), "no experiment 99")
    _one_line_error(
        huikuan(["strategy", "experiment", "start", "--challenger", "42", "--name", "x"], env=supervisor),
        "no strategy version 42",
    )
    agent = operator_env(db, Role.AGENT)
    _one_line_error(
        huikuan(["strategy", "experiment", "stop", "1", "--reason", "not mine to stop"], env=agent)
    )
