"""Which instance claimed a notice, and Events API deliveries already handled."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class ProcessedEvent(Model):
        workspace_id = CharField()
        event_id = CharField(unique=True)
        received_at = DateTimeField()

        class Meta:
            database = db
            table_name = "processed_event"

    db.create_tables([ProcessedEvent])
    migrator.migrate(migrator.add_column("notice", "claimed_by", CharField(null=True)))
