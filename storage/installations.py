"""Where each workspace's installation of the distributable app is kept, the OAuth
states of flows under way, and the workspaces that uninstalled the app.

The installation's tokens arrive here already encrypted (`secrets`); storage never
holds a token in the clear and knows nothing of Slack's shapes beyond plain text.
"""

from datetime import datetime

from peewee import CharField, DateTimeField, PostgresqlDatabase, TextField

from storage.db import db
from storage.models import BaseModel


class Installation(BaseModel):
    """One row per workspace (or Enterprise Grid org): the latest install wins."""

    enterprise_key = CharField()  # the enterprise id, "" outside Enterprise Grid
    team_key = CharField()  # the team id, "" for an org-wide install
    installed_at = DateTimeField()
    details = TextField()  # JSON: ids, names, scopes, expiry; nothing secret
    secrets = TextField()  # encrypted JSON: the tokens and refresh tokens

    class Meta:
        table_name = "slack_installation"
        indexes = ((("enterprise_key", "team_key"), True),)

    @classmethod
    def of(cls, enterprise_key: str, team_key: str):
        return cls.get_or_none(cls.enterprise_key == enterprise_key, cls.team_key == team_key)

    @classmethod
    def put(cls, enterprise_key: str, team_key: str, **values) -> None:
        """Insert, or replace the workspace's row (a re-install, a rotated token)."""
        with db.atomic():
            (
                cls.insert(enterprise_key=enterprise_key, team_key=team_key, **values)
                .on_conflict(
                    conflict_target=[cls.enterprise_key, cls.team_key],
                    update=values,
                )
                .execute()
            )

    @classmethod
    def lock(cls, enterprise_key: str, team_key: str) -> None:
        """Hold the workspace's row until the caller's transaction ends (a token renewal
        happens once). On SQLite the transaction's BEGIN IMMEDIATE already holds the lock."""
        if isinstance(db.obj, PostgresqlDatabase):
            mine = cls.select(cls.id).where(
                cls.enterprise_key == enterprise_key, cls.team_key == team_key
            )
            mine.for_update().execute()

    @classmethod
    def remove(cls, enterprise_key: str, team_key: str) -> int:
        return (
            cls.delete()
            .where(cls.enterprise_key == enterprise_key, cls.team_key == team_key)
            .execute()
        )


class OAuthState(BaseModel):
    """The `state` of an OAuth flow under way: any instance may finish it, once."""

    state = CharField(primary_key=True)
    expires_at = DateTimeField()

    class Meta:
        table_name = "oauth_state"

    @classmethod
    def consume(cls, state: str, now: datetime) -> bool:
        """True once for a state issued and not expired; it is gone afterwards."""
        with db.atomic():
            taken = cls.delete().where(cls.state == state, cls.expires_at > now).execute()
            cls.delete().where(cls.expires_at <= now).execute()  # expired ones: swept
        return taken == 1


class Departure(BaseModel):
    """A workspace that uninstalled the app; its data goes once retention has passed."""

    workspace_id = CharField(primary_key=True)
    uninstalled_at = DateTimeField()

    class Meta:
        table_name = "workspace_departure"

    @classmethod
    def due(cls, cutoff: datetime):
        return cls.select().where(cls.uninstalled_at <= cutoff)

    @classmethod
    def still_here(cls, workspace_column):
        """The condition "this row's workspace has not uninstalled the app", for the jobs:
        they leave a departed workspace's rows as they are until it installs it again."""
        return workspace_column.not_in(cls.select(cls.workspace_id))

    @classmethod
    def among(cls, workspace_ids) -> set[str]:
        """Which of these workspaces uninstalled the app."""
        found = cls.select(cls.workspace_id).where(cls.workspace_id.in_(set(workspace_ids)))
        return {row.workspace_id for row in found}
