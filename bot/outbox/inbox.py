"""Incoming Slack events are handled once, however often Slack delivers them."""

from datetime import datetime

from peewee import IntegrityError

from storage.db import db
from storage.models import ProcessedEvent


def first_delivery(workspace_id: str, event_id: str, now: datetime) -> bool:
    """Record the event; False when it was already handled (Slack retried it)."""
    try:
        with db.atomic():
            ProcessedEvent.create(workspace_id=workspace_id, event_id=event_id, received_at=now)
    except IntegrityError:
        return False
    return True
