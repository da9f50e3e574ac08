"""Versioned schema migrations of both state backends; version N is entry N-1.

Append a new entry for every change; never edit an applied one. Both backends record
applied versions in a `schema_version` table and apply the rest at start.
"""

SQLITE = [
    # version 1
    """
    CREATE TABLE feeds (
        source_id TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
        next_poll_at REAL, interval REAL, error_streak INTEGER NOT NULL DEFAULT 0,
        last_status TEXT, last_error TEXT, last_polled_at REAL, last_success_at REAL,
        first_polled INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until REAL
    );
    CREATE TABLE links (
        url TEXT PRIMARY KEY, source_id TEXT NOT NULL, item TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        discovered_at REAL NOT NULL, updated_at REAL NOT NULL,
        lease_owner TEXT, lease_until REAL, article_id TEXT,
        stage TEXT, reason TEXT, detail TEXT
    );
    CREATE INDEX links_status ON links(status, discovered_at);
    CREATE TABLE fingerprints (
        article_id TEXT PRIMARY KEY, fp INTEGER NOT NULL, url TEXT NOT NULL,
        b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL, b3 INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX fp_b0 ON fingerprints(b0);
    CREATE INDEX fp_b1 ON fingerprints(b1);
    CREATE INDEX fp_b2 ON fingerprints(b2);
    CREATE INDEX fp_b3 ON fingerprints(b3);
    CREATE TABLE alternates (
        article_id TEXT NOT NULL, url TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (article_id, url)
    );
    """,
    # version 2: each host's next polite start, shared by every worker of the deployment
    """
    CREATE TABLE hosts (host TEXT PRIMARY KEY, next_at REAL NOT NULL);
    """,
    # version 3: story resolution. Open stories are filed under their blocking keys; a closed
    # one keeps its row (status closed) but leaves story_keys, so lookups stay small.
    """
    CREATE TABLE stories (
        story_id TEXT PRIMARY KEY, state TEXT NOT NULL, status TEXT NOT NULL,
        updated_at REAL NOT NULL, opened_at REAL NOT NULL
    );
    CREATE INDEX stories_open ON stories(updated_at) WHERE status = 'open';
    CREATE TABLE story_keys (
        key TEXT NOT NULL, story_id TEXT NOT NULL, filed_at REAL NOT NULL,
        PRIMARY KEY (key, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_keys_recent ON story_keys(key, filed_at);
    CREATE INDEX story_keys_story ON story_keys(story_id);
    """,
    # version 4: closing is two steps, so a crash between closing a story and publishing it
    # closed leaves it 'closing', and the next sweep publishes it again.
    """
    CREATE INDEX stories_closing ON stories(story_id) WHERE status = 'closing';
    """,
]


POSTGRES = [
    # version 1: the SQLite tables with native types, plus the fleet-wide host slots.
    """
    CREATE TABLE feeds (
        source_id text PRIMARY KEY, url text NOT NULL, etag text, last_modified text,
        next_poll_at timestamptz, interval double precision,
        error_streak integer NOT NULL DEFAULT 0, last_status text, last_error text,
        last_polled_at timestamptz, last_success_at timestamptz,
        first_polled boolean NOT NULL DEFAULT false, lease_owner text, lease_until timestamptz
    );
    CREATE TABLE links (
        url text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,  -- FIFO tie-break within one discovery time
        source_id text NOT NULL, item jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'in_flight', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        discovered_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
        lease_owner text, lease_until timestamptz, article_id text,
        stage text, reason text, detail text
    );
    -- Claims walk this in FIFO order; in-flight rows in it are few (the fleet's concurrency).
    CREATE INDEX links_claimable ON links (discovered_at, seq)
        WHERE status IN ('pending', 'in_flight');
    CREATE INDEX links_status ON links (status, updated_at);
    CREATE INDEX links_lease_owner ON links (lease_owner) WHERE status = 'in_flight';
    CREATE TABLE fingerprints (
        article_id text PRIMARY KEY, fp bigint NOT NULL, url text NOT NULL,
        b0 integer NOT NULL, b1 integer NOT NULL, b2 integer NOT NULL, b3 integer NOT NULL,
        created_at timestamptz NOT NULL
    );
    CREATE INDEX fp_b0 ON fingerprints (b0);
    CREATE INDEX fp_b1 ON fingerprints (b1);
    CREATE INDEX fp_b2 ON fingerprints (b2);
    CREATE INDEX fp_b3 ON fingerprints (b3);
    CREATE TABLE alternates (
        article_id text NOT NULL, url text NOT NULL, created_at timestamptz NOT NULL,
        PRIMARY KEY (article_id, url)
    );
    CREATE TABLE hosts (host text PRIMARY KEY, next_at timestamptz NOT NULL);
    """,
    # version 2: story resolution, as SQLite version 3.
    """
    CREATE TABLE stories (
        story_id text PRIMARY KEY, state jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        updated_at timestamptz NOT NULL, opened_at timestamptz NOT NULL
    );
    -- Closing walks open stories oldest first; closed ones pile up outside this index.
    CREATE INDEX stories_open ON stories (updated_at) WHERE status = 'open';
    -- filed_at: when the story was first filed under the key. A crowded key is read latest
    -- filed first, from the index; rows are only added, never rewritten, so a link dirties
    -- few pages (rewriting every key's time cost ~2 ms a link in SQLite's WAL, make bench).
    CREATE TABLE story_keys (
        key text NOT NULL, story_id text NOT NULL, filed_at timestamptz NOT NULL,
        PRIMARY KEY (key, story_id)
    );
    CREATE INDEX story_keys_recent ON story_keys (key, filed_at DESC);
    CREATE INDEX story_keys_story ON story_keys (story_id);
    """,
    # version 3: as SQLite version 4.
    """
    ALTER TABLE stories DROP CONSTRAINT stories_status_check;
    ALTER TABLE stories ADD CONSTRAINT stories_status_check
        CHECK (status IN ('open', 'closing', 'closed'));
    CREATE INDEX stories_closing ON stories (story_id) WHERE status = 'closing';
    """,
]
