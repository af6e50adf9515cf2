"""Role requests: a member asks for another role, one pending per person per team."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class RoleRequest(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        requester_user_id = CharField()
        role = CharField()
        note = TextField(null=True)
        status = CharField(default="pending")
        created_at = DateTimeField()
        expires_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = CharField(null=True)

        class Meta:
            database = db
            table_name = "role_request"

    db.create_tables([RoleRequest])
    db.execute_sql(
        "CREATE UNIQUE INDEX role_request_pending ON role_request (team_id, requester_user_id)"
        " WHERE status = 'pending'"
    )
    db.execute_sql("CREATE INDEX role_request_status_expires ON role_request (status, expires_at)")
