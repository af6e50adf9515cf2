"""Peewee models. Every row carries the Slack workspace id it belongs to.

Times are naive UTC datetimes written from the service's clock, never from a
database default, so that tests and several instances agree on "now".
"""

from datetime import datetime, timedelta

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from storage.db import db
from storage.statuses import InvitationStatus, NoticeStatus, RequestStatus


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Team(BaseModel):
    workspace_id = CharField()
    name = CharField(max_length=32)
    name_key = CharField(max_length=32)
    description = TextField()
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
    created_at = DateTimeField()
    created_by = CharField()
    # Settings, written from bot.team_settings.TeamSettings at creation.
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
    link_joins_per_hour = IntegerField(default=25)  # 0: no limit
    link_domains = TextField(null=True)  # comma-separated email domains; NULL: any
    note_required = BooleanField(default=False)  # join and role requests must carry a note
    # Whether the join cards were last rendered for a full team (no Join button).
    cards_show_full = BooleanField(default=False)

    class Meta:
        indexes = ((("workspace_id", "name_key"), True),)

    @classmethod
    def in_workspace(cls, workspace_id: str):
        return cls.select().where(cls.workspace_id == workspace_id).order_by(cls.name_key)

    @classmethod
    def named(cls, workspace_id: str, name: str):
        return cls.get_or_none(cls.workspace_id == workspace_id, cls.name_key == name.lower())


class Membership(BaseModel):
    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="memberships", on_delete="CASCADE")
    user_id = CharField()
    joined_at = DateTimeField()
    joined_via = CharField()
    added_by = CharField(null=True)
    # When access ends (naive UTC); None: permanent. Migration 0020 indexes it.
    ends_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("team", "user_id"), True), (("workspace_id", "user_id"), False))

    @classmethod
    def find(cls, team: Team, user_id: str):
        return cls.get_or_none(cls.team == team, cls.user_id == user_id)

    # "Ending": access for a time whose end is due; the scheduler removes these.
    @classmethod
    def is_ending(cls, now: datetime):
        return cls.ends_at.is_null(False) & (cls.ends_at <= now)

    @classmethod
    def ending_within(cls, now: datetime, within: timedelta):
        """Time-bound members whose access ends in the next `within` (not yet due)."""
        return cls.select().where(
            cls.ends_at.is_null(False), cls.ends_at > now, cls.ends_at <= now + within
        )

    # "Brought in by": the inviter of an accepted invitation, the approver of a request.
    # A link join has no personal sponsor, and a team's creator brought in only themselves.
    SPONSORED_PATHS = ("invitation", "request")

    @classmethod
    def brought_in_by(cls, team: Team, sponsor: str):
        """The members of `team` (a root team) whom `sponsor` brought in, oldest first."""
        return (
            cls.select()
            .where(
                cls.team == team,
                cls.added_by == sponsor,
                cls.joined_via.in_(cls.SPONSORED_PATHS),
                cls.user_id != sponsor,
            )
            .order_by(cls.joined_at, cls.id)
        )


class MemberRole(BaseModel):
    workspace_id = CharField()
    membership = ForeignKeyField(Membership, backref="role_rows", on_delete="CASCADE")
    role = CharField()

    class Meta:
        indexes = ((("membership", "role"), True),)


class CustomRole(BaseModel):
    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="custom_roles", on_delete="CASCADE")
    name = CharField()
    permissions = TextField()  # comma-separated permission names
    created_at = DateTimeField()

    class Meta:
        indexes = ((("team", "name"), True),)


class LinkedResource(BaseModel):
    """A Slack channel or user group whose membership follows a team's."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="linked_resources", on_delete="CASCADE")
    kind = CharField()  # "channel" | "usergroup"
    resource_id = CharField()
    name = CharField()
    is_private = BooleanField(default=False)
    linked_at = DateTimeField()

    class Meta:
        indexes = ((("team", "kind", "resource_id"), True),)


class Invitation(BaseModel):
    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="invitations", on_delete="CASCADE")
    invitee_user_id = CharField(null=True)
    invitee_email = CharField(null=True)
    inviter_user_id = CharField()
    roles = TextField()  # comma-separated role names
    message = TextField(null=True)
    status = CharField(default=InvitationStatus.PENDING)
    token_hash = CharField(unique=True)
    created_at = DateTimeField()
    expires_at = DateTimeField()
    decided_at = DateTimeField(null=True)
    # Resend bumps the generation: buttons of older DMs carry an older one and die.
    generation = IntegerField(default=1)
    last_sent_at = DateTimeField(null=True)
    # Access for a time, counted from joining: a number of days, or an end (UTC). Both None:
    # permanent.
    access_days = IntegerField(null=True)
    access_until = DateTimeField(null=True)

    # Migration 0001 adds partial unique indexes: one pending invitation per
    # person (user id or email) per team, even when two admins race.

    # "Live": pending and not yet expired. Expiry is read from the stored time, so an
    # invitation is expired the moment it is due, whether or not the sweep has run.
    @classmethod
    def is_live(cls, now: datetime):
        return (cls.status == InvitationStatus.PENDING) & (cls.expires_at > now)

    @classmethod
    def live(cls, now: datetime):
        return cls.select().where(cls.is_live(now))

    @classmethod
    def is_due(cls, now: datetime):
        """Still marked pending, but past its time: what the expiry sweep moves."""
        return (cls.status == InvitationStatus.PENDING) & (cls.expires_at <= now)

    def status_at(self, now: datetime) -> InvitationStatus:
        """The status as of `now`: a due invitation is expired even before the sweep."""
        if self.status == InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus(self.status)

    @property
    def role_names(self) -> list[str]:
        return self.roles.split(",")


class InviteCode(BaseModel):
    """A root team's shareable invite code. Reset retires it and makes a new one."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="invite_codes", on_delete="CASCADE")
    code = CharField(unique=True)  # kept readable: admins may see it again
    created_at = DateTimeField()
    retired_at = DateTimeField(null=True)
    max_uses = IntegerField(null=True)
    uses = IntegerField(default=0)
    expires_at = DateTimeField(null=True)
    # The hourly join limit paused it; joins by code and card wait for an admin.
    paused_at = DateTimeField(null=True)
    # Resumed: only link joins with a larger id count (ids grow under the team's lock).
    counted_after = IntegerField(null=True)

    @classmethod
    def current(cls, team: Team):
        return cls.get_or_none(cls.team == team, cls.retired_at.is_null())

    # "Usable": not reset, under its maximum uses, not past its expiry.
    @classmethod
    def is_usable(cls, now: datetime):
        return (
            cls.retired_at.is_null()
            & (cls.max_uses.is_null() | (cls.uses < cls.max_uses))
            & (cls.expires_at.is_null() | (cls.expires_at > now))
        )

    def usable_at(self, now: datetime) -> bool:
        return (
            self.retired_at is None
            and (self.max_uses is None or self.uses < self.max_uses)
            and (self.expires_at is None or self.expires_at > now)
        )


class LinkJoin(BaseModel):
    """Someone joined by a team's link (code or card): the hourly limit counts these."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="link_joins", on_delete="CASCADE")
    code = ForeignKeyField(InviteCode, backref="joins", on_delete="CASCADE")
    user_id = CharField()
    joined_at = DateTimeField()

    class Meta:
        indexes = ((("code", "joined_at"), False), (("team", "joined_at"), False))

    @classmethod
    def within_hour(cls, code: InviteCode, now: datetime) -> int:
        """Joins with `code` in the rolling hour before `now`, after it was last resumed."""
        counted = (cls.code == code.id) & (cls.joined_at > now - timedelta(hours=1))
        if code.counted_after is not None:
            counted &= cls.id > code.counted_after
        return cls.select().where(counted).count()


class OpenUntilDecided:
    """What every kind of request shares: "open" is pending and not yet expired, read from
    the stored time like invitations, so a due request is expired before the sweep runs."""

    @classmethod
    def is_open(cls, now: datetime):
        return (cls.status == RequestStatus.PENDING) & (cls.expires_at > now)

    @classmethod
    def open(cls, now: datetime):
        return cls.select().where(cls.is_open(now))

    @classmethod
    def is_due(cls, now: datetime):
        return (cls.status == RequestStatus.PENDING) & (cls.expires_at <= now)

    def status_at(self, now: datetime) -> RequestStatus:
        if self.status == RequestStatus.PENDING and self.expires_at <= now:
            return RequestStatus.EXPIRED
        return RequestStatus(self.status)


class JoinRequest(OpenUntilDecided, BaseModel):
    """A teammate asking to join a team; the first approver's decision wins."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="join_requests", on_delete="CASCADE")
    requester_user_id = CharField()
    note = TextField(null=True)
    status = CharField(default=RequestStatus.PENDING)
    created_at = DateTimeField()
    expires_at = DateTimeField()
    decided_at = DateTimeField(null=True)
    decided_by = CharField(null=True)
    granted_roles = TextField(null=True)
    deny_reason = TextField(null=True)

    # Migration 0003 adds a partial unique index: one pending request per person per team.

    @property
    def granted_role_names(self) -> list[str]:
        return self.granted_roles.split(",") if self.granted_roles else []


class RoleRequest(OpenUntilDecided, BaseModel):
    """A member asking for another role; the first decision of someone who may grant it wins."""

    workspace_id = CharField()
    team = ForeignKeyField(Team, backref="role_requests", on_delete="CASCADE")
    requester_user_id = CharField()
    role = CharField()
    note = TextField(null=True)
    status = CharField(default=RequestStatus.PENDING)
    created_at = DateTimeField()
    expires_at = DateTimeField()
    decided_at = DateTimeField(null=True)
    decided_by = CharField(null=True)

    # Migration 0041 adds a partial unique index: one pending role request per person per team.


class KnownUser(BaseModel):
    """A Slack user whose email Lobby has checked against waiting email invitations."""

    workspace_id = CharField()
    user_id = CharField()
    email = CharField(null=True)
    checked_at = DateTimeField()

    class Meta:
        indexes = ((("workspace_id", "user_id"), True),)


class PostedMessage(BaseModel):
    """Where a message about a subject (e.g. "invitation:12") was posted, to update it later."""

    workspace_id = CharField()
    subject = CharField()
    channel = CharField()
    ts = CharField()
    posted_at = DateTimeField()

    class Meta:
        indexes = ((("subject",), False), (("subject", "channel", "ts"), True))


class Notice(BaseModel):
    """Outbox: something to say or do in Slack, stored with the change that caused it."""

    workspace_id = CharField()
    kind = CharField()
    payload = TextField()  # JSON
    dedupe_key = CharField(null=True, unique=True)
    created_at = DateTimeField()
    status = CharField(default=NoticeStatus.PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField()
    claimed_at = DateTimeField(null=True)
    claimed_by = CharField(null=True)  # the instance delivering it
    sent_at = DateTimeField(null=True)
    last_error = TextField(null=True)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


class SyncGrant(BaseModel):
    """Lobby added this person to this channel or user group: only such access is taken
    away again on removal (joins people make by hand are left alone)."""

    workspace_id = CharField()
    user_id = CharField()
    kind = CharField()  # channel | usergroup
    resource_id = CharField()
    granted_at = DateTimeField()

    class Meta:
        indexes = ((("workspace_id", "user_id", "kind", "resource_id"), True),)


class AuditEntry(BaseModel):
    workspace_id = CharField()
    team = ForeignKeyField(Team, null=True, backref="audit_entries", on_delete="SET NULL")
    team_name = CharField(null=True)
    actor_user_id = CharField(null=True)
    action = CharField()
    target = CharField(null=True)
    details = TextField()  # JSON
    created_at = DateTimeField()

    class Meta:
        indexes = ((("workspace_id", "created_at"), False),)


# Models kept in modules of their own, named here too: every model with a workspace_id is
# found in this module by the uninstall purge (bot/workspaces.py).
from storage.sponsors import SponsoredMember, SponsorReview  # noqa: E402, F401
from storage.waitlist import WaitlistEntry  # noqa: E402, F401
