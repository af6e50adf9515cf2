"""What Lobby itself added people to, so removal takes away only that."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class SyncGrant(Model):
        workspace_id = CharField()
        user_id = CharField()
        kind = CharField()
        resource_id = CharField()
        granted_at = DateTimeField()

        class Meta:
            database = db
            table_name = "sync_grant"
            indexes = ((("workspace_id", "user_id", "kind", "resource_id"), True),)

    db.create_tables([SyncGrant])
