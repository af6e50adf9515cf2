"""Reading the outbox in tests."""

import json

from storage.models import Notice


def payloads(kind: str) -> list[dict]:
    """The recorded notices of one kind, oldest first, as their payloads."""
    query = Notice.select().where(Notice.kind == kind).order_by(Notice.id)
    return [json.loads(notice.payload) for notice in query]
