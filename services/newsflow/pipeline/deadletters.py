"""Turning failures into DeadLetter messages."""

from __future__ import annotations

import hashlib

from newsflow.errors import NewsflowError, Reason
from newsflow.models import DeadLetter, Stage, utcnow


def dead_letter(
    *,
    url: str,
    source_id: str | None,
    stage: Stage,
    reason: Reason,
    detail: str,
    retriable: bool,
    attempts: int,
    article_id: str | None = None,
) -> DeadLetter:
    key = f"{url}\0{stage}\0{reason}\0{attempts}"
    return DeadLetter(
        dead_letter_id=hashlib.sha256(key.encode()).hexdigest()[:32],
        url=url,
        source_id=source_id,
        stage=stage,
        reason=reason,
        detail=detail[:2000],
        retriable=retriable,
        attempts=max(1, attempts),
        failed_at=utcnow(),
        article_id=article_id,
    )


def from_error(
    exc: NewsflowError, *, url: str, source_id: str | None, stage: Stage, attempts: int
) -> DeadLetter:
    return dead_letter(
        url=url,
        source_id=source_id,
        stage=stage,
        reason=exc.reason,
        detail=str(exc),
        retriable=exc.retriable,
        attempts=attempts,
    )
