"""Initial schema (generated from a schema diff, partial indexes added by hand)."""

from peewee import *  # noqa: F403

PENDING_INVITATION_INDEXES = (
    "CREATE UNIQUE INDEX invitation_pending_user ON invitation (team_id, invitee_user_id)"
    " WHERE status = 'pending' AND invitee_user_id IS NOT NULL",
    "CREATE UNIQUE INDEX invitation_pending_email ON invitation (team_id, invitee_email)"
    " WHERE status = 'pending' AND invitee_email IS NOT NULL",
    "CREATE INDEX invitation_status_expires_at ON invitation (status, expires_at)",
)


def up(migrator, db):
    class Team(Model):
        workspace_id = CharField()
        name = CharField(max_length=32)
        name_key = CharField(max_length=32)
        description = TextField()
        parent = ForeignKeyField("self", null=True, on_delete="CASCADE")
        created_at = DateTimeField()
        created_by = CharField()
        invite_policy = CharField()
        link_policy = CharField()
        invitation_expiry_days = IntegerField()
        request_expiry_days = IntegerField()
        request_cooldown_days = IntegerField()
        default_role = CharField()
        daily_invite_limit = IntegerField()
        notification_channel = CharField(null=True)
        digest_enabled = BooleanField()
        plan = CharField()
        custom_seat_limit = IntegerField(null=True)

        class Meta:
            database = db
            table_name = "team"
            indexes = ((("workspace_id", "name_key"), True),)

    db.create_tables([Team])

    class AuditEntry(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        team_name = CharField(null=True)
        actor_user_id = CharField(null=True)
        action = CharField()
        target = CharField(null=True)
        details = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "audit_entry"
            indexes = ((("workspace_id", "created_at"), False),)

    db.create_tables([AuditEntry])

    class CustomRole(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        name = CharField()
        permissions = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "custom_role"
            indexes = ((("team", "name"), True),)

    db.create_tables([CustomRole])

    class Invitation(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        invitee_user_id = CharField(null=True)
        invitee_email = CharField(null=True)
        inviter_user_id = CharField()
        roles = TextField()
        message = TextField(null=True)
        status = CharField(default="pending")
        token_hash = CharField(unique=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        decided_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "invitation"

    db.create_tables([Invitation])
    for statement in PENDING_INVITATION_INDEXES:
        db.execute_sql(statement)

    class LinkedResource(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        kind = CharField()
        resource_id = CharField()
        name = CharField()
        is_private = BooleanField(default=False)
        linked_at = DateTimeField()

        class Meta:
            database = db
            table_name = "linked_resource"
            indexes = ((("team", "kind", "resource_id"), True),)

    db.create_tables([LinkedResource])

    class Membership(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        user_id = CharField()
        joined_at = DateTimeField()
        joined_via = CharField()
        added_by = CharField(null=True)

        class Meta:
            database = db
            table_name = "membership"
            indexes = ((("team", "user_id"), True), (("workspace_id", "user_id"), False))

    db.create_tables([Membership])

    class MemberRole(Model):
        workspace_id = CharField()
        membership = ForeignKeyField(Membership, on_delete="CASCADE")
        role = CharField()

        class Meta:
            database = db
            table_name = "member_role"
            indexes = ((("membership", "role"), True),)

    db.create_tables([MemberRole])

    class Notice(Model):
        workspace_id = CharField()
        kind = CharField()
        payload = TextField()
        dedupe_key = CharField(unique=True, null=True)
        created_at = DateTimeField()
        status = CharField(default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        last_error = TextField(null=True)

        class Meta:
            database = db
            table_name = "notice"
            indexes = ((("status", "next_attempt_at"), False),)

    db.create_tables([Notice])

    class PostedMessage(Model):
        workspace_id = CharField()
        subject = CharField()
        channel = CharField()
        ts = CharField()
        posted_at = DateTimeField()

        class Meta:
            database = db
            table_name = "posted_message"
            indexes = ((("subject",), False), (("subject", "channel", "ts"), True))

    db.create_tables([PostedMessage])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("posted_message"))
    migrator.migrate(migrator.drop_table("notice"))
    migrator.migrate(migrator.drop_table("member_role"))
    migrator.migrate(migrator.drop_table("membership"))
    migrator.migrate(migrator.drop_table("linked_resource"))
    migrator.migrate(migrator.drop_table("invitation"))
    migrator.migrate(migrator.drop_table("custom_role"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("team"))
