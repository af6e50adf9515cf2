"""The waitlist: people waiting for a seat on a full team, one waiting entry per person."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class JoinRequest(Model):
        class Meta:
            database = db
            table_name = "join_request"

    class WaitlistEntry(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        user_id = CharField()
        joined_at = DateTimeField()
        status = CharField(default="waiting")
        ended_at = DateTimeField(null=True)
        request = ForeignKeyField(JoinRequest, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "waitlist_entry"

    db.create_tables([WaitlistEntry])
    db.execute_sql(
        "CREATE UNIQUE INDEX waitlist_entry_waiting ON waitlist_entry (team_id, user_id)"
        " WHERE status = 'waiting'"
    )
    db.execute_sql(
        "CREATE INDEX waitlist_entry_queue ON waitlist_entry (team_id, status, joined_at)"
    )
