"""Adapts the state store's shared host slots to the fetcher's FleetClock."""

from __future__ import annotations

from datetime import timedelta

from newsflow.models import utcnow
from newsflow.state.base import StateStore


class StoreFleetClock:
    """Per-host pacing for all replicas, kept in PostgreSQL (one upsert per request)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def reserve(self, host: str, delay: float) -> float:
        return await self.store.reserve_host_slot(host, utcnow(), delay)

    async def penalize(self, host: str, seconds: float) -> None:
        await self.store.penalize_host(host, utcnow() + timedelta(seconds=seconds))
