"""Notes on requests: a team may require a note on join and role requests."""

from peewee import *  # noqa: F403


def up(migrator, db):
    migrator.migrate(migrator.add_column("team", "note_required", BooleanField(default=False)))
