"""An index for the daily invite limit: invitations by team, inviter and time."""


def up(migrator, db):
    db.execute_sql(
        "CREATE INDEX invitation_team_inviter_created"
        " ON invitation (team_id, inviter_user_id, created_at)"
    )
