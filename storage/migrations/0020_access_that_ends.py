"""Access that ends: when a membership ends, and the term an invitation grants."""

from peewee import *  # noqa: F403


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("membership", "ends_at", DateTimeField(null=True)),
        migrator.add_column("invitation", "access_days", IntegerField(null=True)),
        migrator.add_column("invitation", "access_until", DateTimeField(null=True)),
    )
    db.execute_sql("CREATE INDEX membership_ends_at ON membership (ends_at)")
