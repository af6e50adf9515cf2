"""Links that protect themselves: an hourly join limit per team, a pause on the code,
and a log of link joins that the rolling hour is counted from."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class InviteCode(Model):
        class Meta:
            database = db
            table_name = "invite_code"

    class LinkJoin(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        code = ForeignKeyField(InviteCode, on_delete="CASCADE")
        user_id = CharField()
        joined_at = DateTimeField()

        class Meta:
            database = db
            table_name = "link_join"
            indexes = ((("code", "joined_at"), False), (("team", "joined_at"), False))

    migrator.migrate(
        migrator.add_column("team", "link_joins_per_hour", IntegerField(default=25)),
        migrator.add_column("invite_code", "paused_at", DateTimeField(null=True)),
        migrator.add_column("invite_code", "counted_after", IntegerField(null=True)),
    )
    db.create_tables([LinkJoin])
