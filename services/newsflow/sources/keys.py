"""The identity of a discovered entry, for "have we seen this before?"."""

from __future__ import annotations

import hashlib
from datetime import datetime

from newsflow.models import SourceItem


def entry_key(
    *,
    guid: str | None = None,
    url: str | None = None,
    title: str | None = None,
    published_at: datetime | None = None,
) -> str:
    """GUID, else link, else title + date; prefixed so the three kinds never collide.

    Long values are hashed so keys stay short enough to index.
    """
    if guid and guid.strip():
        kind, value = "guid", guid.strip()
    elif url and url.strip():
        kind, value = "url", url.strip()
    else:
        stamp = published_at.isoformat() if published_at else ""
        kind, value = "title", f"{(title or '').strip()}|{stamp}"
    if len(value) > 200:
        value = hashlib.sha256(value.encode()).hexdigest()
    return f"{kind}:{value}"


def item_key(item: SourceItem) -> str:
    """entry_key for a SourceItem."""
    return entry_key(guid=item.guid, url=item.url, title=item.title, published_at=item.published_at)
