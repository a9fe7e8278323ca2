"""The test-number allow-list: the only numbers `huikuan call` may dial without a debtor's contact
and a compliance reservation.

A test call to a debtor goes through `reserve` like any robot call. Operators still need to try a
trunk, a voice or a PBX on their own phones, so an administrator lists those numbers here, each
with a label, audited when added or removed. A number that is any debtor's contact is refused:
the allow-list can never become a way around the contact caps or the calling hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.compliance.models import AllowedTestNumber
from huikuan.compliance.service import reserve
from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.portfolio.models import Contact
from huikuan.portfolio.validation import parse_phone
from huikuan.security import audit
from huikuan.security.crypto import cipher
from huikuan.security.masking import mask_phone

MAX_LABEL = 100
_DIALLABLE = re.compile(r"\+?[0-9*#]{2,32}")


@dataclass(frozen=True, slots=True)
class ListedTestNumber:
    id: int
    masked: str
    label: str
    added_by: int
    added_at: datetime


def dialled_form(typed: str) -> str:
    """The number as the trunk gets it: what was typed without spaces, dashes or brackets."""
    digits = re.sub(r"[\s().-]", "", typed)
    if not _DIALLABLE.fullmatch(digits):
        raise InvalidInput("号码无效 / not a diallable number (digits, optionally + * #)")
    return digits


def canonical_number(typed: str) -> str:
    """A number as it is keyed: E.164 when it is a CN or US phone number (so any way of writing a
    debtor's number is recognised), else the digits of an extension or test line."""
    phone = parse_phone(typed)
    return phone.e164 if phone is not None else dialled_form(typed)


def number_key(number: str) -> str:
    """The blind index contacts use, so a debtor's number is recognised whoever types it."""
    return cipher().blind_index(number, "phone")


def _active(session: Session, key: str) -> AllowedTestNumber | None:
    return session.scalars(
        select(AllowedTestNumber).where(
            AllowedTestNumber.number_key == key, AllowedTestNumber.removed_at.is_(None)
        )
    ).first()


def add_test_number(session: Session, number: str, label: str, *, by: int, at: datetime) -> ListedTestNumber:
    """List `number` (canonical: E.164 for a phone number) as a test number."""
    label = label.strip()
    if not 1 <= len(label) <= MAX_LABEL:
        raise InvalidInput(f"标签须为 1–{MAX_LABEL} 个字符 / a label of 1–{MAX_LABEL} characters")
    key = number_key(number)
    if session.scalar(select(Contact.id).where(Contact.number_key == key).limit(1)) is not None:
        raise Conflict(
            "该号码是债务人的联系号码，不能列为测试号码 / that number is a debtor's contact: "
            "it cannot be a test number (call it with --contact, through compliance)"
        )
    if _active(session, key) is not None:
        raise Conflict("该号码已是测试号码 / that number is already a test number")
    row = AllowedTestNumber(number=number, number_key=key, label=label, added_by=by, added_at=at)
    session.add(row)
    session.flush()
    audit.append(
        session,
        at=at,
        actor=f"user:{by}",
        action="compliance.test_number.add",
        entity="test_number",
        entity_id=row.id,
        details={"label": label},
    )
    return _view(row)


def remove_test_number(session: Session, test_number_id: int, *, by: int, at: datetime) -> None:
    row = session.get(AllowedTestNumber, test_number_id)
    if row is None or row.removed_at is not None:
        raise NotFound(f"没有测试号码 {test_number_id} / no test number {test_number_id}")
    row.removed_by, row.removed_at = by, at
    audit.append(
        session,
        at=at,
        actor=f"user:{by}",
        action="compliance.test_number.remove",
        entity="test_number",
        entity_id=row.id,
    )


def list_test_numbers(session: Session) -> list[ListedTestNumber]:
    rows = session.scalars(
        select(AllowedTestNumber).where(AllowedTestNumber.removed_at.is_(None)).order_by(AllowedTestNumber.id)
    )
    return [_view(r) for r in rows]


def listed_test_number(session: Session, number: str) -> int | None:
    """The id of the listed test number `number`, or None when it is not listed."""
    row = _active(session, number_key(number))
    return None if row is None else row.id


def _view(row: AllowedTestNumber) -> ListedTestNumber:
    return ListedTestNumber(row.id, mask_phone(row.number), row.label, row.added_by, row.added_at)


# -- permission for one operator's test call ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallPermit:
    """What `huikuan call` may dial, and the reservation whose outcome it must record (None for a
    listed test number, which is no debtor's contact)."""

    dial: str
    ledger_entry_id: int | None
    jurisdiction: str | None


def permit_test_call(
    session: Session, *, by: int, at: datetime, number: str | None = None, contact_id: int | None = None
) -> CallPermit:
    """A listed test number, or a debtor's contact reserved through the compliance engine as any
    robot call is (a denial raises PermissionDenied with the rule and its reason). Audited."""
    if (number is None) == (contact_id is None):
        raise InvalidInput(
            "请给出测试号码或 --contact（二选一）/ give a test NUMBER or --contact ID, not both"
        )
    if number is not None:
        listed = listed_test_number(session, canonical_number(number))
        if listed is None:
            raise PermissionDenied(
                "该号码不在测试号码白名单 / that number is not on the test-number list: call a debtor's "
                "contact with --contact ID (through compliance), or have it listed with "
                "`huikuan compliance test-numbers add`"
            )
        _audit_test_call(session, by, at, "test_number", listed)
        return CallPermit(dialled_form(number), None, None)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"没有联系方式 {contact_id} / no contact {contact_id}")
    decision = reserve(session, contact, at, artificial_voice=True)
    _audit_test_call(session, by, at, "contact", contact.id, allowed=decision.allowed, rule=decision.rule)
    if not decision.allowed:
        session.commit()  # the denial is recorded, as every decision is
        raise PermissionDenied(f"合规引擎拒绝 / denied by compliance: {decision.rule}: {decision.reason}")
    return CallPermit(contact.number, decision.ledger_entry_id, contact.debtor.jurisdiction)


def _audit_test_call(
    session: Session, by: int, at: datetime, entity: str, entity_id: int, **details: object
) -> None:
    audit.append(
        session,
        at=at,
        actor=f"user:{by}",
        action="call.test",
        entity=entity,
        entity_id=entity_id,
        details=details,
    )
