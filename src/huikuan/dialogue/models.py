"""Scripts (话术) and their versions; the content is YAML kept as data.

A version moves draft → submitted → approved → retired (a rejection sends it back to draft);
only an approved version runs, and at most one version of a script is approved at a time
(a partial unique index, so two concurrent approvals cannot both win).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime
from huikuan.security.crypto import EncryptedText


class Script(Base):
    __tablename__ = "script"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # "<id>.<lang>", e.g. reminder.zh-CN
    name: Mapped[str] = mapped_column(String(200))
    treatment: Mapped[str] = mapped_column(String(32))


class ScriptVersion(Base):
    __tablename__ = "script_version"
    __table_args__ = (
        UniqueConstraint("script_id", "version"),
        Index(
            "uq_script_version_one_approved",
            "script_id",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("script.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|submitted|approved|retired
    content: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_reason: Mapped[str | None] = mapped_column(Text)  # the last rejection's reason
    # The findings of the last approval attempt (node ids, categories; never debtor data).
    lint_report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class LlmExchange(Base):
    """One request to the optional LLM and its answer, kept for review (docs/llm.md).

    The prompt is what was sent (personal data already masked out) and the reply what came back;
    both are encrypted because a debtor's own words can still say more than they should.
    """

    __tablename__ = "llm_exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # classify | free_form
    model: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(EncryptedText())
    reply: Mapped[str | None] = mapped_column(EncryptedText())  # None when nothing came back
    latency_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # ok | timeout | error | invalid | blocked
