"""A debtor as a screen shows them: masked by default, in full only for a reveal.

Who may see which is the permission matrix's (view_masked, view_full); the reveal's reason and
audit event are the caller's (web/people_routes.py) so this module stays a read of the
portfolio's rows.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy.orm import Session

from huikuan.errors import NotFound
from huikuan.portfolio.models import Debtor
from huikuan.security.masking import mask_name, mask_national_id, mask_phone


class ContactCard(BaseModel):
    id: int
    number: str
    relation: str
    name: str | None
    status: str


class DebtorCard(BaseModel):
    id: int
    name: str
    national_id: str | None
    region: str | None
    dialect: str
    jurisdiction: str
    masked: bool
    contacts: list[ContactCard]


def debtor_card(session: Session, debtor_id: int, *, full: bool = False) -> DebtorCard:
    """The debtor and their numbers, masked unless `full`."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise NotFound(f"没有债务人 / no debtor {debtor_id}")

    def name(value: str | None) -> str | None:
        return value if full or value is None else mask_name(value)

    return DebtorCard(
        id=debtor.id,
        name=name(debtor.name) or "",
        national_id=(
            debtor.national_id if full or debtor.national_id is None else mask_national_id(debtor.national_id)
        ),
        region=debtor.region,
        dialect=debtor.dialect,
        jurisdiction=debtor.jurisdiction,
        masked=not full,
        contacts=[
            ContactCard(
                id=c.id,
                number=c.number if full else mask_phone(c.number),
                relation=c.relation,
                name=name(c.name),
                status=c.status,
            )
            for c in debtor.contacts
        ],
    )


def redactor(session: Session, debtor_id: int) -> Callable[[str], str]:
    """A function masking the debtor's own name, ID number and numbers (and their contacts'
    names) wherever they appear in a free text, such as a transcript turn the robot spoke."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        return lambda text: text
    pairs: list[tuple[str, str]] = [(debtor.name, mask_name(debtor.name))]
    if debtor.national_id:
        pairs.append((debtor.national_id, mask_national_id(debtor.national_id)))
    for c in debtor.contacts:
        pairs.append((c.number, mask_phone(c.number)))
        if c.number.startswith("+86"):
            pairs.append((c.number[3:], mask_phone(c.number[3:])))  # as said aloud, without +86
        if c.name:
            pairs.append((c.name, mask_name(c.name)))
    # Longest first, so a full name is masked before a shorter value inside it.
    pairs = sorted((p for p in pairs if p[0] and p[0] != p[1]), key=lambda p: -len(p[0]))

    def redact(text: str) -> str:
        for value, masked in pairs:
            text = text.replace(value, masked)
        return text

    return redact
