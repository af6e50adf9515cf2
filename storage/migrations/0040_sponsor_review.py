"""Sponsor review: when a member leaves, the members they brought in, each to keep or
remove by a click. Who brought each member in is Membership.added_by (since 0001)."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = "team"

    class SponsorReview(Model):
        workspace_id = CharField()
        team = ForeignKeyField(Team, on_delete="CASCADE")
        departed_user_id = CharField()
        departure = CharField(unique=True)
        how = CharField()
        removed_by = CharField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "sponsor_review"

    class SponsoredMember(Model):
        workspace_id = CharField()
        review = ForeignKeyField(SponsorReview, on_delete="CASCADE")
        user_id = CharField()
        decision = CharField(null=True)
        decided_by = CharField(null=True)
        decided_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "sponsored_member"
            indexes = ((("review", "user_id"), True),)

    db.create_tables([SponsorReview, SponsoredMember])
    db.execute_sql("CREATE INDEX membership_team_added_by ON membership (team_id, added_by)")
