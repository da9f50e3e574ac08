"""SQLite-only state behaviour; what both backends share is in tests/integration/test_state_contract.py."""

import asyncio
from datetime import UTC, datetime

import pytest

from newsflow.models import SourceItem
from newsflow.state.sqlite import SqliteStore

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path):
    s = SqliteStore(tmp_path / "state.db")
    await s.open()
    yield s
    await s.close()


def items(*urls):
    return [SourceItem(source_id="s", url=u, title=u) for u in urls]


async def test_start_recovers_every_in_flight_link(store):
    """On start, links left in flight by a killed daemon are pending again, lease or not."""
    await store.add_links(items("a", "b"), T0)
    await store.claim_links(T0, 2, 300, "killed")
    assert await store.recover_on_start(T0) == 2
    assert len(await store.claim_links(T0, 5, 60, "new")) == 2


async def test_a_claim_cancelled_mid_transaction_leaves_no_transaction_open(tmp_path, store):
    """Shutdown cancels the dispatcher, possibly inside claim_links. Left open, that
    transaction swallowed every later write, and closing the store rolled them all back
    (seen in CI as 66 links still in flight after a clean SIGTERM)."""
    await store.add_links(items(*(f"u{i}" for i in range(200))), T0)
    for ticks in range(1, 30):  # cancel at successive points of the claim
        task = asyncio.ensure_future(store.claim_links(T0, 200, 300, "run"))
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert not store.db.in_transaction, f"cancelled after {ticks} ticks"
    await store.release_links([f"u{i}" for i in range(200)])
    await store.close()
    reopened = SqliteStore(tmp_path / "state.db")
    await reopened.open()
    try:
        assert len(await reopened.claim_links(T0, 500, 300, "next")) == 200
    finally:
        await reopened.close()
