"""Scripts (话术): the list of versions, the editor with the guard's lint as you type, and the
review where a compliance officer who did not write a version approves or rejects it.

The routes translate HTTP to `dialogue.versions` (drafts, submission), `dialogue.approval` (the
lint, approve, reject: the same functions `huikuan script …` calls, audited the same way) and
`dialogue.review` (lines of findings, the sample-debtor preview, the diff).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huikuan.dialogue import approval, review, versions
from huikuan.dialogue.versions import VersionInfo
from huikuan.errors import PermissionDenied
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.security.users import get_user
from huikuan.web import labels
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import RowId
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.pages import pick, render, timezone_of

router = APIRouter()

MAX_SCRIPT_CHARS = 200_000

labels.register(
    "script_status",
    {
        "draft": N_("Draft"),
        "submitted": N_("Awaiting approval"),
        "approved": N_("Approved"),
        review.REJECTED: N_("Rejected by compliance"),
        "retired": N_("Retired"),
    },
)
labels.register(
    "guard_category",
    {
        "threat": N_("Threat"),
        "insult": N_("Insult"),
        "false_legal_claim": N_("False legal claim"),
        "impersonation": N_("Impersonation"),
        "third_party_disclosure": N_("Disclosure to a third party"),
        "exposure_threat": N_("Threat of exposure"),
        "deceptive_amount": N_("Deceptive amount"),
        "pressure_to_borrow": N_("Pressure to borrow"),
        "missing_disclosure": N_("Missing disclosure"),
        "human_claim": N_("Claims to be a person"),
        "veiled_threat": N_("Veiled threat"),
        "wrong_amount": N_("Wrong amount"),
        "offer_outside_bounds": N_("Offer outside the bounds"),
        "waiver_outside_policy": N_("Waiver outside the policy"),
        "impossible_date": N_("Impossible date"),
        "unexplained_figure": N_("LLM figure not in the facts"),
        "names_others": N_("LLM named someone other than the debtor"),
        "unscripted_terms": N_("LLM spoke of payment terms"),
    },
)
labels.register(
    "guard_context",
    {
        "debtor": N_("heard by the debtor"),
        "opening": N_("as the opening"),
        "third_party": N_("heard by anyone who answers"),
        "voicemail": N_("as a voicemail"),
        "sms": N_("as a text message"),
    },
)


class ScriptsReader:
    """A dependency: the logged-in user who writes (edit_scripts) or reviews (approve_scripts)
    scripts; either permission opens the list and the review."""

    def __init__(self) -> None:
        self.logged_in = Requires(None)

    async def __call__(self, request: Request) -> User:
        user = await self.logged_in(request)
        if not (
            allowed(user.role, Permission.EDIT_SCRIPTS) or allowed(user.role, Permission.APPROVE_SCRIPTS)
        ):
            raise PermissionDenied(
                "需要话术编辑或审批权限 / this needs the edit_scripts or approve_scripts permission"
            )
        return user


Reader = Annotated[User, Depends(ScriptsReader())]
Editor = Annotated[User, Depends(Requires(Permission.EDIT_SCRIPTS))]
Officer = Annotated[User, Depends(Requires(Permission.APPROVE_SCRIPTS))]


# --- JSON ----------------------------------------------------------------------------------------


class ScriptIn(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS, description="the script's YAML")


class DecisionIn(BaseModel):
    reason: str = Field(min_length=5, max_length=500, description="why (the author reads it)")


class VersionOut(BaseModel):
    id: int
    code: str
    version: int
    status: str  # draft | submitted | approved | rejected | retired
    author: str | None
    reviewer: str | None
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    retired_at: datetime | None
    rejected_reason: str | None


class FindingOut(BaseModel):
    node: str
    part: str
    rule: str
    categories: list[str]
    category_labels: list[str]
    context: str | None
    message: str  # in the visitor's language
    line: int | None


class PreviewOut(BaseModel):
    node: str
    part: str
    text: str
    broken: bool


class ProblemOut(BaseModel):
    message: str  # in the visitor's language
    line: int | None


class LintOut(BaseModel):
    clean: bool
    code: str | None
    lang: str | None
    error: ProblemOut | None
    findings: list[FindingOut]
    preview: list[PreviewOut]


class VersionDetailOut(VersionOut):
    content: str
    lint: LintOut
    history: list[VersionOut]


def _names(session: Session, infos: list[VersionInfo]) -> dict[int, str]:
    ids = {i for v in infos for i in (v.author_id, v.approved_by) if i is not None}
    return {i: get_user(session, i).username for i in ids}


def _out(info: VersionInfo, names: dict[int, str]) -> VersionOut:
    return VersionOut(
        id=info.id,
        code=info.code,
        version=info.version,
        status=review.shown_status(info),
        author=names.get(info.author_id) if info.author_id is not None else None,
        reviewer=names.get(info.approved_by) if info.approved_by is not None else None,
        created_at=info.created_at,
        submitted_at=info.submitted_at,
        approved_at=info.approved_at,
        retired_at=info.retired_at,
        rejected_reason=info.rejected_reason,
    )


def _lint_out(report: review.LintReport, lang: str) -> LintOut:
    return LintOut(
        clean=report.clean,
        code=report.code,
        lang=report.lang,
        error=None
        if report.problem is None
        else ProblemOut(message=pick(lang, report.problem.message), line=report.problem.line),
        findings=[
            FindingOut(
                node=f.finding.node,
                part=f.finding.part,
                rule=f.finding.rule,
                categories=list(f.finding.categories),
                category_labels=[labels.label(lang, "guard_category", c) for c in f.finding.categories],
                context=f.finding.context,
                message=_message(f.finding, lang),
                line=f.line,
            )
            for f in report.findings
        ],
        preview=[PreviewOut(node=p.node, part=p.part, text=p.text, broken=p.broken) for p in report.preview],
    )


def _message(finding: approval.Finding, lang: str) -> str:
    """A guard finding in words (its categories are shown as labels beside it); the lint's own
    wording for the rest."""
    if finding.categories and finding.context:
        heard = labels.label(lang, "guard_context", finding.context)
        return translate(lang, N_("The content guard blocks this sentence (%(heard)s)."), heard=heard)
    return finding.zh if lang == "zh_CN" else finding.en


def _today(request: Request) -> date:
    return clock_of(request).now().astimezone(ZoneInfo(timezone_of(request))).date()


def _detail(session: Session, request: Request, version_id: int) -> VersionDetailOut:
    info = versions.get_version(session, version_id)
    history = versions.list_versions(session, info.code)
    names = _names(session, history)
    report = review.lint_text(info.content, _today(request))
    return VersionDetailOut(
        **_out(info, names).model_dump(),
        content=info.content,
        lint=_lint_out(report, lang_of(request)),
        history=[_out(v, names) for v in history],
    )


@router.get("/api/scripts", response_model=list[VersionOut])
def api_list(_user: Reader, session: SessionDep) -> list[VersionOut]:
    """Every script version with its status, author and reviewer (edit_scripts or approve_scripts)."""
    infos = versions.list_versions(session)
    names = _names(session, infos)
    return [_out(v, names) for v in infos]


@router.post("/api/scripts/lint", response_model=LintOut)
def api_lint(body: ScriptIn, request: Request, _user: Editor) -> LintOut:
    """The guard's lint of a script's YAML as typed: the YAML error with its line, or every
    finding per node and sentence (rule, categories, message in the visitor's language), and
    the sentences rendered for a sample debtor (edit_scripts)."""
    return _lint_out(review.lint_text(body.content, _today(request)), lang_of(request))


@router.get("/api/scripts/{version_id}", response_model=VersionDetailOut)
def api_version(version_id: RowId, request: Request, _user: Reader, session: SessionDep) -> VersionDetailOut:
    """One version: its YAML, its lint and the history of its script."""
    return _detail(session, request, version_id)


@router.post("/api/scripts", response_model=VersionOut, status_code=201)
def api_create(body: ScriptIn, request: Request, user: Editor, session: SessionDep) -> VersionOut:
    """Store the YAML as the next draft version of its script, authored by you (导入为草稿)."""
    info = versions.create_draft(session, body.content, author_id=user.id, at=clock_of(request).now())
    return _out(info, _names(session, [info]))


@router.post("/api/scripts/{version_id}/submit", response_model=VersionOut)
def api_submit(version_id: RowId, request: Request, user: Editor, session: SessionDep) -> VersionOut:
    """Send a draft for compliance approval (提交审批)."""
    info = versions.submit(session, version_id, by=user.id, at=clock_of(request).now())
    return _out(info, _names(session, [info]))


@router.post("/api/scripts/{version_id}/approve", response_model=VersionOut)
def api_approve(
    version_id: RowId, body: DecisionIn, request: Request, user: Officer, session: SessionDep
) -> VersionOut:
    """Approve a submitted version: a compliance officer who did not write it, a clean lint."""
    result = approval.approve(session, version_id, user.id, clock_of(request).now(), reason=body.reason)
    return _out(result.version, _names(session, [result.version]))


@router.post("/api/scripts/{version_id}/reject", response_model=VersionOut)
def api_reject(
    version_id: RowId, body: DecisionIn, request: Request, user: Officer, session: SessionDep
) -> VersionOut:
    """Send a submitted version back to its author with the reason (驳回)."""
    info = approval.reject(session, version_id, user.id, body.reason, clock_of(request).now())
    return _out(info, _names(session, [info]))


# --- pages ---------------------------------------------------------------------------------------


StatusFilter = Annotated[str | None, Query(pattern="^(" + "|".join(review.SHOWN_STATUSES) + ")$")]


@router.get("/scripts", response_class=HTMLResponse, include_in_schema=False)
def scripts_page(
    request: Request, user: Reader, session: SessionDep, status: StatusFilter = None
) -> HTMLResponse:
    infos = versions.list_versions(session)
    names = _names(session, infos)
    rows = sorted((_out(v, names) for v in infos), key=lambda v: (v.code, -v.version))
    waiting = sum(1 for v in rows if v.status == "submitted")
    return render(
        request,
        "scripts/list.html",
        {
            "versions": [v for v in rows if status is None or v.status == status],
            "statuses": review.SHOWN_STATUSES,
            "status": status,
            "waiting": waiting,
            "may_edit": allowed(user.role, Permission.EDIT_SCRIPTS),
        },
        user=user,
    )


@router.get("/scripts/new", response_class=HTMLResponse, include_in_schema=False)
def new_script_page(request: Request, user: Editor) -> HTMLResponse:
    return render(request, "scripts/edit.html", {"content": "", "base": None}, user=user)


@router.get("/scripts/{version_id}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_script_page(version_id: RowId, request: Request, user: Editor, session: SessionDep) -> HTMLResponse:
    info = versions.get_version(session, version_id)
    return render(
        request,
        "scripts/edit.html",
        {"content": info.content, "base": _out(info, _names(session, [info]))},
        user=user,
    )


@router.get("/scripts/{version_id}", response_class=HTMLResponse, include_in_schema=False)
def review_page(version_id: RowId, request: Request, user: Reader, session: SessionDep) -> HTMLResponse:
    detail = _detail(session, request, version_id)
    info = versions.get_version(session, version_id)
    history = versions.list_versions(session, info.code)
    previous = review.previous_version(history, info)
    sibling = review.sibling_code(info.code)
    sibling_versions = versions.list_versions(session, sibling) if sibling else []
    sibling_latest = sibling_versions[-1] if sibling_versions else None
    today = _today(request)
    is_officer = allowed(user.role, Permission.APPROVE_SCRIPTS)
    return render(
        request,
        "scripts/review.html",
        {
            "v": detail,
            "previous": previous,
            "diff": review.diff_rows(previous.content, info.content) if previous else [],
            "sibling": sibling_latest,
            "sibling_status": review.shown_status(sibling_latest) if sibling_latest else None,
            "sibling_preview": review.preview_content(sibling_latest.content, today)
            if sibling_latest
            else (),
            "may_edit": allowed(user.role, Permission.EDIT_SCRIPTS),
            "may_decide": is_officer and info.author_id != user.id and detail.status == "submitted",
            "own_version": is_officer and info.author_id == user.id,
        },
        user=user,
    )
