"""Log-in with throttling and lockout, API tokens, console sessions.

- **Lockout**: 5 failed log-ins of one user within 15 minutes lock that user for 15 minutes
  (the right password is refused while locked). A refused log-in commits the caller's
  transaction with the failure count before raising, so a caller that then fails the request
  still counts it: call `log_in` before any write of your own. Each failure is audited by
  `users.authenticate` (`user.login_failed`), each lockout here (`auth.locked`); ids only. An
  unknown username costs the same hash check.
- **Per address**: `AddressThrottle` refuses an address after 20 failures in 15 minutes, so
  guessing across many usernames from one client is bounded too (in memory, per process: one
  console process per floor; a restart forgets, a lockout in the database does not).
- **Tokens and sessions** are 32 random bytes (urlsafe base64); only their SHA-256 is stored.
  A fast hash is right here, unlike passwords: the secret has 256 bits of entropy, so there is
  nothing to brute-force, and every request checks it.
- **Console sessions** end after 30 idle minutes or 12 hours whatever the activity; API tokens
  after their lifetime (90 days by default) or when revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from huikuan.errors import PermissionDenied
from huikuan.security import audit
from huikuan.security.models import ApiToken, User, WebSession
from huikuan.security.users import Role, authenticate, get_user

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=90)
ADDRESS_MAX_FAILURES = 20

WRONG = "用户名或密码错误 / wrong username or password"
LOCKED = "登录失败次数过多，请稍后再试 / too many failed log-ins; try again later"


class LogInRefused(PermissionDenied):
    status_code = 401


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _count_failure(session: Session, user_id: int | None, at: datetime) -> bool:
    """Count a failure against the user (`users.authenticate` has audited it), lock them at the
    limit (audited), then commit, so a caller that fails the request keeps the count; True when
    this failure locks the user."""
    # `authenticate` audited the failure on a connection of its own: end this transaction's read
    # snapshot first, or SQLite refuses to let a snapshot older than that write start writing.
    session.commit()
    locked = False
    user = session.get(User, user_id) if user_id is not None else None
    if user is not None:
        fresh = user.first_failed_at is None or at - user.first_failed_at > FAILURE_WINDOW
        user.failed_logins = 1 if fresh else user.failed_logins + 1
        if fresh:
            user.first_failed_at = at
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = at + LOCKOUT
            user.failed_logins = 0
            user.first_failed_at = None
            locked = True
            audit.append(
                session,
                at=at,
                actor="system",
                action="auth.locked",
                entity="app_user",
                entity_id=user.id,
                details={"until_minutes": int(LOCKOUT.total_seconds() // 60)},
            )
    session.commit()
    return locked


def _refused(session: Session, user_id: int, reason: str, channel: str, at: datetime) -> None:
    """Audit a right password refused (locked user, system account); `authenticate` audits the
    wrong ones."""
    audit.append(
        session,
        at=at,
        actor="anonymous",
        action="user.login_failed",
        entity="app_user",
        entity_id=user_id,
        details={"reason": reason, "channel": channel},
    )


def log_in(session: Session, username: str, password: str, at: datetime, *, channel: str) -> User:
    """The user, or LogInRefused (wrong, inactive, locked, or a system account). `channel`
    names where (cli, console, desk, api) for the audit log."""
    known = session.scalars(select(User).where(User.username == username.strip())).first()
    if known is not None and known.locked_until is not None and known.locked_until > at:
        # The same cost as any attempt; a wrong password is audited by `authenticate`, a right
        # one refused here and audited as such.
        if authenticate(session, username, password, at=at, channel=channel) is not None:
            session.commit()  # a fresh snapshot to write from (see `_count_failure`)
            _refused(session, known.id, "locked", channel, at)
        session.commit()
        raise LogInRefused(LOCKED)
    user = authenticate(session, username, password, at=at, channel=channel)
    if user is not None and user.role == Role.SYSTEM.value:
        _refused(session, user.id, "system_account", channel, at)
        user = None
    if user is None:
        if _count_failure(session, known.id if known is not None else None, at):
            raise LogInRefused(LOCKED)
        raise LogInRefused(WRONG)
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None
    audit.append(
        session,
        at=at,
        actor=f"user:{user.id}",
        action="auth.log_in",
        entity="app_user",
        entity_id=user.id,
        details={"channel": channel},
    )
    session.flush()
    return user


# --- API tokens --------------------------------------------------------------------------------


def issue_token(
    session: Session, user: User, label: str, at: datetime, lifetime: timedelta = TOKEN_LIFETIME
) -> tuple[ApiToken, str]:
    """A new token for `user` (acting with their role); the secret is returned once, never stored."""
    if user.role == Role.SYSTEM.value and not label:
        raise PermissionDenied("系统账户的令牌需要标签 / a system account's token needs a label")
    secret = new_secret()
    token = ApiToken(
        user_id=user.id,
        token_hash=secret_hash(secret),
        label=label.strip()[:100] or "token",
        created_at=at,
        expires_at=at + lifetime,
    )
    session.add(token)
    session.flush()
    audit.append(
        session,
        at=at,
        actor=f"user:{user.id}",
        action="auth.token_issued",
        entity="api_token",
        entity_id=token.id,
    )
    return token, secret


def user_for_token(session: Session, secret: str, at: datetime) -> User:
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == secret_hash(secret))).first()
    if token is None or token.revoked_at is not None or token.expires_at <= at:
        raise LogInRefused("令牌无效或已过期 / invalid or expired token")
    user = get_user(session, token.user_id)
    if not user.active:
        raise LogInRefused("令牌无效或已过期 / invalid or expired token")
    return user


def revoke_tokens(session: Session, user_id: int, at: datetime) -> int:
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(getattr(done, "rowcount", 0))


# --- console sessions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Started:
    secret: str  # the cookie's value
    csrf_token: str


def start_session(session: Session, user: User, at: datetime) -> Started:
    secret, csrf = new_secret(), new_secret()
    session.add(
        WebSession(
            session_hash=secret_hash(secret), csrf_token=csrf, user_id=user.id, created_at=at, last_seen_at=at
        )
    )
    session.flush()
    return Started(secret, csrf)


def session_user(session: Session, secret: str, at: datetime) -> tuple[User, WebSession]:
    """The user of a live console session (touching its idle clock), else LogInRefused."""
    row = session.scalars(select(WebSession).where(WebSession.session_hash == secret_hash(secret))).first()
    if (
        row is None
        or row.ended_at is not None
        or at - row.last_seen_at > SESSION_IDLE
        or at - row.created_at > SESSION_ABSOLUTE
    ):
        raise LogInRefused("未登录或登录已过期 / not logged in, or the log-in expired")
    user = get_user(session, row.user_id)
    if not user.active:
        raise LogInRefused("未登录或登录已过期 / not logged in, or the log-in expired")
    row.last_seen_at = at
    return user, row


def end_session(session: Session, secret: str, at: datetime) -> None:
    row = session.scalars(select(WebSession).where(WebSession.session_hash == secret_hash(secret))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = at
        audit.append(
            session,
            at=at,
            actor=f"user:{row.user_id}",
            action="auth.log_out",
            entity="app_user",
            entity_id=row.user_id,
        )


def end_sessions_of(session: Session, user_id: int, at: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=at)
    )


class AddressThrottle:
    """Failures per client address in a sliding window (monotonic time, thread-safe)."""

    def __init__(
        self, limit: int = ADDRESS_MAX_FAILURES, window: float = FAILURE_WINDOW.total_seconds()
    ) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address, time.monotonic())) >= self.limit

    def failed(self, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(address, now).append(now)


# --- retention (lifecycle/retention.py) --------------------------------------------------------


def _ended_sessions(cutoff: datetime) -> ColumnElement[bool]:
    idle_out = WebSession.last_seen_at < cutoff - SESSION_IDLE
    return or_(WebSession.ended_at < cutoff, idle_out)


def _dead_tokens(cutoff: datetime) -> ColumnElement[bool]:
    return or_(ApiToken.revoked_at < cutoff, ApiToken.expires_at < cutoff)


def ended_sessions_before(session: Session, cutoff: datetime) -> int:
    stmt = select(func.count()).select_from(WebSession).where(_ended_sessions(cutoff))
    return int(session.scalar(stmt) or 0)


def delete_ended_sessions_before(session: Session, cutoff: datetime) -> int:
    return int(getattr(session.execute(delete(WebSession).where(_ended_sessions(cutoff))), "rowcount", 0))


def dead_tokens_before(session: Session, cutoff: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(ApiToken).where(_dead_tokens(cutoff))) or 0)


def delete_dead_tokens_before(session: Session, cutoff: datetime) -> int:
    return int(getattr(session.execute(delete(ApiToken).where(_dead_tokens(cutoff))), "rowcount", 0))
