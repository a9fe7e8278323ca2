"""`huikuan call`: one real call for operators, never around the compliance engine."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huikuan.compliance.models import Decision, LedgerEntry
from huikuan.portfolio.models import Contact
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, create_user
from huikuan.types import CallOutcome
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.telephony.sip.callers import caller_env
from tests.telephony.sip.sipp import Sipp

NUMBER = "13800000000"


def _zone_at_hour(hour: int) -> str:
    """A fixed-offset zone whose local time is now `hour` o'clock (give or take the minutes)."""
    now = datetime.now(UTC)
    for offset in range(-12, 15):
        if (now + timedelta(hours=offset)).hour == hour:
            # Etc/GMT signs are inverted: Etc/GMT-8 is UTC+8.
            return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    raise AssertionError("every hour has a zone")


def _debtor_contact(db: TestDatabase, zone: str) -> int:
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        debtor = factories.debtor(s, tz=zone)
        contact = factories.contact(s, debtor, number="+8613900000000")
        factories.account(s, debtor, batch, as_of=datetime.now(ZoneInfo(zone)).date())
        s.commit()
        return contact.id


def test_a_listed_test_number_is_called_and_the_outcome_printed(
    db: TestDatabase, sipp: Callable[..., Sipp]
) -> None:
    far = sipp("uas_reject.xml", keys={"status": "486", "reason": "Busy Here"})
    env = caller_env(db, NUMBER)
    done = huikuan(["call", NUMBER, "--trunk", far.trunk], env=env)
    assert done.returncode == 0, done.stderr
    assert "busy (SIP 486)" in done.stdout
    assert NUMBER not in done.stdout + done.stderr
    assert far.finish() == 0
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "call.test")).one()
    assert event.entity == "test_number"


def test_a_number_not_on_the_test_list_is_refused_before_any_dial(db: TestDatabase) -> None:
    env = caller_env(db)  # nothing listed
    done = huikuan(["call", NUMBER, "--trunk", "sip:127.0.0.1:9"], env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "not on the test-number list" in lines[0]
    assert NUMBER not in done.stderr + done.stdout


def test_a_debtors_contact_at_23_local_is_denied_by_compliance_and_the_denial_recorded(
    db: TestDatabase,
) -> None:
    contact_id = _debtor_contact(db, _zone_at_hour(23))
    env = caller_env(db)
    # Port 9 (discard) would fail the call: the denial comes before any SIP.
    done = huikuan(["call", "--contact", str(contact_id), "--trunk", "sip:127.0.0.1:9"], env=env)
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "denied by compliance: CN.TIME" in lines[0]
    with db.session() as s:
        decisions = list(s.scalars(select(Decision)))
        assert [(d.allowed, d.rule) for d in decisions] == [(False, "CN.TIME")]
        assert s.scalars(select(LedgerEntry)).all() == []


def test_a_debtors_contact_in_hours_is_reserved_and_its_outcome_enters_the_ledger(
    db: TestDatabase, sipp: Callable[..., Sipp]
) -> None:
    contact_id = _debtor_contact(db, _zone_at_hour(11))
    far = sipp("uas_reject.xml", keys={"status": "486", "reason": "Busy Here"})
    done = huikuan(["call", "--contact", str(contact_id), "--trunk", far.trunk], env=caller_env(db))
    assert done.returncode == 0, done.stderr
    assert "busy (SIP 486)" in done.stdout
    assert far.finish() == 0
    with db.session() as s:
        (entry,) = s.scalars(select(LedgerEntry)).all()
        assert (entry.contact_id, entry.outcome) == (contact_id, CallOutcome.BUSY)
        number = s.get(Contact, contact_id)
        assert number is not None
    assert number.number not in done.stdout + done.stderr


def test_a_dead_trunk_leaves_the_debtors_contact_uncounted(db: TestDatabase) -> None:
    contact_id = _debtor_contact(db, _zone_at_hour(11))
    done = huikuan(["call", "--contact", str(contact_id), "--trunk", "sip:127.0.0.1:9"], env=caller_env(db))
    assert "trunk_failed" in done.stdout, done.stderr
    with db.session() as s:
        (entry,) = s.scalars(select(LedgerEntry)).all()
    assert entry.outcome == CallOutcome.TRUNK_FAILED


def test_a_debtors_number_cannot_be_listed_as_a_test_number(db: TestDatabase) -> None:
    _debtor_contact(db, "Asia/Shanghai")
    env = caller_env(db)
    with db.session() as s:
        create_user(s, "admin2", "admin2", "admin-password-2", Role.ADMIN)
        s.commit()
    done = huikuan(
        [
            "compliance",
            "test-numbers",
            "add",
            "139 0000 0000",
            "--label",
            "sneaky",
            "--as",
            "admin2",
            "--password-stdin",
        ],
        env={**env, "HUIKUAN_API_TOKEN": None},
        stdin="admin-password-2\n",
    )
    assert done.returncode == 2
    assert "is a debtor's contact" in done.stderr
    assert "13900000000" not in done.stderr.replace(" ", "")


def test_test_numbers_are_added_listed_masked_and_removed(db: TestDatabase) -> None:
    env = caller_env(db)
    with db.session() as s:
        create_user(s, "admin2", "admin2", "admin-password-2", Role.ADMIN)
        s.commit()
    as_admin = {**env, "HUIKUAN_API_TOKEN": None}
    added = huikuan(
        [
            "compliance",
            "test-numbers",
            "add",
            "1001",
            "--label",
            "desk phone",
            "--as",
            "admin2",
            "--password-stdin",
        ],
        env=as_admin,
        stdin="admin-password-2\n",
    )
    assert added.returncode == 0, added.stderr
    listed = huikuan(["compliance", "test-numbers", "list"], env={**env, "COLUMNS": "200"})
    assert "desk phone" in listed.stdout
    assert "**01" in listed.stdout
    assert "1001" not in listed.stdout
    removed = huikuan(
        ["compliance", "test-numbers", "remove", "1", "--as", "admin2", "--password-stdin"],
        env=as_admin,
        stdin="admin-password-2\n",
    )
    assert removed.returncode == 0, removed.stderr
    assert "0 个" in huikuan(["compliance", "test-numbers", "list"], env=env).stdout
    with db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert "compliance.test_number.add" in actions
    assert "compliance.test_number.remove" in actions


def test_cli_refuses_a_bad_trunk_transport_in_one_line() -> None:
    cmd = [sys.executable, "-c", "from huikuan.cli.main import main; main()", "call", NUMBER]
    done = subprocess.run(
        [*cmd, "--trunk", "sip:127.0.0.1:5060;transport=sctp"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "transport=tcp" in lines[0]
    assert NUMBER not in done.stderr


@pytest.mark.parametrize("comedia", [False, True], ids=["sdp-address", "comedia"])
def test_huikuan_call_with_comedia_speaks_to_where_the_far_end_really_is(
    comedia: bool, db: TestDatabase, sipp: Callable[..., Sipp]
) -> None:
    """The far end's SDP names 192.0.2.1 (unreachable); it sends from its real port and echoes
    what reaches it (uas_nat.xml)."""
    far = sipp("uas_nat.xml")
    env = caller_env(db, NUMBER)
    done = huikuan(["call", NUMBER, "--trunk", far.trunk, *(["--comedia"] if comedia else [])], env=env)
    assert done.returncode == 0, done.stderr
    assert "answered (SIP 200)" in done.stdout
    assert far.finish() == 0
    if comedia:  # its packets latched; the echo of our speech came back (our own SSRC: refused)
        assert "rtp_dropped_address" not in done.stderr
        assert "rtp_dropped_ssrc" in done.stderr
    else:  # its packets are not from the SDP's host, and nothing we said reached it to echo
        assert "'rtp_dropped_address': 10" in done.stderr
        assert "rtp_dropped_ssrc" not in done.stderr


def test_huikuan_call_with_mandatory_srtp_hangs_up_on_a_far_end_without_keys(
    db: TestDatabase, sipp: Callable[..., Sipp]
) -> None:
    """SIPp answers our RTP/SAVP offer with plain RTP/AVP and no key: no audio goes out in clear;
    we ACK, hang up at once and the summary says why."""
    far = sipp("uas_echo_hangup.xml", keys={"hangup_ms": "20000"})
    env = caller_env(db, NUMBER)
    done = huikuan(["call", NUMBER, "--trunk", far.trunk, "--srtp", "mandatory"], env=env)
    assert done.returncode == 0, done.stderr
    assert "failed (SIP 200), cause: srtp:no_crypto" in done.stdout
    assert far.finish() == 0  # it got our ACK and then our BYE


def test_huikuan_call_refuses_an_unknown_srtp_mode_in_one_line(db: TestDatabase) -> None:
    env = caller_env(db, NUMBER)
    done = huikuan(["call", NUMBER, "--trunk", "sip:127.0.0.1:9", "--srtp", "sometimes"], env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--srtp" in lines[0]
