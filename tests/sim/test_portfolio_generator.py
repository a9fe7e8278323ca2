from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.portfolio.models import Account, Contact, Debtor
from huikuan.portfolio.validation import RowValidator, ValidRow
from huikuan.sim.models import SimLine, SimPersona
from huikuan.sim.personas import LineTruth, Persona
from huikuan.sim.portfolio import generate_rows
from huikuan.sim.service import create_portfolio

AS_OF = date(2026, 3, 10)


def test_generator_is_deterministic() -> None:
    first = [(r.cells, r.persona, r.temper, r.lines) for r in generate_rows(200, 4, AS_OF)]
    again = [(r.cells, r.persona, r.temper, r.lines) for r in generate_rows(200, 4, AS_OF)]
    other = [r.cells for r in generate_rows(200, 5, AS_OF)]
    assert first == again
    assert [c for c, *_ in first] != other


def test_every_generated_row_passes_validation() -> None:
    for jurisdiction in ("CN", "US"):
        validator = RowValidator(AS_OF)
        rows = list(generate_rows(3000, 8, AS_OF, jurisdiction))
        outcomes = [validator.validate(i + 2, r.cells) for i, r in enumerate(rows)]
        assert all(isinstance(o, ValidRow) for o in outcomes), jurisdiction
        valid = [o for o in outcomes if isinstance(o, ValidRow)]
        buckets = Counter(o.bucket for o in valid)
        assert buckets["M1"] > buckets["M3"] > 0
        assert buckets["M0"] > 0
        assert buckets["M6+"] > 0
        if jurisdiction == "CN":
            dialects = Counter(o.dialect for o in valid)
            assert dialects["cmn"] > dialects["yue"] > dialects["hak"] > 0
        numbers = [c.e164 for o in valid for c in o.contacts]
        assert len(numbers) == len(set(numbers))
        assert len({o.identity_key for o in valid}) == len(valid)


def test_persona_mix_and_unreachable_lines() -> None:
    rows = list(generate_rows(5000, 2, AS_OF))
    share = Counter(r.persona for r in rows)
    assert 0.26 < share[Persona.FORGETFUL] / 5000 < 0.34
    assert 0.02 < share[Persona.ABUSIVE] / 5000 < 0.08
    for r in rows:
        if r.persona == Persona.UNREACHABLE:
            assert r.lines["phone"] != LineTruth.ACTIVE


def test_create_portfolio_writes_personas_and_lines(session: Session) -> None:
    batch_id = create_portfolio(session, accounts=150, seed=3, as_of=AS_OF)
    session.flush()
    accounts = session.scalar(select(func.count()).select_from(Account).where(Account.batch_id == batch_id))
    debtors = session.scalar(select(func.count()).select_from(Debtor))
    contacts = session.scalar(select(func.count()).select_from(Contact))
    personas = session.scalar(select(func.count()).select_from(SimPersona))
    lines = session.scalar(select(func.count()).select_from(SimLine))
    assert accounts == debtors == personas == 150
    assert contacts == lines
    assert contacts is not None
    assert contacts > 150
    rows = {r.cells["loan_id"]: r for r in generate_rows(150, 3, AS_OF)}
    stored = session.execute(
        select(Account.loan_ref, SimPersona.persona).join(
            SimPersona, SimPersona.debtor_id == Account.debtor_id
        )
    )
    for loan_ref, persona in stored:
        assert rows[loan_ref].persona.value == persona
    again = create_portfolio(session, accounts=150, seed=3, as_of=AS_OF)
    assert again == batch_id
    assert session.scalar(select(func.count()).select_from(SimPersona)) == 150
