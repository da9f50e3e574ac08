"""PostgreSQL state store: the state a fleet of replicas shares.

Replicas coordinate only through the database's own tools, never a protocol of ours:
- feed and link claims lock rows with `FOR UPDATE SKIP LOCKED` and stamp a lease, so two
  replicas never get the same row and a dead replica's rows come back once its lease lapses;
- seen URLs and fingerprints are primary keys;
- fingerprint claims serialize on transaction-scoped advisory locks (see `claim_fingerprint`);
- a host's next polite start is one row, reserved by a single upsert;
- story links serialize on transaction-scoped advisory locks, one per blocking key (see
  `link_story`);
- migrations run under a session advisory lock, one transaction per `schema_version` entry.

Every database or connection failure is raised as a (retriable) StateError.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import asyncpg

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
from newsflow.state.migrations import POSTGRES as SCHEMA

# Advisory locks are per database, not per schema. Migrations take one constant key for every
# schema, because concurrent `CREATE SCHEMA IF NOT EXISTS` can itself fail on a unique index.
MIGRATION_LOCK = int.from_bytes(b"newsflow", "big")  # 0x6e657773666c6f77, a positive int8
COMMAND_TIMEOUT = 60.0  # seconds; a statement stuck longer is a StateError, not a hang
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_U64 = (1 << 64) - 1


def _signed(fp: int) -> int:
    # bigint is signed 64-bit.
    return fp - (1 << 64) if fp >= (1 << 63) else fp


def _hash31(text: str) -> int:
    # Stable across processes, unlike hash().
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") >> 1


def _fingerprint_locks(schema: str, fingerprint: int, article_id: str) -> list[int]:
    """Advisory-lock keys for one claim: one per (band index, band value), one for the article.

    The high 32 bits name the schema so two deployments in one database do not wait on each
    other; a hash collision only makes two claims wait, it never changes an answer.
    """
    ns = _hash31(schema) << 32
    keys = {ns | (i << 16) | band for i, band in enumerate(dedup.bands(fingerprint))}
    keys.add(ns | (1 << 31) | _hash31(article_id))
    return sorted(keys)


def _story_locks(schema: str, keys: list[str]) -> list[int]:
    """Advisory-lock keys for blocking keys: a signed 64-bit hash of schema and key, sorted.

    Sorted by the lock value itself, so even two keys that collide are taken in one order
    by everyone and two links never wait on each other in a cycle; a collision only makes
    two links take turns. The schema keeps deployments sharing a database apart.
    """
    out = set()
    for key in keys:
        digest = hashlib.blake2b(f"{schema}\0story\0{key}".encode(), digest_size=8).digest()
        out.add(int.from_bytes(digest, "big", signed=True))
    return sorted(out)


STORY_ATTEMPTS = 5  # reads of one link whose stories other links keep changing


class _StoryChanged(Exception):
    """A story a link read was changed by another link before this one could write it."""


def _count(status: str) -> int:
    # asyncpg returns the command tag, e.g. "UPDATE 3" or "INSERT 0 2".
    return int(status.rsplit(" ", 1)[-1])


class PostgresStore:
    """StateStore on PostgreSQL, safe to share between many replicas."""

    def __init__(self, dsn: str, *, schema: str = "newsflow", pool_size: int = 5) -> None:
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema must be a lower-case SQL identifier, got {schema!r}")
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.dsn = dsn
        self.schema = schema
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Connect and bring the schema up to date; StateError if either fails."""
        if self._pool is not None:
            return
        try:
            pool = await asyncpg.create_pool(
                self.dsn,
                min_size=1,
                max_size=self.pool_size,
                command_timeout=COMMAND_TIMEOUT,
                # Quoted, so even a reserved word works; UTC, so interval arithmetic never
                # meets a DST change.
                server_settings={
                    "search_path": f'"{self.schema}"',
                    "timezone": "UTC",
                    "application_name": "newsflow",
                },
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            # The DSN may carry a password: name the schema, not the DSN.
            raise StateError(
                f"cannot connect to the state database ({self.schema}): {exc}"
            ) from exc
        self._pool = pool
        try:
            await self._migrate()
        except BaseException:
            self._pool = None
            pool.terminate()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @asynccontextmanager
    async def _conn(self, action: str, *, tx: bool = False) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection (in a transaction if `tx`); database failures become StateError."""
        if self._pool is None:
            raise StateError("state store is not open")
        try:
            async with self._pool.acquire() as conn:
                if tx:
                    async with conn.transaction():
                        yield conn
                else:
                    yield conn
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            raise StateError(f"cannot {action}: {exc}") from exc

    async def _migrate(self) -> None:
        # A session lock around the whole check-and-apply: replicas starting together wait here,
        # then find the work done. A replica dying mid-way releases it with its session, and its
        # half-applied version rolls back with its transaction.
        async with self._conn("migrate the state schema") as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                )
                current = await conn.fetchval(
                    "SELECT coalesce(max(version), 0) FROM schema_version"
                )
                for version, ddl in enumerate(SCHEMA[current:], start=current + 1):
                    async with conn.transaction():
                        await conn.execute(ddl)
                        await conn.execute(
                            "INSERT INTO schema_version (version) VALUES ($1)", version
                        )
            finally:
                # If this fails the connection is broken (the lock ends with the session) or
                # the pool's reset runs pg_advisory_unlock_all; keep the first error.
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    # --- feeds -------------------------------------------------------------------------

    async def sync_sources(self, sources: list[tuple[str, str]], now: datetime) -> None:
        # Sorted and de-duplicated: replicas syncing together lock rows in the same order.
        rows = sorted(dict(sources).items())
        async with self._conn("sync sources") as conn:
            await conn.execute(
                "INSERT INTO feeds (source_id, url, next_poll_at)"
                " SELECT s, u, $3 FROM unnest($1::text[], $2::text[]) AS t(s, u) ORDER BY s"
                " ON CONFLICT (source_id) DO UPDATE SET url = excluded.url"
                " WHERE feeds.url IS DISTINCT FROM excluded.url",
                [s for s, _ in rows],
                [u for _, u in rows],
                now,
            )

    async def claim_due_feeds(
        self, now: datetime, limit: int, lease_seconds: float, owner: str, *, force: bool = False
    ) -> list[FeedState]:
        due = "true" if force else "(next_poll_at IS NULL OR next_poll_at <= $1)"
        async with self._conn("claim feeds") as conn:
            rows = await conn.fetch(
                f"WITH due AS (SELECT source_id FROM feeds"
                f"   WHERE {due} AND (lease_until IS NULL OR lease_until <= $1)"
                f"   ORDER BY next_poll_at NULLS FIRST, source_id LIMIT $2 FOR UPDATE SKIP LOCKED)"
                f" UPDATE feeds f SET lease_owner = $3, lease_until = $4"
                f" FROM due WHERE f.source_id = due.source_id RETURNING f.*",
                now,
                limit,
                owner,
                now + timedelta(seconds=lease_seconds),
            )
        rows.sort(key=lambda r: (r["next_poll_at"] is not None, r["next_poll_at"], r["source_id"]))
        return [self._feed(r) for r in rows]

    async def save_feed(self, state: FeedState) -> None:
        async with self._conn("save feed") as conn:
            await conn.execute(
                "UPDATE feeds SET etag=$1, last_modified=$2, next_poll_at=$3, interval=$4,"
                " error_streak=$5, last_status=$6, last_error=$7, last_polled_at=$8,"
                " last_success_at=$9, first_polled=$10, lease_owner=NULL, lease_until=NULL"
                " WHERE source_id=$11",
                state.etag,
                state.last_modified,
                state.next_poll_at,
                state.interval,
                state.error_streak,
                state.last_status,
                state.last_error,
                state.last_polled_at,
                state.last_success_at,
                state.first_polled,
                state.source_id,
            )

    async def feed_states(self) -> list[FeedState]:
        async with self._conn("read feeds") as conn:
            rows = await conn.fetch("SELECT * FROM feeds ORDER BY source_id")
        return [self._feed(r) for r in rows]

    @staticmethod
    def _feed(r: asyncpg.Record) -> FeedState:
        return FeedState(
            source_id=r["source_id"],
            url=r["url"],
            etag=r["etag"],
            last_modified=r["last_modified"],
            next_poll_at=r["next_poll_at"],
            interval=r["interval"],
            error_streak=r["error_streak"],
            last_status=r["last_status"],
            last_error=r["last_error"],
            last_polled_at=r["last_polled_at"],
            last_success_at=r["last_success_at"],
            first_polled=r["first_polled"],
        )

    # --- frontier ----------------------------------------------------------------------

    async def add_links(self, items: list[SourceItem], now: datetime) -> int:
        first: dict[str, SourceItem] = {}
        for item in items:
            first.setdefault(item.url, item)
        # Sorted: two replicas inserting overlapping batches take key locks in the same order.
        batch = sorted(first.values(), key=lambda i: i.url)
        async with self._conn("add links") as conn:
            status = await conn.execute(
                "INSERT INTO links (url, source_id, item, status, discovered_at, updated_at)"
                " SELECT u, s, i::jsonb, 'pending', $4, $4"
                " FROM unnest($1::text[], $2::text[], $3::text[]) AS t(u, s, i) ORDER BY u"
                " ON CONFLICT (url) DO NOTHING",
                [i.url for i in batch],
                [i.source_id for i in batch],
                [i.model_dump_json() for i in batch],
                now,
            )
        return _count(status)

    async def claim_links(
        self, now: datetime, limit: int, lease_seconds: float, owner: str
    ) -> list[Link]:
        # Expired in-flight rows are claimable too: a dead replica's links move to a live one
        # within one lease, with no restart and no recover_expired sweep.
        async with self._conn("claim links") as conn:
            rows = await conn.fetch(
                "WITH c AS (SELECT url FROM links"
                "   WHERE status = 'pending' OR (status = 'in_flight'"
                "     AND (lease_until IS NULL OR lease_until <= $1))"
                "   ORDER BY discovered_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)"
                " UPDATE links l SET status = 'in_flight', attempts = l.attempts + 1,"
                "   lease_owner = $3, lease_until = $4, updated_at = $1"
                " FROM c WHERE l.url = c.url"
                " RETURNING l.url, l.item, l.attempts, l.discovered_at, l.seq",
                now,
                limit,
                owner,
                now + timedelta(seconds=lease_seconds),
            )
        rows.sort(key=lambda r: (r["discovered_at"], r["seq"]))
        return [
            Link(
                url=r["url"],
                item=SourceItem.model_validate_json(r["item"]),
                status="in_flight",
                attempts=r["attempts"],
                discovered_at=r["discovered_at"],
            )
            for r in rows
        ]

    async def mark_done(
        self, url: str, now: datetime, article_id: str | None, *, owner: str
    ) -> bool:
        async with self._conn("mark link done") as conn:
            done = await conn.execute(
                "UPDATE links SET status='done', article_id=$1, updated_at=$2, lease_owner=NULL,"
                " lease_until=NULL WHERE url=$3 AND status='in_flight' AND lease_owner=$4",
                article_id,
                now,
                url,
                owner,
            )
            return done == "UPDATE 1"

    async def mark_failed(
        self, url: str, now: datetime, *, owner: str, stage: str, reason: str, detail: str
    ) -> bool:
        async with self._conn("mark link failed") as conn:
            done = await conn.execute(
                "UPDATE links SET status='failed', stage=$1, reason=$2, detail=$3, updated_at=$4,"
                " lease_owner=NULL, lease_until=NULL"
                " WHERE url=$5 AND status='in_flight' AND lease_owner=$6",
                stage,
                reason,
                detail[:2000],
                now,
                url,
                owner,
            )
            return done == "UPDATE 1"

    async def release_links(self, urls: list[str]) -> None:
        async with self._conn("release links") as conn:
            await conn.execute(
                "UPDATE links SET status='pending', attempts=GREATEST(attempts-1, 0),"
                " lease_owner=NULL, lease_until=NULL WHERE url = ANY($1::text[])"
                " AND status='in_flight'",
                urls,
            )

    async def extend_leases(self, owner: str, now: datetime, lease_seconds: float) -> None:
        async with self._conn("extend leases") as conn:
            await conn.execute(
                "UPDATE links SET lease_until=$1 WHERE lease_owner=$2 AND status='in_flight'",
                now + timedelta(seconds=lease_seconds),
                owner,
            )

    async def recover_expired(self, now: datetime) -> int:
        async with self._conn("recover expired leases", tx=True) as conn:
            status = await conn.execute(
                "UPDATE links SET status='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE status='in_flight' AND (lease_until IS NULL OR lease_until <= $1)",
                now,
            )
            await conn.execute(
                "UPDATE feeds SET lease_owner=NULL, lease_until=NULL WHERE lease_until <= $1", now
            )
        return _count(status)

    async def recover_on_start(self, now: datetime) -> int:
        """Only lapsed leases: unlike a SQLite file, the database is shared, and an in-flight
        link may belong to a live replica. A crashed one's links return within one lease."""
        return await self.recover_expired(now)

    async def link_counts(self) -> dict[str, int]:
        async with self._conn("count links") as conn:
            rows = await conn.fetch("SELECT status, count(*) FROM links GROUP BY status")
        counts = {"pending": 0, "in_flight": 0, "done": 0, "failed": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    async def failed_links(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> list[FailedLink]:
        sql, args = self._failed_filter(reason, since)
        async with self._conn("list failed links") as conn:
            rows = await conn.fetch(
                f"SELECT * FROM links WHERE {sql} ORDER BY updated_at, seq", *args
            )
        return [
            FailedLink(
                url=r["url"],
                source_id=r["source_id"],
                stage=r["stage"] or "",
                reason=r["reason"] or "",
                detail=r["detail"] or "",
                attempts=r["attempts"],
                failed_at=r["updated_at"],
            )
            for r in rows
        ]

    async def requeue_failed(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> int:
        sql, args = self._failed_filter(reason, since)
        async with self._conn("requeue failed links") as conn:
            status = await conn.execute(
                f"UPDATE links SET status='pending', stage=NULL, reason=NULL, detail=NULL"
                f" WHERE {sql}",
                *args,
            )
        return _count(status)

    @staticmethod
    def _failed_filter(reason: str | None, since: datetime | None) -> tuple[str, list[object]]:
        sql, args = "status = 'failed'", list[object]()
        if reason:
            args.append(reason)
            sql += f" AND reason = ${len(args)}"
        if since:
            args.append(since)
            sql += f" AND updated_at >= ${len(args)}"
        return sql, args

    # --- dedup -------------------------------------------------------------------------

    async def claim_fingerprint(
        self, fingerprint: int, article_id: str, url: str, now: datetime
    ) -> str | None:
        # Two near-duplicates agree on at least one band (see dedup), so locking every
        # (band index, value) pair before the check-then-insert makes racing copies queue
        # behind each other; the loser's next statement sees the winner's committed row
        # (READ COMMITTED takes a fresh snapshot per statement). Keys are sorted, so two
        # claims never wait on each other in a cycle, and the locks go with the transaction.
        # Chosen over SERIALIZABLE because it never aborts, so callers need no retry loop.
        # The article-id key covers two replicas retrying the same link at once.
        b = dedup.bands(fingerprint)
        keys = _fingerprint_locks(self.schema, fingerprint, article_id)
        async with self._conn("claim fingerprint", tx=True) as conn:
            # unnest yields the sorted keys in order, and each row is locked as it is read.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", keys
            )
            same = await conn.fetchval(
                "SELECT url FROM fingerprints WHERE article_id = $1", article_id
            )
            if same is not None:
                return None if same == url else article_id
            rows = await conn.fetch(
                "SELECT article_id, fp FROM fingerprints"
                " WHERE b0 = $1 OR b1 = $2 OR b2 = $3 OR b3 = $4 ORDER BY created_at, article_id",
                *b,
            )
            for r in rows:
                if dedup.distance(r["fp"] & _U64, fingerprint) <= dedup.MAX_DISTANCE:
                    return r["article_id"]
            await conn.execute(
                "INSERT INTO fingerprints VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                article_id,
                _signed(fingerprint),
                url,
                *b,
                now,
            )
            return None

    async def add_alternate(self, article_id: str, url: str, now: datetime) -> None:
        async with self._conn("add alternate") as conn:
            await conn.execute(
                "INSERT INTO alternates VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                article_id,
                url,
                now,
            )

    async def alternates(self, article_id: str) -> list[str]:
        async with self._conn("read alternates") as conn:
            rows = await conn.fetch(
                "SELECT url FROM alternates WHERE article_id = $1 ORDER BY created_at, url",
                article_id,
            )
        return [r[0] for r in rows]

    # --- politeness --------------------------------------------------------------------

    async def reserve_host_slot(self, host: str, now: datetime, min_delay: float) -> float:
        # One statement, so the row lock orders racing replicas: each takes the slot at
        # max(next_at, now) and moves next_at one delay past it. RETURNING sees the new row;
        # subtracting the delay gives back this caller's start.
        async with self._conn("reserve host slot") as conn:
            start = await conn.fetchval(
                "INSERT INTO hosts AS h (host, next_at)"
                " VALUES ($1, $2::timestamptz + make_interval(secs => $3::float8))"
                " ON CONFLICT (host) DO UPDATE"
                " SET next_at = GREATEST(h.next_at, $2::timestamptz)"
                "   + make_interval(secs => $3::float8)"
                " RETURNING h.next_at - make_interval(secs => $3::float8)",
                host,
                now,
                max(min_delay, 0.0),
            )
        return max(0.0, (start - now).total_seconds())

    async def penalize_host(self, host: str, until: datetime) -> None:
        async with self._conn("penalize host") as conn:
            await conn.execute(
                "INSERT INTO hosts AS h (host, next_at) VALUES ($1, $2)"
                " ON CONFLICT (host) DO UPDATE SET next_at = GREATEST(h.next_at, excluded.next_at)",
                host,
                until,
            )

    # --- stories -----------------------------------------------------------------------

    async def link_story(
        self,
        keys: list[str],
        decide: Callable[[list[StoryState]], StoryWrite],
        *,
        locks: list[str] | None = None,
    ) -> StoryWrite:
        # Two reports of one happening share their lookup keys, so the advisory locks make the
        # second wait until the first commits; READ COMMITTED then shows it the first one's
        # story. A story is also filed under keys this link did not lock, so another link can
        # change it meanwhile: the rows to write are checked unchanged before writing, and a
        # changed one means reading and deciding again (decide is pure). Locking only those
        # rows, not every candidate, saves ~2 ms a link at 100,000 open stories (the bench).
        keys = sorted(set(keys))
        for _ in range(STORY_ATTEMPTS):
            try:
                return await self._link_once(keys, sorted(set(locks or keys)), decide)
            except _StoryChanged:
                continue
        raise StateError(f"cannot link story: its stories changed {STORY_ATTEMPTS} times")

    async def _link_once(
        self, keys: list[str], locks: list[str], decide: Callable[[list[StoryState]], StoryWrite]
    ) -> StoryWrite:
        async with self._conn("link story", tx=True) as conn:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k",
                _story_locks(self.schema, locks),
            )
            rows = await conn.fetch(
                "SELECT s.story_id, s.xmin::text, s.state FROM stories s JOIN ("
                " SELECT r.story_id, count(*) AS hits, max(r.filed_at) AS last"
                " FROM unnest($1::text[]) AS q(key) CROSS JOIN LATERAL"
                " (SELECT story_id, filed_at FROM story_keys k WHERE k.key = q.key"
                "  ORDER BY k.filed_at DESC LIMIT $2) AS r"
                " GROUP BY r.story_id ORDER BY hits DESC, last DESC LIMIT $3) AS h"
                " USING (story_id) WHERE s.status = 'open' ORDER BY s.opened_at, s.story_id",
                keys,
                STORIES_PER_KEY,
                STORY_CANDIDATES,
            )
            write = decide([StoryState.model_validate_json(r[2]) for r in rows])
            if write.story is None:
                return write  # an exception from decide rolls the transaction back
            read = {r[0]: r[1] for r in rows}
            touched = sorted(read.keys() & {write.story.story_id, *write.absorbed})
            if touched:
                # xmin is the row version: a changed, closed or deleted row no longer matches.
                now = await conn.fetch(
                    "SELECT story_id, xmin::text FROM stories WHERE story_id = ANY($1::text[])"
                    " AND status = 'open' ORDER BY story_id FOR UPDATE",
                    touched,
                )
                if {r[0]: r[1] for r in now} != {sid: read[sid] for sid in touched}:
                    raise _StoryChanged
            await self._save_story(conn, write.story, write.keys, write.absorbed)
        return write

    @staticmethod
    async def _save_story(
        conn: asyncpg.Connection, story: StoryState, keys: list[str], absorbed: list[str]
    ) -> None:
        # Absorbed first: if one shared the kept story's id, the upsert below restores it.
        if absorbed:
            await conn.execute("DELETE FROM story_keys WHERE story_id = ANY($1::text[])", absorbed)
            await conn.execute("DELETE FROM stories WHERE story_id = ANY($1::text[])", absorbed)
        # One statement, one round trip: the story row and its new keys (a story's keys only
        # grow, migrations version 2; a closed story is out of the index).
        await conn.execute(
            "WITH saved AS (INSERT INTO stories (story_id, state, status, updated_at, opened_at)"
            " VALUES ($1, $2::jsonb, $3, $4, $5) ON CONFLICT (story_id) DO UPDATE"
            " SET state = excluded.state, status = excluded.status,"
            " updated_at = excluded.updated_at, opened_at = excluded.opened_at"
            " RETURNING story_id)"
            " INSERT INTO story_keys (key, story_id, filed_at)"
            " SELECT k, $1, $4 FROM unnest($6::text[]) AS k WHERE $3 = 'open'"
            " ON CONFLICT DO NOTHING",
            story.story_id,
            story.model_dump_json(),
            story.status,
            story.updated_at,
            story.opened_at,
            sorted(set(keys)),
        )

    async def close_stories(self, before: datetime, limit: int) -> list[StoryState]:
        # SKIP LOCKED: a story being linked right now is not idle; the next sweep sees it.
        async with self._conn("close stories", tx=True) as conn:
            rows = await conn.fetch(
                "SELECT state FROM stories WHERE status = 'closing' LIMIT $1"
                " FOR UPDATE SKIP LOCKED",
                limit,
            )
            rows += await conn.fetch(
                "SELECT state FROM stories WHERE status = 'open' AND updated_at < $1"
                " ORDER BY updated_at, story_id LIMIT $2 FOR UPDATE SKIP LOCKED",
                before,
                limit - len(rows),
            )
            closed = [
                StoryState.model_validate_json(r[0]).model_copy(update={"status": "closed"})
                for r in rows
            ]
            ids = [s.story_id for s in closed]
            await conn.execute(
                "UPDATE stories AS s SET status = 'closing', state = t.state::jsonb"
                " FROM unnest($1::text[], $2::text[]) AS t(id, state) WHERE s.story_id = t.id",
                ids,
                [s.model_dump_json() for s in closed],
            )
            await conn.execute("DELETE FROM story_keys WHERE story_id = ANY($1::text[])", ids)
        return closed

    async def stories_closed(self, story_ids: list[str]) -> None:
        async with self._conn("mark stories closed") as conn:
            await conn.execute(
                "UPDATE stories SET status = 'closed'"
                " WHERE story_id = ANY($1::text[]) AND status = 'closing'",
                story_ids,
            )

    async def story_counts(self) -> dict[str, int]:
        async with self._conn("count stories") as conn:
            rows = await conn.fetch("SELECT status, count(*) FROM stories GROUP BY status")
        counts = {"open": 0, "closing": 0, "closed": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts
