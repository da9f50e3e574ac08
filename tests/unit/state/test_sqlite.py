"""SQLite-only state behaviour; what both backends share is in tests/integration/test_state_contract.py."""

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
