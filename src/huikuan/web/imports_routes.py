"""Imports (导入): upload a creditor's case file into a batch, see what was imported and the
row errors, download the error file, list past imports.

The routes only translate HTTP to `huikuan.portfolio.service`: the same reader, validation and
importer as `huikuan import accounts`, audited the same way (`portfolio.import`). The upload's
body limit is web/hardening.py's MAX_UPLOAD_BYTES (larger than the JSON API's 1 MiB)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from huikuan.errors import HuikuanError, InvalidInput
from huikuan.portfolio import service
from huikuan.portfolio.importer import error_report_rows
from huikuan.portfolio.schemas import COLUMN_BY_KEY, BatchSummary, ImportResult
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.security.spreadsheet import csv_bytes, xlsx_bytes
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_UPLOAD_BYTES, RowId
from huikuan.web.i18n import lang_of
from huikuan.web.pages import pick, render, timezone_of

router = APIRouter()
Importer = Annotated[User, Depends(Requires(Permission.IMPORT))]
ACCEPTED_SUFFIXES = (".csv", ".xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ERRORS_SHOWN = 500  # the page lists the first rows; the error file has them all


class UnsupportedFile(HuikuanError):
    status_code = 415


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _suffix(filename: str | None) -> str:
    """The upload's kind from its name; anything but CSV or XLSX is refused before reading."""
    name = (filename or "").lower()
    for suffix in ACCEPTED_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    raise UnsupportedFile("仅支持 CSV 或 XLSX 文件 / only CSV or XLSX files can be imported")


@router.post("/api/imports", response_model=ImportResult)
def upload(
    request: Request,
    user: Importer,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="the case file, CSV (UTF-8, UTF-8 BOM or GBK) or XLSX")],
    creditor: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^\s*[\w.\-]+\s*$")],
    batch: Annotated[str, Form(min_length=1, max_length=200)],
) -> ImportResult:
    """Import a case file into a batch of a creditor (导入案件); row errors in the result."""
    suffix = _suffix(file.filename)
    if not batch.strip():
        raise InvalidInput("批次名不能为空 / the batch name must not be empty")
    # A plain function: FastAPI runs it in a worker thread, so a long import never holds the loop.
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    # The file's own name may carry personal data: messages name it by its kind only.
    now = clock_of(request).now()
    today = now.astimezone(ZoneInfo(timezone_of(request))).date()
    return service.import_bytes(
        session,
        data,
        label=f"upload{suffix}",
        batch_name=batch.strip(),
        creditor=creditor.strip(),
        as_of=today,
        actor=f"user:{user.id}",
        at=now,
    )


@router.get("/api/imports", response_model=list[BatchSummary])
def list_imports(_user: Importer, session: SessionDep) -> list[BatchSummary]:
    """Past imports (委案批次), newest first, with their counts."""
    return service.recent_batches(session)


@router.get(
    "/api/imports/{batch_id}/errors",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
def error_file(
    batch_id: RowId, _user: Importer, session: SessionDep, format: FileFormat = FileFormat.CSV
) -> Response:
    """The batch's row errors as a file (row, column, reason; cells formula-safe)."""
    rows = error_report_rows(service.batch_errors(session, batch_id))
    name = f"batch-{batch_id}-errors.{format.value}"
    if format == FileFormat.XLSX:
        body, media = xlsx_bytes({"errors": rows}), XLSX_TYPE
    else:
        body, media = csv_bytes(rows), "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/imports", response_class=HTMLResponse, include_in_schema=False)
def imports_page(request: Request, user: Importer, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "imports/index.html",
        {
            "batches": service.recent_batches(session),
            "creditors": service.creditor_codes(session),
            "max_mib": MAX_UPLOAD_BYTES >> 20,
        },
        user=user,
    )


@router.get("/imports/{batch_id}", response_class=HTMLResponse, include_in_schema=False)
def batch_page(
    request: Request, batch_id: RowId, user: Importer, session: SessionDep, again: bool = False
) -> HTMLResponse:
    summary = service.batch_summary(session, batch_id)
    errors = service.batch_errors(session, batch_id)
    lang = lang_of(request)
    shown = [
        {
            "row": e.row,
            "column": _column_name(e.column, lang),
            "reason": pick(lang, e.reason),
        }
        for e in errors[:PAGE_ERRORS_SHOWN]
    ]
    return render(
        request,
        "imports/batch.html",
        {
            "batch": summary,
            "errors": shown,
            "error_count": len(errors),
            "reasons": [(pick(lang, r), n) for r, n in service.batch_reasons(session, batch_id)],
            "again": again,
        },
        user=user,
    )


def _column_name(key: str, lang: str) -> str:
    column = COLUMN_BY_KEY.get(key)
    if column is None:
        return key
    return column.zh if lang == "zh_CN" else column.key
