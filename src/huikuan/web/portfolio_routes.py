"""The portfolio area: search accounts (masked), one account's page with its whole history,
and the recording player (decrypted in memory for roles with play_recordings; every play
audited with ids only)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from huikuan.config import Settings
from huikuan.errors import NotFound
from huikuan.portfolio import search
from huikuan.portfolio.buckets import DEFAULT_SCHEME
from huikuan.profiling.segments import Segment
from huikuan.security import audit
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.voice import playback
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, OptionalRowIdQuery, RowId
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.pages import render
from huikuan.web.portfolio_view import AccountSearchOut, AccountViewOut, account_view, search_page

router = APIRouter()
Masked = Annotated[User, Depends(Requires(Permission.VIEW_MASKED))]
Player = Annotated[User, Depends(Requires(Permission.PLAY_RECORDINGS))]
BUCKETS = tuple(b for b in DEFAULT_SCHEME.names)
_PLAYS = threading.Lock()
MAX_AMOUNT = 10**15  # minor units; far above any loan, below BIGINT


# -- the search -----------------------------------------------------------------------------------


@router.get("/api/accounts", response_model=AccountSearchOut)
def api_accounts(
    _user: Masked,
    session: SessionDep,
    ref: Annotated[
        str | None, Query(max_length=64, description="account id, debtor id or loan reference")
    ] = None,
    creditor_id: OptionalRowIdQuery = None,
    batch_id: OptionalRowIdQuery = None,
    bucket: Annotated[list[Literal[BUCKETS]] | None, Query()] = None,  # type: ignore[valid-type]
    segment: Segment | None = None,
    status: search.StatusFilter | None = None,
    overdue_min: Annotated[int | None, Query(ge=0, le=MAX_AMOUNT, description="minor units")] = None,
    overdue_max: Annotated[int | None, Query(ge=0, le=MAX_AMOUNT, description="minor units")] = None,
    sort: search.SortKey = search.SortKey.OVERDUE,
    order: Literal["desc", "asc"] = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=search.MAX_PAGE_SIZE)] = 50,
) -> AccountSearchOut:
    """Accounts matching the filters, one page, names masked (view_masked). Amounts in fen/cents."""
    query = search.AccountQuery(
        ref=ref or None,
        creditor_id=creditor_id,
        batch_id=batch_id,
        buckets=tuple(bucket or ()),
        status=status,
        overdue_min=overdue_min,
        overdue_max=overdue_max,
        sort=sort,
        descending=order == "desc",
        page=page,
        page_size=page_size,
    )
    return search_page(session, query, segment)


@dataclass
class Filters:
    """The search form as typed (kept to show it again) and what it means, or its errors."""

    typed: dict[str, str]
    query: search.AccountQuery = field(default_factory=search.AccountQuery)
    segment: Segment | None = None
    errors: list[str] = field(default_factory=list)


def _row_id(value: str) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_ROW_ID else None


def _fen(value: str) -> int | None:
    """Yuan as typed ("1200", "1,200.50") → fen; None when it is not an amount."""
    try:
        amount = Decimal(value.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount * 100 > MAX_AMOUNT:
        return None
    return int((amount * 100).to_integral_value())


FIELDS = ("ref", "creditor", "batch", "bucket", "segment", "status", "min", "max", "sort", "order", "page")


def read_filters(request: Request) -> Filters:
    """The page's query string as a search; a value that makes no sense is an error to show."""
    typed = {name: (request.query_params.get(name) or "").strip()[:64] for name in FIELDS}
    f = Filters(typed)
    ids: dict[str, int | None] = {}
    for name, error in (("creditor", N_("Unknown creditor")), ("batch", N_("Unknown batch"))):
        ids[name] = _row_id(typed[name]) if typed[name] else None
        if typed[name] and ids[name] is None:
            f.errors.append(error)
    if typed["bucket"] and typed["bucket"] not in BUCKETS:
        f.errors.append(N_("Unknown bucket"))
    if typed["segment"]:
        try:
            f.segment = Segment(typed["segment"])
        except ValueError:
            f.errors.append(N_("Unknown segment"))
    status = None
    if typed["status"]:
        try:
            status = search.StatusFilter(typed["status"])
        except ValueError:
            f.errors.append(N_("Unknown status"))
    amounts: dict[str, int | None] = {}
    for name in ("min", "max"):
        amounts[name] = _fen(typed[name]) if typed[name] else None
        if typed[name] and amounts[name] is None:
            f.errors.append(N_("An amount is a number of yuan, not negative"))
    low, high = amounts["min"], amounts["max"]
    if low is not None and high is not None and low > high:
        f.errors.append(N_("The lowest amount is above the highest"))
    sort = search.SortKey.DAYS_PAST_DUE if typed["sort"] == "days_past_due" else search.SortKey.OVERDUE
    page = int(typed["page"]) if typed["page"].isdigit() and 1 <= int(typed["page"]) <= 100_000 else 1
    if not f.errors:
        f.query = search.AccountQuery(
            ref=typed["ref"] or None,
            creditor_id=ids["creditor"],
            batch_id=ids["batch"],
            buckets=(typed["bucket"],) if typed["bucket"] else (),
            status=status,
            overdue_min=low,
            overdue_max=high,
            sort=sort,
            descending=typed["order"] != "asc",
            page=page,
        )
    return f


@router.get("/portfolio", response_class=HTMLResponse, include_in_schema=False)
def portfolio_page(request: Request, user: Masked, session: SessionDep) -> HTMLResponse:
    filters = read_filters(request)
    found = None if filters.errors else search_page(session, filters.query, filters.segment)
    lang = lang_of(request)

    def page_link(number: int) -> str:
        from urllib.parse import urlencode

        params = {k: v for k, v in filters.typed.items() if v and k != "page"}
        return "/portfolio?" + urlencode({**params, "page": number})

    return render(
        request,
        "portfolio/search.html",
        {
            "typed": filters.typed,
            "errors": [translate(lang, e) for e in filters.errors],
            "found": found,
            "creditors": search.creditors(session),
            "batches": search.batches(session),
            "buckets": BUCKETS,
            "segments": list(Segment),
            "statuses": list(search.StatusFilter),
            "page_link": page_link,
        },
        user=user,
        status_code=422 if filters.errors else 200,
    )


# -- one account -------------------------------------------------------------------------------


@router.get("/api/accounts/{account_id}", response_model=AccountViewOut)
def api_account(account_id: RowId, _user: Masked, session: SessionDep) -> AccountViewOut:
    """One account with its debtor (masked), profile, attempts with transcripts, compliance
    decisions, promises, plans, payments and stops (view_masked)."""
    return account_view(session, account_id)


@router.get("/portfolio/accounts/{account_id}", response_class=HTMLResponse, include_in_schema=False)
def account_page(account_id: RowId, request: Request, user: Masked, session: SessionDep) -> HTMLResponse:
    try:
        view = account_view(session, account_id)
    except NotFound:
        return render(
            request, "portfolio/missing.html", {"account_id": account_id}, user=user, status_code=404
        )
    attempts = {a.id: a for a in view.attempts}
    decisions = {d.id: d for d in view.decisions}
    return render(
        request,
        "portfolio/account.html",
        {
            "view": view,
            "attempts": attempts,
            "decisions": decisions,
            "can_play": allowed(user.role, Permission.PLAY_RECORDINGS),
            "can_reveal": allowed(user.role, Permission.VIEW_FULL),
        },
        user=user,
    )


# -- the recording player ----------------------------------------------------------------------


def data_dir_of(request: Request) -> Path:
    """Where recordings are: the app's data dir if it was given one, else the settings'."""
    configured = getattr(request.app.state, "data_dir", None)
    return Path(configured) if configured is not None else Settings().data_dir


@router.get(
    "/api/recordings/{recording_id}/audio",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}, "description": "the recording as a WAV file"}},
)
def recording_audio(recording_id: RowId, request: Request, user: Player, session: SessionDep) -> Response:
    """A call's recording, decrypted in memory (play_recordings); every play is audited."""
    audio = playback.recording_audio(session, recording_id, data_dir_of(request))
    # A browser asks for the audio twice at once; on SQLite two transactions appending to the
    # audit chain would collide (one writer), so this process appends plays one at a time, each
    # committed on its own before the audio leaves.
    with _PLAYS:
        audit.append_alone(
            session,
            at=clock_of(request).now(),
            actor=f"user:{user.id}",
            action="recording.play",
            entity="recording",
            entity_id=audio.recording_id,
            details={"attempt_id": audio.attempt_id},
        )
    return Response(
        audio.wav,
        media_type="audio/wav",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="recording-{recording_id}.wav"',
        },
    )
