"""Invite codes, resend generations, and users checked for email invitations."""

import secrets
from datetime import UTC, datetime

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class InviteCode(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        code = CharField(unique=True)
        created_at = DateTimeField()
        retired_at = DateTimeField(null=True)
        max_uses = IntegerField(null=True)
        uses = IntegerField(default=0)
        expires_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "invite_code"

    class KnownUser(Model):
        workspace_id = CharField()
        user_id = CharField()
        email = CharField(null=True)
        checked_at = DateTimeField()

        class Meta:
            database = db
            table_name = "known_user"
            indexes = ((("workspace_id", "user_id"), True),)

    db.create_tables([InviteCode, KnownUser])
    migrator.migrate(
        migrator.add_column("invitation", "generation", IntegerField(default=1)),
        migrator.add_column("invitation", "last_sent_at", DateTimeField(null=True)),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    for team_id, workspace_id in db.execute_sql(
        "SELECT id, workspace_id FROM team WHERE parent_id IS NULL"
    ).fetchall():
        InviteCode.create(
            workspace_id=workspace_id, team=team_id, code=secrets.token_urlsafe(16), created_at=now
        )
