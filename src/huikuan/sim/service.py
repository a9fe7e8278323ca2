"""Synthetic portfolios in the database: generated rows through the real import, then truths."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from huikuan.portfolio import repository
from huikuan.portfolio.service import import_bytes
from huikuan.security.crypto import cipher
from huikuan.sim import repository as sim_repository
from huikuan.sim.portfolio import generate_rows, to_csv

SIM_CREDITOR = "sim"


def create_portfolio(
    session: Session,
    *,
    accounts: int,
    seed: int,
    as_of: date,
    jurisdiction: str = "CN",
    batch_name: str | None = None,
) -> int:
    """Generate and import a synthetic portfolio with personas and line truths; returns the batch id."""
    rows = list(generate_rows(accounts, seed, as_of, jurisdiction))
    name = batch_name or f"sim-{jurisdiction}-{seed}-{accounts}-{as_of.isoformat()}"
    data = to_csv(r.cells for r in rows).encode("utf-8")
    result = import_bytes(
        session, data, label=f"{name}.csv", batch_name=name, creditor=SIM_CREDITOR, as_of=as_of
    )
    if result.already_imported:
        return result.batch_id
    debtor_of_loan = repository.batch_debtors(session, result.batch_id)
    has_persona = sim_repository.debtors_with_persona(session, sorted(set(debtor_of_loan.values())))
    personas = []
    truth_of: dict[tuple[int, str], str] = {}
    index_key = cipher().blind_index
    for row in rows:
        debtor_id = debtor_of_loan.get(row.cells["loan_id"])
        if debtor_id is None:
            continue  # the loan existed before this portfolio (same loan id, same creditor)
        if debtor_id not in has_persona:
            has_persona.add(debtor_id)
            personas.append(
                {"debtor_id": debtor_id, "persona": row.persona.value, "temper": row.temper, "seed": row.seed}
            )
        for column, truth in row.lines.items():
            truth_of.setdefault((debtor_id, index_key(row.e164[column], "phone")), truth.value)
    truth_of_contact = {
        contact_id: truth_of[(debtor_id, key)]
        for contact_id, debtor_id, key in repository.batch_contacts(session, result.batch_id)
        if (debtor_id, key) in truth_of
    }
    known_lines = sim_repository.contacts_with_line(session, list(truth_of_contact))
    lines = [{"contact_id": c, "truth": t} for c, t in truth_of_contact.items() if c not in known_lines]
    sim_repository.insert_truths(session, personas, lines)
    return result.batch_id
