"""Join requests, one pending per person per team."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class JoinRequest(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        requester_user_id = CharField()
        note = TextField(null=True)
        status = CharField(default="pending")
        created_at = DateTimeField()
        expires_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = CharField(null=True)
        granted_roles = TextField(null=True)
        deny_reason = TextField(null=True)

        class Meta:
            database = db
            table_name = "join_request"

    db.create_tables([JoinRequest])
    db.execute_sql(
        "CREATE UNIQUE INDEX join_request_pending ON join_request (team_id, requester_user_id)"
        " WHERE status = 'pending'"
    )
    db.execute_sql("CREATE INDEX join_request_status_expires ON join_request (status, expires_at)")
