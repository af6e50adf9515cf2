"""Link joins limited to email domains: a team's domains, comma-separated (NULL: any)."""

from peewee import *  # noqa: F403


def up(migrator, db):
    migrator.migrate(migrator.add_column("team", "link_domains", TextField(null=True)))
