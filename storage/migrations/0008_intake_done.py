"""The done mark of each intake item, written in the same transaction as its effects."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class IntakeDone(Model):
        key = CharField(primary_key=True)
        done_at = DateTimeField()

        class Meta:
            database = db
            table_name = "intake_done"

    db.create_tables([IntakeDone])
