"""Domain errors. Each carries the facts a message needs; handlers word them."""

from dataclasses import dataclass
from datetime import datetime


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
class ResourceNotFound(LobbyError):
    kind: str  # channel | usergroup
    reference: str


@dataclass
class UserGroupsUnavailable(LobbyError):
    pass


@dataclass
class NothingToLink(LobbyError):
    pass
