"""One contending process for the reserve() concurrency test (started with the 'spawn' method).

Every worker opens its own engine on the same database, waits at a shared barrier before each
round, and then asks for each contact once, committing after every reservation. What a call
"turned out to be" is fixed per debtor by the test (never connects, always a conversation, or
a conversation only for even-numbered workers), and is recorded in a second transaction after
the reservation commits, as the dialer does.

`unlocked_reserve` is the negative control: the same reads, rules and writes as `reserve()`
but without the per-debtor lock, with a barrier forced between the read and the write.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.compliance import ledger, repository
from huikuan.compliance.rules import LOOKBACK, pack_for
from huikuan.compliance.schemas import DebtorInfo, Decision, Flags, Proposal, RuleInput
from huikuan.compliance.service import record_outcome, reserve
from huikuan.db import make_engine, make_sessionmaker
from huikuan.portfolio.models import Contact, Debtor
from huikuan.security import crypto
from huikuan.types import CallOutcome, Channel

Behaviour = Literal["never_connects", "always_conversation", "even_workers_converse"]
BARRIER_TIMEOUT = 120.0  # only so a crashed sibling fails the test instead of hanging it


@dataclass(frozen=True)
class Job:
    url: str
    key: bytes
    worker: int
    rounds: int
    at: datetime
    contacts: tuple[int, ...]
    behaviour: dict[int, Behaviour]  # by debtor id
    locked: bool = True


@dataclass(frozen=True)
class Result:
    worker: int
    round: int
    contact_id: int
    allowed: bool
    rule: str | None
    ledger_entry_id: int | None
    conversation: bool


def run(job: Job, barrier: Barrier, results: Queue[tuple[int, list[Result] | str]]) -> None:
    """Process entry point: put (worker, results) on the queue, or (worker, traceback)."""
    try:
        results.put((job.worker, _run(job, barrier)))
    except BaseException:
        barrier.abort()  # release the siblings at once; the test reports the traceback
        results.put((job.worker, traceback.format_exc()))


def _run(job: Job, barrier: Barrier) -> list[Result]:
    crypto.configure(job.key)
    engine = make_engine(job.url)
    sessions = make_sessionmaker(engine)
    out: list[Result] = []
    try:
        with sessions() as s:
            contacts = [s.get_one(Contact, cid) for cid in job.contacts]
        # Each worker walks the contacts from a different start, so rounds contend on every row.
        shift = job.worker % len(contacts)
        order = contacts[shift:] + contacts[:shift]
        for rnd in range(job.rounds):
            barrier.wait(BARRIER_TIMEOUT)
            for contact in order:
                with sessions() as s:
                    if job.locked:
                        decision = reserve(s, contact, job.at, Channel.VOICE)
                    else:
                        decision = unlocked_reserve(s, contact, job.at, barrier)
                    s.commit()
                conversation = _converses(job.behaviour[contact.debtor_id], job.worker)
                if decision.ledger_entry_id is not None:
                    with sessions() as s:
                        outcome = CallOutcome.ANSWERED if conversation else CallOutcome.NO_ANSWER
                        record_outcome(s, decision.ledger_entry_id, outcome, conversation)
                        s.commit()
                out.append(
                    Result(
                        worker=job.worker,
                        round=rnd,
                        contact_id=contact.id,
                        allowed=decision.allowed,
                        rule=decision.rule,
                        ledger_entry_id=decision.ledger_entry_id,
                        conversation=decision.allowed and conversation,
                    )
                )
    finally:
        engine.dispose()
    return out


def _converses(behaviour: Behaviour, worker: int) -> bool:
    if behaviour == "never_connects":
        return False
    if behaviour == "always_conversation":
        return True
    return worker % 2 == 0


def unlocked_reserve(session: Session, contact: Contact, at: datetime, barrier: Barrier) -> Decision:
    """reserve() without the lock: read and decide in one transaction, write in another.

    Every worker waits at `barrier` between its read and its write, so all of them decide on
    the same history: the interleaving the per-debtor lock exists to prevent.
    """
    jurisdiction, tz = session.execute(
        select(Debtor.jurisdiction, Debtor.timezone).where(Debtor.id == contact.debtor_id)
    ).one()
    contacts = repository.debtor_contacts(session, contact.debtor_id)
    info = next(c for c in contacts if c.id == contact.id)
    inp = RuleInput(
        debtor=DebtorInfo(id=contact.debtor_id, jurisdiction=jurisdiction, timezone=tz, contacts=contacts),
        history=ledger.history(session, contact.debtor_id, since=at - LOOKBACK),
        flags=Flags(open_stops=repository.open_stops(session, contact.debtor_id)),
        proposal=Proposal(contact=info, at=at, channel=Channel.VOICE),
    )
    decision = pack_for(jurisdiction).decide(inp)
    session.commit()
    barrier.wait(BARRIER_TIMEOUT)
    if decision.allowed:
        entry_id = ledger.record_reservation(session, info, at, Channel.VOICE)
        decision = replace(decision, ledger_entry_id=entry_id)
    ledger.record_decision(
        session,
        debtor_id=contact.debtor_id,
        contact_id=contact.id,
        jurisdiction=jurisdiction,
        channel=Channel.VOICE,
        at=at,
        decision=decision,
    )
    return decision
