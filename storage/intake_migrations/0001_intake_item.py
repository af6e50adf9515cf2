"""The intake: every request Lobby acknowledged, until a worker has run it."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class IntakeItem(Model):
        key = CharField(unique=True)
        handler = CharField()
        payload = TextField()
        workspace_id = CharField()
        queue_key = CharField()
        received_at = DateTimeField()
        status = CharField()
        attempts = IntegerField(default=0)
        not_before = DateTimeField()
        claimed_by = CharField(null=True)
        lease_until = DateTimeField(null=True)
        last_error = TextField(null=True)

        class Meta:
            database = db
            table_name = "intake_item"
            indexes = ((("status", "id"), False), (("queue_key", "status", "id"), False))

    db.create_tables([IntakeItem])
