"""Workspaces that uninstall the app: nothing more is sent to one at once, and its data
is deleted once the retention has passed, unless it installs the app again before."""

import json
from datetime import datetime, timedelta

from peewee import sort_models

from bot.outbox.claims import UNINSTALLED
from storage import models
from storage.db import db
from storage.installations import Departure
from storage.models import AuditEntry, Notice
from storage.statuses import NoticeStatus

WORKSPACE_MODELS = [
    model
    for model in vars(models).values()
    if isinstance(model, type)
    and issubclass(model, models.BaseModel)
    and "workspace_id" in (model._meta.fields)
]


def depart(workspace_id: str, now: datetime) -> int:
    """The app was uninstalled (or its bot token revoked): pending notices are dropped and
    audited, and the clock of its data's deletion starts. Returns the notices dropped."""
    with db.atomic():
        dropped = (
            Notice.update(status=NoticeStatus.FAILED, last_error=UNINSTALLED)
            .where(
                Notice.workspace_id == workspace_id,
                Notice.status.in_([NoticeStatus.PENDING, NoticeStatus.SENDING]),
            )
            .execute()
        )
        _audit(workspace_id, "app_uninstalled", {"notices_dropped": dropped}, now)
        Departure.insert(
            workspace_id=workspace_id, uninstalled_at=now
        ).on_conflict_ignore().execute()
    return dropped


def come_back(workspace_id: str, now: datetime) -> bool:
    """Installed again: its data, if not yet deleted, is its own again. True if it was kept."""
    with db.atomic():
        kept = Departure.delete().where(Departure.workspace_id == workspace_id).execute()
        if kept:
            _audit(workspace_id, "app_reinstalled", {}, now)
    return bool(kept)


def purge_departed(now: datetime, retention: timedelta) -> list[str]:
    """Delete every row of each workspace that left more than `retention` ago."""
    purged = []
    for departure in list(Departure.due(now - retention)):
        with db.atomic():
            for model in reversed(sort_models(WORKSPACE_MODELS)):  # rows that refer first
                model.delete().where(model.workspace_id == departure.workspace_id).execute()
            departure.delete_instance()
        purged.append(departure.workspace_id)
    return purged


def _audit(workspace_id: str, action: str, details: dict, now: datetime) -> None:
    AuditEntry.create(
        workspace_id=workspace_id, action=action, details=json.dumps(details), created_at=now
    )
