"""Durable state: feed state, the link frontier and fingerprints (SQLite or PostgreSQL)."""

from newsflow.state.base import FailedLink, FeedState, Link, StateStore


def open_store(settings) -> StateStore:
    """The configured backend: PostgreSQL when a DSN is set, else SQLite under state_dir."""
    if settings.state_dsn is not None:
        from newsflow.state.postgres import PostgresStore

        return PostgresStore(settings.state_dsn.get_secret_value(), schema=settings.state_schema)
    from newsflow.state.sqlite import SqliteStore

    return SqliteStore(settings.state_dir / "newsflow.db")


def discard_state(state_dir) -> None:
    """Delete the SQLite state under state_dir (the embedded broker's runs start afresh)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (state_dir / f"newsflow.db{suffix}").unlink(missing_ok=True)


__all__ = ["FailedLink", "FeedState", "Link", "StateStore", "discard_state", "open_store"]
