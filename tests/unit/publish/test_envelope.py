"""CloudEvents headers name the replica that sent a message, without changing its id."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.errors import Reason
from newsflow.models import DeadLetter, Stage
from newsflow.publish import envelope

T = datetime(2025, 1, 1, tzinfo=UTC)


def _dead() -> DeadLetter:
    return DeadLetter(
        dead_letter_id="d1", url="https://x.test/a", source_id="s", stage=Stage.FETCH,
        reason=Reason.NOT_FOUND, detail="404", retriable=False, attempts=1, failed_at=T,
    )  # fmt: skip


def test_replica_header_names_the_sender_and_leaves_ce_id_alone():
    """newsflow-replica carries the sender; ce_id is the same whoever sends the message."""
    _, _, a = envelope.encode(_dead(), source="/newsflow", time=T, replica="host-1-ab")
    _, _, b = envelope.encode(_dead(), source="/newsflow", time=T, replica="host-2-cd")
    assert dict(a)["newsflow-replica"] == b"host-1-ab"
    assert dict(a)["ce_id"] == dict(b)["ce_id"]
