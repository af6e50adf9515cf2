"""Remember whether join cards were last rendered for a full team."""

from peewee import *  # noqa: F403


def up(migrator, db):
    migrator.migrate(migrator.add_column("team", "cards_show_full", BooleanField(default=False)))
