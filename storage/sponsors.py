"""Sponsor review: when a member leaves, the members they brought in, to keep or remove."""

from peewee import CharField, DateTimeField, ForeignKeyField

from storage.models import BaseModel, Team


class SponsorReview(BaseModel):
    """A member left a team: the members they had brought in, for its admins to keep or
    remove. One per departure (`departure` names the membership that ended)."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="sponsor_reviews", on_delete="CASCADE")
    departed_user_id = CharField()
    departure = CharField(unique=True)
    how = CharField()  # removed | left_workspace | access_ended
    removed_by = CharField(null=True)
    created_at = DateTimeField()


class SponsoredMember(BaseModel):
    """One row of a sponsor review: keep or remove this member; the first click decides."""

    workspace_id = CharField()
    review = ForeignKeyField(SponsorReview, backref="rows", on_delete="CASCADE")
    user_id = CharField()
    decision = CharField(null=True)  # keep | remove; None: waiting
    decided_by = CharField(null=True)
    decided_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("review", "user_id"), True),)
