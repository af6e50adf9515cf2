"""The waitlist of a full root team."""

from datetime import datetime

from peewee import CharField, DateTimeField, ForeignKeyField

from storage.models import BaseModel, JoinRequest, Team
from storage.statuses import WaitlistStatus


class WaitlistEntry(BaseModel):
    """A person waiting for a seat on a full root team; the longest waiting goes first."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="waitlist", on_delete="CASCADE")
    user_id = CharField()
    joined_at = DateTimeField()
    status = CharField(default=WaitlistStatus.WAITING)
    ended_at = DateTimeField(null=True)
    # The join request a freed seat opened for them (approval link policy).
    request = ForeignKeyField(JoinRequest, null=True, on_delete="SET NULL")

    # Migration 0043 adds a partial unique index: waiting once per person per team.

    @classmethod
    def queue(cls, team: Team):
        """Who waits for a seat on `team`, longest waiting first."""
        return (
            cls.select()
            .where(cls.team == team, cls.status == WaitlistStatus.WAITING)
            .order_by(cls.joined_at, cls.id)
        )

    @classmethod
    def waiting(cls, team: Team, user_id: str):
        return cls.queue(team).where(cls.user_id == user_id).first()

    @classmethod
    def holding_a_seat(cls, team: Team, now: datetime):
        """Waiters whose freed seat sent a request that is still open: that seat is theirs
        until it is decided."""
        return (
            cls.select()
            .join(JoinRequest)
            .where(
                cls.team == team,
                cls.status == WaitlistStatus.REQUESTED,
                JoinRequest.is_open(now),
            )
        )
