"""Domain errors. Each carries the facts a message needs; handlers word them."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LobbyError(Exception):
    """Base of every refusal the service makes on purpose."""


@dataclass
class NotAllowed(LobbyError):
    action: str
    team: str | None = None


@dataclass
class NotWorkspaceAdmin(LobbyError):
    pass


@dataclass
class TeamNotFound(LobbyError):
    name: str
    known: list[str]


@dataclass
class TeamRequired(LobbyError):
    known: list[str]


@dataclass
class NoTeamsYet(LobbyError):
    pass


@dataclass
class InvalidTeamName(LobbyError):
    name: str
    reason: str


@dataclass
class TeamNameTaken(LobbyError):
    name: str


@dataclass
class NotARootTeam(LobbyError):
    team: str
    root: str


@dataclass
class UnknownRole(LobbyError):
    role: str
    known: list[str]


@dataclass
class CannotGrantRole(LobbyError):
    role: str


@dataclass
class TooManyTargets(LobbyError):
    count: int
    limit: int


@dataclass
class NoTargets(LobbyError):
    pass


@dataclass
class InvitationNotFound(LobbyError):
    pass


@dataclass
class NotYourInvitation(LobbyError):
    invitee: str


@dataclass
class InvitationClosed(LobbyError):
    """Accepting or declining an invitation that is no longer pending."""

    status: str  # accepted | declined | expired | cancelled
    at: datetime
    team: str
    inviter_user_id: str


@dataclass
class InvitationReplaced(LobbyError):
    """A button of an invitation DM that a resend has replaced."""

    team: str


@dataclass
class DailyInviteLimitReached(LobbyError):
    limit: int
    remaining: int
    requested: int
    next_at: datetime | None  # when one more invitation becomes possible


@dataclass
class InvitationNotResendable(LobbyError):
    status: str


class CodeProblem(StrEnum):
    UNKNOWN = "unknown"
    RESET = "reset"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass
class CodeRefused(LobbyError):
    """An invite code that cannot be used, and why."""

    reason: CodeProblem
    team: str | None = None
    ask: str | None = None  # a user to ask for a new code


@dataclass
class LinkJoinsDisabled(LobbyError):
    team: str
    ask: str | None


@dataclass
class LinkPaused(LobbyError):
    """The team's hourly join limit paused its link: joins by code or card wait for an admin."""

    team: str
    ask: str | None


@dataclass
class InvalidDomain(LobbyError):
    domain: str


@dataclass
class LinkNotPaused(LobbyError):
    team: str


@dataclass
class AlreadyMember(LobbyError):
    team: str


@dataclass
class BotNotInChannel(LobbyError):
    pass


@dataclass
class RequestPending(LobbyError):
    team: str
    since: datetime


@dataclass
class RequestCooldown(LobbyError):
    team: str
    until: datetime


@dataclass
class RequestNotFound(LobbyError):
    pass


@dataclass
class RequestAlreadyDecided(LobbyError):
    """A click on a stale copy of a request: says who decided."""

    status: str  # approved | denied | expired | cancelled
    decided_by: str | None
    at: datetime | None
    roles: list[str]


@dataclass
class NoSeatsLeft(LobbyError):
    team: str
    used: int
    limit: int
    requested: int
    free: int
    owners: list[str]  # who can add seats
    waitlist_team_id: int | None = None  # a link join: the person may join this waitlist


@dataclass
class UnknownPerson(LobbyError):
    """A plain @name that carries no Slack ID."""

    name: str


@dataclass
class NotAMember(LobbyError):
    user: str
    team: str


@dataclass
class LastOwner(LobbyError):
    team: str


@dataclass
class InvalidRoleName(LobbyError):
    name: str
    reason: str


@dataclass
class UnknownPermission(LobbyError):
    permission: str
    known: list[str]


@dataclass
class RoleInUse(LobbyError):
    role: str
    holders: int


@dataclass
class RoleExists(LobbyError):
    role: str


@dataclass
class InvalidSetting(LobbyError):
    field: str
    reason: str


@dataclass
class ResourceNotFound(LobbyError):
    kind: str  # channel | usergroup
    reference: str


@dataclass
class UserGroupsUnavailable(LobbyError):
    pass


@dataclass
class NothingToLink(LobbyError):
    pass


@dataclass
class InvalidAccessEnd(LobbyError):
    """`for N days` / `until DATE` out of range: the word used and the form expected."""

    word: str
    expected: str


@dataclass
class OwnerNotForATime(LobbyError):
    team: str


@dataclass
class AccessAlreadyChanged(LobbyError):
    """A button for an end that has since changed (another admin clicked first)."""

    user: str
    team: str
    ends_at: datetime | None


@dataclass
class NoteRequired(LobbyError):
    """The team's `note_required` setting is on and the request came without a note."""

    team: str
    role: str | None = None  # the role asked for; None: a join request
    setting: str = "note_required"


@dataclass
class RoleAlreadyHeld(LobbyError):
    role: str
    team: str


@dataclass
class OwnerNotRequestable(LobbyError):
    """Only Owners grant Owner, by handing ownership over; nobody asks for it."""

    team: str


@dataclass
class RoleRequestPending(LobbyError):
    team: str
    role: str
    since: datetime


@dataclass
class AlreadyWaiting(LobbyError):
    team: str
    position: int
    since: datetime


@dataclass
class SponsorReviewGone(LobbyError):
    """A Keep / Remove button of a review that no longer exists (its team was deleted)."""


@dataclass
class SponsorRowDecided(LobbyError):
    """A Keep / Remove button of a row another click already decided."""

    user: str
    team: str
    decision: str  # keep | remove
    by: str


@dataclass
class NotWaiting(LobbyError):
    team: str


@dataclass
class SeatsAvailable(LobbyError):
    """Joining the waitlist of a team with a free seat: join with the link instead."""

    team: str


@dataclass
class InvitationWaiting(LobbyError):
    """They hold a pending invitation to the team: accept it instead of waiting."""

    team: str


@dataclass
class OutsideLinkDomains(LobbyError):
    """The waitlist leads to a link join, which the team's email domains keep them from."""

    team: str


@dataclass
class TeamDeleted(LobbyError):
    """A button of a team that has since been deleted."""
