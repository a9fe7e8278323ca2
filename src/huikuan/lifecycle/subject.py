"""A debtor's own data: everything held on them, exported on request, and their personal data
erased where the law allows it — every account closed, and the last contact older than the
records period of their jurisdiction (lifecycle/retention.py). Both are audited by the caller's
command with the actor and the reason; neither writes personal data to the audit log.

Erasure replaces the personal values (name, ID number, phone numbers, third parties' names,
the debtor's words in transcripts) and keeps the rows and their ids: the collection record that
must outlive the person's data stays provable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from huikuan.errors import Conflict
from huikuan.lifecycle.retention import RECORDS_PERIOD
from huikuan.outcomes.service import debtor_history, erase_debtor_words, last_contact_at
from huikuan.portfolio.cards import debtor_card
from huikuan.portfolio.service import debtor_accounts, erase_debtor_identity


def export_debtor(session: Session, debtor_id: int) -> dict[str, object]:
    """Everything held on the debtor, in full (the caller checked view_full and export)."""
    return {
        "debtor": debtor_card(session, debtor_id, full=True).model_dump(),
        "accounts": debtor_accounts(session, debtor_id),
        "contacts_history": debtor_history(session, debtor_id),
    }


def erasable(session: Session, debtor_id: int, now: datetime) -> str | None:
    """Why the debtor may not be erased yet (one line, ids only), or None when they may."""
    card = debtor_card(session, debtor_id)
    open_accounts = [a["id"] for a in debtor_accounts(session, debtor_id) if a["status"] == "open"]
    if open_accounts:
        return f"账户未结清 / account(s) still open: {', '.join(map(str, open_accounts))}"
    period = RECORDS_PERIOD.get(card.jurisdiction, max(RECORDS_PERIOD.values()))
    last = last_contact_at(session, debtor_id)
    if last is not None and now - last < period:
        years = period.days // 365
        return f"最后联系未满记录保存期 / the last contact is within the {years}-year records period"
    return None


def erase_debtor(session: Session, debtor_id: int, now: datetime) -> None:
    """Replace the debtor's personal data, or Conflict with the reason the law keeps it."""
    reason = erasable(session, debtor_id, now)
    if reason is not None:
        raise Conflict(f"不能删除债务人 {debtor_id} / debtor {debtor_id} cannot be erased yet: {reason}")
    erase_debtor_identity(session, debtor_id)
    erase_debtor_words(session, debtor_id)
