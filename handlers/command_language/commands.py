"""The commands the language produces: small frozen dataclasses, one per command."""

from dataclasses import dataclass

from bot.teams.access_term import AccessTerm
from bot.teams.service import ChannelRef, UserGroupRef
from bot.vocabulary import InvitationStatus


class Command:
    """Base of every parsed command."""

    __slots__ = ()


_frozen = dataclass(frozen=True)


@_frozen
class UserTarget:
    user_id: str | None  # from a mention or a raw U…/W… id
    name: str | None  # from a plain @alice, or the label of a mention


@_frozen
class EmailTarget:
    address: str


Target = UserTarget | EmailTarget


@_frozen
class SeatLimit:
    """Exactly one is set: a plan word (starter, …, unlimited) or a number of seats."""

    plan: str | None = None
    seats: int | None = None


@_frozen
class OpenInviteModal(Command): ...


@_frozen
class Help(Command): ...


@_frozen
class ListTeams(Command): ...


@_frozen
class Members(Command):
    team: str | None = None


@_frozen
class Invite(Command):
    targets: tuple[Target, ...]
    team: str | None = None
    roles: tuple[str, ...] = ()
    message: str | None = None
    term: AccessTerm | None = None  # `for N days` / `until DATE`; None: permanent


@_frozen
class ListInvitations(Command):
    team: str | None = None
    status: str = InvitationStatus.PENDING


@_frozen
class ShowLink(Command):
    team: str | None = None


@_frozen
class ResetLink(Command):
    team: str | None = None


@_frozen
class ResumeLink(Command):
    team: str | None = None


@_frozen
class LinkDomains(Command):
    team: str | None = None
    domains: tuple[str, ...] | None = None  # None: any


@_frozen
class LimitLink(Command):
    team: str | None = None
    max_uses: int | None = None
    expires_days: int | None = None
    never_expires: bool = False


@_frozen
class PostCard(Command):
    team: str | None = None


@_frozen
class JoinWithCode(Command):
    code: str


@_frozen
class RequestToJoin(Command):
    text: str  # "[TEAM] [note…]", resolved later against the real team names


@_frozen
class RequestRole(Command):
    role: str
    team: str | None = None
    note: str | None = None


@_frozen
class ListRequests(Command):
    team: str | None = None


@_frozen
class SetRoles(Command):
    user: UserTarget
    roles: tuple[str, ...]
    team: str | None = None


@_frozen
class ListRoles(Command):
    team: str | None = None


@_frozen
class CreateRole(Command):
    name: str
    permissions: tuple[str, ...]
    team: str | None = None


@_frozen
class DeleteRole(Command):
    name: str
    team: str | None = None


@_frozen
class TransferOwnership(Command):
    team: str
    user: UserTarget


@_frozen
class DeleteTeam(Command):
    team: str


@_frozen
class RemoveMember(Command):
    user: UserTarget
    team: str | None = None


@_frozen
class CreateTeam(Command):
    name: str
    parent: str | None = None


@_frozen
class LinkTeam(Command):
    team: str | None
    channels: tuple[ChannelRef, ...] = ()
    usergroups: tuple[UserGroupRef, ...] = ()


@_frozen
class Seats(Command):
    team: str | None = None
    limit: SeatLimit | None = None


@_frozen
class Settings(Command):
    team: str | None = None


@_frozen
class Audit(Command):
    team: str | None = None
    csv: bool = False


@_frozen
class Stats(Command):
    team: str | None = None


@_frozen
class ExtendAccess(Command):
    user: UserTarget
    term: AccessTerm  # permanent when neither days nor until
    team: str | None = None


@_frozen
class ShowWaitlist(Command):
    team: str | None = None


@_frozen
class JoinWaitlist(Command):
    team: str | None = None


@_frozen
class LeaveWaitlist(Command):
    team: str | None = None
