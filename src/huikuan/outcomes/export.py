"""The attempts export: one JSON object per call attempt, the format auditors and tools read.

The keys are a published contract (see docs/export-format.md): add none, drop none, rename none.
It carries ids and an opaque `number_key`, never a name, number or ID number. Timestamps are
ISO 8601 in UTC with an explicit offset; `debtor_timezone` lets a reader compute local time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.dialogue.models import Script, ScriptVersion
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.models import Contact, Debtor
from huikuan.types import from_minor_units

EXPORT_KEYS = (
    "attempt_id",
    "account_id",
    "debtor_id",
    "contact_id",
    "relation",
    "number_key",
    "jurisdiction",
    "debtor_timezone",
    "started_at",
    "ended_at",
    "channel",
    "outcome",
    "conversation",
    "talk_seconds",
    "disposition",
    "ptp_amount",
    "ptp_date",
    "script_version",
    "robot_id",
    "agent_id",
)


def iter_attempt_records(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Attempts started in [since, until), oldest first, as export records."""
    stmt = (
        select(
            CallAttempt,
            Contact.relation,
            Contact.number_key,
            Debtor.jurisdiction,
            Debtor.timezone,
            Promise.amount,
            Promise.due_date,
            Script.code,
            ScriptVersion.version,
        )
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .join(Debtor, Debtor.id == CallAttempt.debtor_id)
        .outerjoin(Promise, Promise.attempt_id == CallAttempt.id)
        .outerjoin(ScriptVersion, ScriptVersion.id == CallAttempt.script_version_id)
        .outerjoin(Script, Script.id == ScriptVersion.script_id)
        .order_by(CallAttempt.started_at, CallAttempt.id, Promise.id)
        .execution_options(yield_per=2000)
    )
    if since is not None:
        stmt = stmt.where(CallAttempt.started_at >= since)
    if until is not None:
        stmt = stmt.where(CallAttempt.started_at < until)
    last_id = None
    for (
        attempt,
        relation,
        number_key,
        jurisdiction,
        zone,
        ptp_amount,
        ptp_date,
        code,
        version,
    ) in session.execute(stmt):
        if attempt.id == last_id:  # a second promise on one attempt: the first one is the PTP
            continue
        last_id = attempt.id
        yield {
            "attempt_id": attempt.id,
            "account_id": attempt.account_id,
            "debtor_id": attempt.debtor_id,
            "contact_id": attempt.contact_id,
            "relation": relation,
            "number_key": number_key,
            "jurisdiction": jurisdiction,
            "debtor_timezone": zone,
            "started_at": attempt.started_at.isoformat(),
            "ended_at": attempt.ended_at.isoformat() if attempt.ended_at else None,
            "channel": attempt.channel,
            "outcome": attempt.outcome or "failed",
            "conversation": bool(attempt.conversation),
            "talk_seconds": attempt.talk_seconds,
            "disposition": attempt.disposition,
            "ptp_amount": from_minor_units(ptp_amount) if ptp_amount is not None else None,
            "ptp_date": ptp_date.isoformat() if ptp_date else None,
            "script_version": f"{code}@{version}" if code is not None else None,
            "robot_id": attempt.robot_id,
            "agent_id": attempt.agent_id,
        }


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write records as JSON Lines; returns how many were written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _cell(value: Any) -> Any:
    """A record value as a spreadsheet cell: texts guarded against formulas, numbers kept."""
    from huikuan.security.spreadsheet import safe_cell

    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return safe_cell(value)


def write_csv(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write records as CSV (a header of the export keys, then one row each); returns the count.
    Texts that a spreadsheet would run as a formula are written as text."""
    import csv

    writer = csv.writer(out)
    writer.writerow(EXPORT_KEYS)
    count = 0
    for record in records:
        writer.writerow(["" if record[k] is None else _cell(record[k]) for k in EXPORT_KEYS])
        count += 1
    return count


def write_xlsx(records: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    """Write records as one XLSX sheet (streamed: write-only workbook); returns the count."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("attempts")
    sheet.append(list(EXPORT_KEYS))
    count = 0
    for record in records:
        sheet.append([_cell(record[k]) for k in EXPORT_KEYS])
        count += 1
    book.save(out)
    return count
