"""Reading the outbox in tests."""

import json

from storage.models import Notice
from storage.statuses import NoticeStatus


def unsettled_count() -> int:
    """Notices not yet sent nor given up on."""
    unsettled = [NoticeStatus.PENDING, NoticeStatus.SENDING]
    return Notice.select().where(Notice.status.in_(unsettled)).count()


def payloads(kind: str) -> list[dict]:
    """The recorded notices of one kind, oldest first, as their payloads."""
    query = Notice.select().where(Notice.kind == kind).order_by(Notice.id)
    return [json.loads(notice.payload) for notice in query]
