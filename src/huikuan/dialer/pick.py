"""Which of a debtor's numbers to dial now (the rule WorkItem.pick of the v1 day runner)."""

from __future__ import annotations

from collections.abc import Sequence

from huikuan.dialer.retry import TaskMemory
from huikuan.portfolio.service import Contact
from huikuan.types import ContactStatus, Relation

THIRD_PARTY_AFTER_FAILURES = 3  # CN.THIRD_PARTY's default; compliance has the last word
THIRD_PARTY_RELATIONS = frozenset({Relation.FAMILY, Relation.EMERGENCY_CONTACT})


def usable(contact: Contact) -> bool:
    """A number that may ever be dialled: not invalid, not an employer, not refused."""
    return (
        contact.status != ContactStatus.INVALID
        and contact.relation != Relation.EMPLOYER
        and not contact.refused_contact
    )


def own_numbers_left(contacts: Sequence[Contact], memory: TaskMemory, *, besides: int) -> bool:
    """Whether the debtor has another own number not blocked today."""
    return any(
        c.id != besides and c.relation == Relation.SELF and usable(c) and c.id not in memory.blocked
        for c in contacts
    )


def pick_contact(contacts: Sequence[Contact], memory: TaskMemory) -> Contact | None:
    """Best number now: the debtor's own numbers first (fewest dials today), third parties only
    after 3 own failures in a row or when no own number is left; None when nothing is left today."""
    open_today = [c for c in contacts if usable(c) and c.id not in memory.blocked]
    own = [c for c in open_today if c.relation == Relation.SELF]
    others = [c for c in open_today if c.relation in THIRD_PARTY_RELATIONS]
    if others and (not own or memory.own_failures >= THIRD_PARTY_AFTER_FAILURES):
        return others[0]
    if own:
        return min(own, key=lambda c: (memory.dials.get(c.id, 0), c.id))
    return None


def any_usable(contacts: Sequence[Contact]) -> bool:
    """Whether any number could ever be dialled again (else the task is done)."""
    return any(usable(c) for c in contacts)
