"""Durable state: feed state, the link frontier and fingerprints (SQLite or PostgreSQL)."""
