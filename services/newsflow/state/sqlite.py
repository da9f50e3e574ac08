"""SQLite state store: the embedded default, one process per state file.

WAL mode lets readers (`sources check`, `dlq list`) run while the daemon writes.
All writes go through one connection, serialized by a lock, so a check-then-insert
(claiming a fingerprint) is atomic.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from newsflow import dedup
from newsflow.errors import StateError
from newsflow.models import SourceItem, StoryState
from newsflow.state.base import (
    STORIES_PER_KEY,
    STORY_CANDIDATES,
    FailedLink,
    FeedState,
    Link,
    StoryWrite,
)
from newsflow.state.migrations import SQLITE as SCHEMA


def _ts(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def _dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _when(value: float) -> datetime:
    """A timestamp of a NOT NULL column."""
    return datetime.fromtimestamp(value, UTC)


def _signed(fp: int) -> int:
    # SQLite integers are signed 64-bit.
    return fp - (1 << 64) if fp >= (1 << 63) else fp


class SqliteStore:
    """StateStore on a local SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            self._db.row_factory = aiosqlite.Row
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA busy_timeout=10000")
            await self._migrate()
        except Exception as exc:
            raise StateError(f"cannot open state database {self.path}: {exc}") from exc

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StateError("state store is not open")
        return self._db

    async def _migrate(self) -> None:
        async with self._immediate("migrate"):
            await self.db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            row = await (
                await self.db.execute("SELECT MAX(version) FROM schema_version")
            ).fetchone()
            current = row[0] if row and row[0] else 0
            for version, ddl in enumerate(SCHEMA[current:], start=current + 1):
                for statement in filter(str.strip, ddl.split(";")):
                    await self.db.execute(statement)
                await self.db.execute("INSERT INTO schema_version VALUES (?)", (version,))

    # --- feeds -------------------------------------------------------------------------

    async def sync_sources(self, sources: list[tuple[str, str]], now: datetime) -> None:
        async with self._lock:
            for source_id, url in sources:
                await self.db.execute(
                    "INSERT INTO feeds (source_id, url, next_poll_at) VALUES (?, ?, ?)"
                    " ON CONFLICT(source_id) DO UPDATE SET url = excluded.url",
                    (source_id, url, now.timestamp()),
                )

    async def claim_due_feeds(
        self, now: datetime, limit: int, lease_seconds: float, owner: str, *, force: bool = False
    ) -> list[FeedState]:
        t = now.timestamp()
        due = "1" if force else "(next_poll_at IS NULL OR next_poll_at <= :t)"
        async with self._immediate("claim feeds"):
            rows = await (
                await self.db.execute(
                    f"SELECT * FROM feeds WHERE {due} AND (lease_until IS NULL OR lease_until <= :t)"
                    " ORDER BY next_poll_at LIMIT :n",
                    {"t": t, "n": limit},
                )
            ).fetchall()
            for r in rows:
                await self.db.execute(
                    "UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE source_id = ?",
                    (owner, t + lease_seconds, r["source_id"]),
                )
        return [self._feed(r) for r in rows]

    async def save_feed(self, state: FeedState) -> None:
        async with self._lock:
            await self.db.execute(
                "UPDATE feeds SET etag=?, last_modified=?, next_poll_at=?, interval=?, error_streak=?,"
                " last_status=?, last_error=?, last_polled_at=?, last_success_at=?, first_polled=?,"
                " lease_owner=NULL, lease_until=NULL WHERE source_id=?",
                (
                    state.etag,
                    state.last_modified,
                    _ts(state.next_poll_at),
                    state.interval,
                    state.error_streak,
                    state.last_status,
                    state.last_error,
                    _ts(state.last_polled_at),
                    _ts(state.last_success_at),
                    int(state.first_polled),
                    state.source_id,
                ),
            )

    async def feed_states(self) -> list[FeedState]:
        rows = await (await self.db.execute("SELECT * FROM feeds ORDER BY source_id")).fetchall()
        return [self._feed(r) for r in rows]

    @staticmethod
    def _feed(r: aiosqlite.Row) -> FeedState:
        return FeedState(
            source_id=r["source_id"],
            url=r["url"],
            etag=r["etag"],
            last_modified=r["last_modified"],
            next_poll_at=_dt(r["next_poll_at"]),
            interval=r["interval"],
            error_streak=r["error_streak"],
            last_status=r["last_status"],
            last_error=r["last_error"],
            last_polled_at=_dt(r["last_polled_at"]),
            last_success_at=_dt(r["last_success_at"]),
            first_polled=bool(r["first_polled"]),
        )

    # --- frontier ----------------------------------------------------------------------

    async def add_links(self, items: list[SourceItem], now: datetime) -> int:
        t = now.timestamp()
        async with self._immediate("add links"):
            before = self.db.total_changes
            await self.db.executemany(
                "INSERT OR IGNORE INTO links (url, source_id, item, status, discovered_at, updated_at)"
                " VALUES (?, ?, ?, 'pending', ?, ?)",
                [(i.url, i.source_id, i.model_dump_json(), t, t) for i in items],
            )
        return self.db.total_changes - before

    async def claim_links(
        self, now: datetime, limit: int, lease_seconds: float, owner: str
    ) -> list[Link]:
        t = now.timestamp()
        async with self._immediate("claim links"):
            # Expired leases first go back to pending (as recover_expired does), so a dead
            # worker's links are claimable within one lease, without a restart. The in-flight
            # rows are few, and the pending claim keeps its index order.
            await self.db.execute(
                "UPDATE links SET status='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE status='in_flight' AND (lease_until IS NULL OR lease_until <= ?)",
                (t,),
            )
            rows = await (
                await self.db.execute(
                    "SELECT * FROM links WHERE status = 'pending' ORDER BY discovered_at LIMIT ?",
                    (limit,),
                )
            ).fetchall()
            await self.db.executemany(
                "UPDATE links SET status='in_flight', attempts=attempts+1, lease_owner=?,"
                " lease_until=?, updated_at=? WHERE url=?",
                [(owner, t + lease_seconds, t, r["url"]) for r in rows],
            )
        return [
            Link(
                url=r["url"],
                item=SourceItem.model_validate_json(r["item"]),
                status="in_flight",
                attempts=r["attempts"] + 1,
                discovered_at=_when(r["discovered_at"]),
            )
            for r in rows
        ]

    async def mark_done(
        self, url: str, now: datetime, article_id: str | None, *, owner: str
    ) -> bool:
        async with self._lock:
            cur = await self.db.execute(
                "UPDATE links SET status='done', article_id=?, updated_at=?, lease_owner=NULL,"
                " lease_until=NULL WHERE url=? AND status='in_flight' AND lease_owner=?",
                (article_id, now.timestamp(), url, owner),
            )
            return cur.rowcount == 1

    async def mark_failed(
        self, url: str, now: datetime, *, owner: str, stage: str, reason: str, detail: str
    ) -> bool:
        async with self._lock:
            cur = await self.db.execute(
                "UPDATE links SET status='failed', stage=?, reason=?, detail=?, updated_at=?,"
                " lease_owner=NULL, lease_until=NULL"
                " WHERE url=? AND status='in_flight' AND lease_owner=?",
                (stage, reason, detail[:2000], now.timestamp(), url, owner),
            )
            return cur.rowcount == 1

    async def release_links(self, urls: list[str]) -> None:
        async with self._lock:
            await self.db.executemany(
                "UPDATE links SET status='pending', attempts=MAX(attempts-1, 0), lease_owner=NULL,"
                " lease_until=NULL WHERE url=? AND status='in_flight'",
                [(u,) for u in urls],
            )

    async def extend_leases(self, owner: str, now: datetime, lease_seconds: float) -> None:
        async with self._lock:
            await self.db.execute(
                "UPDATE links SET lease_until=? WHERE lease_owner=? AND status='in_flight'",
                (now.timestamp() + lease_seconds, owner),
            )

    async def recover_expired(self, now: datetime) -> int:
        async with self._lock:
            cur = await self.db.execute(
                "UPDATE links SET status='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE status='in_flight' AND (lease_until IS NULL OR lease_until <= ?)",
                (now.timestamp(),),
            )
            await self.db.execute(
                "UPDATE feeds SET lease_owner=NULL, lease_until=NULL WHERE lease_until <= ?",
                (now.timestamp(),),
            )
            return cur.rowcount

    async def recover_on_start(self, now: datetime) -> int:
        """One daemon owns a SQLite file, so every in-flight link at start was left by a crash."""
        async with self._lock:
            cur = await self.db.execute(
                "UPDATE links SET status='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE status='in_flight'"
            )
            await self.db.execute("UPDATE feeds SET lease_owner=NULL, lease_until=NULL")
            return cur.rowcount

    async def link_counts(self) -> dict[str, int]:
        rows = await (
            await self.db.execute("SELECT status, COUNT(*) FROM links GROUP BY status")
        ).fetchall()
        counts = {"pending": 0, "in_flight": 0, "done": 0, "failed": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    async def failed_links(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> list[FailedLink]:
        sql, args = self._failed_filter(reason, since)
        rows = await (
            await self.db.execute(f"SELECT * FROM links WHERE {sql} ORDER BY updated_at", args)
        ).fetchall()
        return [
            FailedLink(
                url=r["url"],
                source_id=r["source_id"],
                stage=r["stage"] or "",
                reason=r["reason"] or "",
                detail=r["detail"] or "",
                attempts=r["attempts"],
                failed_at=_when(r["updated_at"]),
            )
            for r in rows
        ]

    async def requeue_failed(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> int:
        sql, args = self._failed_filter(reason, since)
        async with self._lock:
            cur = await self.db.execute(
                f"UPDATE links SET status='pending', stage=NULL, reason=NULL, detail=NULL WHERE {sql}",
                args,
            )
            return cur.rowcount

    @staticmethod
    def _failed_filter(reason: str | None, since: datetime | None) -> tuple[str, list[object]]:
        sql, args = "status = 'failed'", list[object]()
        if reason:
            sql += " AND reason = ?"
            args.append(reason)
        if since:
            sql += " AND updated_at >= ?"
            args.append(since.timestamp())
        return sql, args

    # --- dedup -------------------------------------------------------------------------

    async def claim_fingerprint(
        self, fingerprint: int, article_id: str, url: str, now: datetime
    ) -> str | None:
        b = dedup.bands(fingerprint)
        async with self._immediate("claim fingerprint"):
            same = await (
                await self.db.execute(
                    "SELECT url FROM fingerprints WHERE article_id = ?", (article_id,)
                )
            ).fetchone()
            if same is not None:
                return None if same["url"] == url else article_id
            rows = await (
                await self.db.execute(
                    "SELECT article_id, fp FROM fingerprints"
                    " WHERE b0 = ? OR b1 = ? OR b2 = ? OR b3 = ?",
                    b,
                )
            ).fetchall()
            for r in rows:
                if dedup.distance(r["fp"] & ((1 << 64) - 1), fingerprint) <= dedup.MAX_DISTANCE:
                    return r["article_id"]
            await self.db.execute(
                "INSERT INTO fingerprints VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, _signed(fingerprint), url, *b, now.timestamp()),
            )
            return None

    async def add_alternate(self, article_id: str, url: str, now: datetime) -> None:
        async with self._lock:
            await self.db.execute(
                "INSERT OR IGNORE INTO alternates VALUES (?, ?, ?)",
                (article_id, url, now.timestamp()),
            )

    async def alternates(self, article_id: str) -> list[str]:
        rows = await (
            await self.db.execute(
                "SELECT url FROM alternates WHERE article_id = ? ORDER BY created_at", (article_id,)
            )
        ).fetchall()
        return [r[0] for r in rows]

    # --- politeness --------------------------------------------------------------------

    async def reserve_host_slot(self, host: str, now: datetime, min_delay: float) -> float:
        t, d = now.timestamp(), max(min_delay, 0.0)
        async with self._lock:
            rows = await self.db.execute_fetchall(
                "INSERT INTO hosts (host, next_at) VALUES (:h, :t + :d) ON CONFLICT(host)"
                " DO UPDATE SET next_at = MAX(next_at, :t) + :d RETURNING next_at - :d",
                {"h": host, "t": t, "d": d},
            )
        (next_at,) = next(iter(rows))
        return max(0.0, next_at - t)

    async def penalize_host(self, host: str, until: datetime) -> None:
        async with self._lock:
            await self.db.execute(
                "INSERT INTO hosts (host, next_at) VALUES (?, ?) ON CONFLICT(host)"
                " DO UPDATE SET next_at = MAX(next_at, excluded.next_at)",
                (host, until.timestamp()),
            )

    # --- stories -----------------------------------------------------------------------

    async def link_story(
        self,
        keys: list[str],
        decide: Callable[[list[StoryState]], StoryWrite],
        *,
        locks: list[str] | None = None,
    ) -> StoryWrite:
        # One connection under one lock: the whole read-decide-write is serialized, so the
        # per-key locks of PostgreSQL are not needed here.
        async with self._immediate("link story"):
            candidates = await self._open_stories(sorted(set(keys)))
            write = decide(candidates)
            if write.story is not None:
                await self._save_story(write.story, write.keys, write.absorbed)
        return write

    async def _open_stories(self, keys: list[str]) -> list[StoryState]:
        if not keys:
            return []
        # One capped index range per key (SQLite has no LATERAL join), then the stories that
        # most of the keys lead to.
        per_key = " UNION ALL ".join(
            "SELECT * FROM (SELECT story_id, filed_at FROM story_keys WHERE key = ?"
            " ORDER BY filed_at DESC LIMIT ?)"
            for _ in keys
        )
        rows = await self.db.execute_fetchall(
            "SELECT s.state FROM stories s JOIN (SELECT story_id, COUNT(*) AS hits,"
            f" MAX(filed_at) AS last FROM ({per_key}) GROUP BY story_id"
            " ORDER BY hits DESC, last DESC LIMIT ?) AS h USING (story_id)"
            " WHERE s.status = 'open' ORDER BY s.opened_at, s.story_id",
            [*(v for k in keys for v in (k, STORIES_PER_KEY)), STORY_CANDIDATES],
        )
        return [StoryState.model_validate_json(r[0]) for r in rows]

    async def _save_story(self, story: StoryState, keys: list[str], absorbed: list[str]) -> None:
        # Absorbed first: if one shared the kept story's id, the upsert below restores it.
        if absorbed:
            gone = [(sid,) for sid in absorbed]
            await self.db.executemany("DELETE FROM story_keys WHERE story_id = ?", gone)
            await self.db.executemany("DELETE FROM stories WHERE story_id = ?", gone)
        await self.db.execute(
            "INSERT INTO stories (story_id, state, status, updated_at, opened_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(story_id) DO UPDATE SET state = excluded.state,"
            " status = excluded.status, updated_at = excluded.updated_at,"
            " opened_at = excluded.opened_at",
            (
                story.story_id,
                story.model_dump_json(),
                story.status,
                story.updated_at.timestamp(),
                story.opened_at.timestamp(),
            ),
        )
        if story.status == "open":  # a closed story is out of the index
            # Only new keys are written: a story's keys only grow, and rows left as they are
            # keep a link's dirty pages few.
            await self.db.executemany(
                "INSERT OR IGNORE INTO story_keys (key, story_id, filed_at) VALUES (?, ?, ?)",
                [(k, story.story_id, story.updated_at.timestamp()) for k in sorted(set(keys))],
            )

    @contextlib.asynccontextmanager
    async def _immediate(self, what: str) -> AsyncIterator[None]:
        """One write transaction under the store's lock: committed, or rolled back with a
        database error raised as StateError (anything else, e.g. from `decide`, as it is)."""
        async with self._lock:
            try:
                # Inside the try: a cancelled await still runs the statement in aiosqlite's
                # thread, and a transaction left open would swallow every later write.
                await self.db.execute("BEGIN IMMEDIATE")
                yield
                await self.db.execute("COMMIT")
            except BaseException as exc:
                await self._rollback()
                if isinstance(exc, sqlite3.Error):
                    raise StateError(f"cannot {what}: {exc}") from exc
                raise

    async def _rollback(self) -> None:
        # Keep the first error; a failed rollback means the connection is gone anyway.
        with contextlib.suppress(sqlite3.Error, StateError):
            await self.db.execute("ROLLBACK")

    async def close_stories(self, before: datetime, limit: int) -> list[StoryState]:
        async with self._immediate("close stories"):
            rows = list(
                await self.db.execute_fetchall(
                    "SELECT state FROM stories WHERE status = 'closing' LIMIT ?", (limit,)
                )
            )
            rows += await self.db.execute_fetchall(
                "SELECT state FROM stories WHERE status = 'open' AND updated_at < ?"
                " ORDER BY updated_at, story_id LIMIT ?",
                (before.timestamp(), limit - len(rows)),
            )
            closed = [
                StoryState.model_validate_json(r[0]).model_copy(update={"status": "closed"})
                for r in rows
            ]
            await self.db.executemany(
                "UPDATE stories SET status = 'closing', state = ? WHERE story_id = ?",
                [(s.model_dump_json(), s.story_id) for s in closed],
            )
            await self.db.executemany(
                "DELETE FROM story_keys WHERE story_id = ?", [(s.story_id,) for s in closed]
            )
        return closed

    async def stories_closed(self, story_ids: list[str]) -> None:
        async with self._immediate("mark stories closed"):
            await self.db.executemany(
                "UPDATE stories SET status = 'closed' WHERE story_id = ? AND status = 'closing'",
                [(i,) for i in story_ids],
            )

    async def story_counts(self) -> dict[str, int]:
        rows = await self.db.execute_fetchall(
            "SELECT status, COUNT(*) FROM stories GROUP BY status"
        )
        counts = {"open": 0, "closing": 0, "closed": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts
