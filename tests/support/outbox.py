"""Reading the outbox in tests."""

import json
import threading

from storage.db import db
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


def drain_at_once(workers) -> list[Exception]:
    """Let the outbox workers deliver everything due at the same moment, each in its own
    thread and connection; returns what any of them raised."""
    start = threading.Barrier(len(workers))
    failures = []

    def deliver(each):
        try:
            with db.connection_context():
                start.wait()
                while each.deliver_due():
                    pass
        except Exception as error:  # noqa: BLE001 - returned to the test
            failures.append(error)

    threads = [threading.Thread(target=deliver, args=(each,)) for each in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return failures
