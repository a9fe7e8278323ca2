"""Hear that the floor's figures changed, whichever process recorded the change.

One `ActivityFeed` per web app is shared by every open dashboard stream: on PostgreSQL one
connection LISTENs on `huikuan.db.activity.CHANNEL` (workers NOTIFY in the transaction that
records an attempt, a promise or a stop); on SQLite one task polls a cheap change marker every
`poll_seconds`. The feed runs only while somebody listens, and a waiting stream holds no
connection and no thread: it waits on an asyncio condition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import psycopg
from sqlalchemy import Engine

from huikuan.analytics.dashboard import change_marker
from huikuan.db import session_scope
from huikuan.db.activity import CHANNEL

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
RECONNECT_SECONDS = 2.0


class Subscription:
    """One listener's place in the feed: `changed()` returns once something changed since the
    last call (or since subscribing)."""

    def __init__(self, feed: ActivityFeed) -> None:
        self._feed = feed
        self._seen = feed.version

    async def changed(self) -> None:
        self._seen = await self._feed.wait_past(self._seen)


class ActivityFeed:
    def __init__(self, engine: Engine, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._engine = engine
        self._poll_seconds = poll_seconds
        self.version = 0
        self._subscribers = 0
        self._task: asyncio.Task[None] | None = None
        self._condition: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def running(self) -> bool:
        """Whether the feed holds its listener (or polls) now: only while somebody subscribes."""
        return self._task is not None

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        """Listen while inside the block; the first listener starts the feed, the last stops it."""
        self._bind_to_running_loop()
        self._subscribers += 1
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="huikuan-activity-feed")
        try:
            yield Subscription(self)
        finally:
            self._subscribers -= 1
            if self._subscribers == 0 and self._task is not None:
                task, self._task = self._task, None
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def wait_past(self, seen: int) -> int:
        """Wait until the version moves past `seen`; returns the new version."""
        assert self._condition is not None  # noqa: S101  # set by subscribe()
        async with self._condition:
            await self._condition.wait_for(lambda: self.version != seen)
            return self.version

    def _bind_to_running_loop(self) -> None:
        # A test client may run each request on a new event loop; production has one loop.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._condition, self._task, self._subscribers = loop, asyncio.Condition(), None, 0

    async def _bump(self) -> None:
        assert self._condition is not None  # noqa: S101
        async with self._condition:
            self.version += 1
            self._condition.notify_all()

    async def _run(self) -> None:
        if self._engine.dialect.name == "postgresql":
            await self._listen()
        else:
            await self._poll()

    async def _listen(self) -> None:
        conninfo = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await self._bump()  # whatever happened before LISTEN took hold
                    async for _notice in conn.notifies():
                        await self._bump()
            except (psycopg.Error, OSError) as e:
                log.warning("activity feed: connection lost (%s); reconnecting", type(e).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _poll(self) -> None:
        last = await anyio.to_thread.run_sync(self._marker)
        while True:
            await asyncio.sleep(self._poll_seconds)
            marker = await anyio.to_thread.run_sync(self._marker)
            if marker != last:
                last = marker
                await self._bump()

    def _marker(self) -> tuple[int, ...]:
        with session_scope(self._engine) as session:
            return change_marker(session)
