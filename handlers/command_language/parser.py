"""The parser: one function per command word, then `parse`, the entry point."""

import re

from bot.teams.access_term import AccessTerm
from bot.teams.service import ChannelRef, UserGroupRef
from bot.vocabulary import (
    INVITATION_FILTERS,
    MAX_LINK_DAYS,
    MAX_LINK_USES,
    MAX_SEATS,
    MAX_TARGETS,
    PLANS,
    InvitationStatus,
)
from handlers.command_language.commands import (
    Audit,
    Command,
    CreateRole,
    CreateTeam,
    DeleteRole,
    DeleteTeam,
    EmailTarget,
    ExtendAccess,
    Help,
    Invite,
    JoinWaitlist,
    JoinWithCode,
    LeaveWaitlist,
    LimitLink,
    LinkDomains,
    LinkTeam,
    ListInvitations,
    ListRequests,
    ListRoles,
    ListTeams,
    Members,
    OpenInviteModal,
    PostCard,
    RemoveMember,
    RequestRole,
    RequestToJoin,
    ResetLink,
    ResumeLink,
    SeatLimit,
    Seats,
    SetRoles,
    Settings,
    ShowLink,
    ShowWaitlist,
    Stats,
    Target,
    TransferOwnership,
)
from handlers.command_language.cursor import Cursor
from handlers.command_language.errors import CommandError, unknown_command
from handlers.command_language.slots import (
    access_term,
    as_permission,
    as_resource,
    as_role,
    as_target,
    as_user,
    is_team_word,
    name_list,
    optional_team,
    required_team,
    take_as,
    team_after,
    whole_number,
)
from handlers.command_language.tokens import Kind

INVITE_CLAUSES = ("to", "as", "message", "for", "until")
NUMBERISH = re.compile(r"[+-]?[0-9][0-9.]*")
_ROLES_EXPECTED = "role names like member or admin,manager"
_PEOPLE_EXPECTED = "people like @alice or alice@example.com"


def _invite(cursor: Cursor) -> Command:
    usage = '/invite @alice @bob [to TEAM] [as ROLE[,ROLE]] [for N days|until DATE] [message "…"]'
    targets: dict[tuple[str, str], Target] = {}
    while cursor.peek() is not None and cursor.keyword() not in INVITE_CLAUSES:
        target = take_as(cursor, as_target, _PEOPLE_EXPECTED)
        targets.setdefault(_identity(target), target)
    if not targets:
        raise cursor.fail(f"people to invite first, as in {usage}")
    if len(targets) > MAX_TARGETS:
        raise CommandError(
            f"I can invite at most {MAX_TARGETS} people at once, and {len(targets)} were given."
        )
    team, roles, message, term = None, (), None, None
    for clause in cursor.clauses(INVITE_CLAUSES, usage):
        if clause == "to":
            team = required_team(cursor, usage)
        elif clause == "as":
            roles = name_list(cursor, INVITE_CLAUSES, as_role, _ROLES_EXPECTED)
        elif clause in ("for", "until"):
            if term is not None:
                raise CommandError("Give one end: for N days or until DATE, not both.")
            term = access_term(cursor, clause)
        else:
            message = _message(cursor)
    return cursor.finish(Invite(tuple(targets.values()), team, roles, message, term), usage)


def _identity(target: Target) -> tuple[str, str]:
    if isinstance(target, EmailTarget):
        return ("email", target.address.lower())
    return ("id", target.user_id) if target.user_id else ("name", (target.name or "").lower())


def _message(cursor: Cursor) -> str:
    token = cursor.peek()
    if token is not None and token.kind is Kind.UNTERMINATED:
        raise cursor.fail("a closed quote")
    message = cursor.take().text if token and token.kind is Kind.QUOTED else cursor.rest()
    if not message:
        raise CommandError('“message” needs some text: expected message "Welcome aboard!".')
    return message


def _list(cursor: Cursor) -> Command:
    team = optional_team(cursor)
    status = cursor.take_keyword(*INVITATION_FILTERS) or InvitationStatus.PENDING
    return cursor.finish(
        ListInvitations(team, status), "/invite list [TEAM] [" + "|".join(INVITATION_FILTERS) + "]"
    )


def _link(cursor: Cursor) -> Command:
    if cursor.take_keyword("reset"):
        return cursor.finish(ResetLink(optional_team(cursor)), "/invite link reset [TEAM]")
    if cursor.take_keyword("resume"):
        return cursor.finish(ResumeLink(optional_team(cursor)), "/invite link resume [TEAM]")
    if cursor.take_keyword("limit"):
        return _link_limit(cursor)
    if cursor.take_keyword("domains"):
        return _link_domains(cursor)
    return cursor.finish(ShowLink(optional_team(cursor)), "/invite link [TEAM]")


def _link_limit(cursor: Cursor) -> Command:
    usage = "/invite link limit [TEAM] [uses N] [expires DAYS|never]"
    team = optional_team(cursor)
    max_uses = expires_days = None
    never_expires = False
    for clause in cursor.clauses(("uses", "expires"), usage):
        if clause == "uses":
            max_uses = whole_number(
                cursor, MAX_LINK_USES, f"a number of uses from 1 to {MAX_LINK_USES}"
            )
        elif cursor.take_keyword("never"):
            never_expires = True
        else:
            expires_days = whole_number(
                cursor, MAX_LINK_DAYS, f"days from 1 to {MAX_LINK_DAYS}, or never"
            )
    if max_uses is None and expires_days is None and not never_expires:
        raise cursor.fail(f"uses N or expires DAYS|never, as in {usage}")
    return cursor.finish(LimitLink(team, max_uses, expires_days, never_expires), usage)


def _link_domains(cursor: Cursor) -> Command:
    """Domains are checked by the service, which names a malformed one; a team word has
    no dot and is followed by more, so `link domains acme.com` names no team."""
    usage = "/invite link domains [TEAM] DOMAIN[,DOMAIN]|any"
    first = cursor.peek()
    named = cursor.remaining() > 1 and is_team_word(first) and "." not in first.text
    team = cursor.take().text if named else None
    if cursor.take_keyword("any"):
        return cursor.finish(LinkDomains(team, None), usage)
    domains = []
    while cursor.peek() is not None:
        domains.append(take_as(cursor, _as_domain, f"email domains or any, as in {usage}"))
    if not domains:
        raise cursor.fail(f"email domains or any, as in {usage}")
    return LinkDomains(team, tuple(domains))


def _as_domain(token) -> str | None:
    """A word, or a domain Slack turned into a link (<http://acme.com|acme.com>)."""
    if token.kind is Kind.WORD:
        return token.text
    if token.kind is Kind.LINK:
        return (token.label or token.ident).split("://", 1)[-1].rstrip("/")
    return None


def _join(cursor: Cursor) -> Command:
    usage = "/invite join CODE"
    token = cursor.peek()
    if token is None or token.kind is not Kind.WORD:
        raise cursor.fail(f"an invite code, as in {usage}")
    return cursor.finish(JoinWithCode(cursor.take().text), usage)


def _request(cursor: Cursor) -> Command:
    """`request role ROLE [in TEAM] [note…]`, or `request [TEAM] [note…]` to join: "role" is
    a command word, so no team has that name."""
    if not cursor.take_keyword("role"):
        return RequestToJoin(cursor.rest())
    usage = "/invite request role ROLE [in TEAM] [note…]"
    role = take_as(cursor, as_role, f"a role name, as in {usage}")
    team = team_after(cursor, "in", usage)
    return RequestRole(role, team, cursor.rest() or None)


def _role(cursor: Cursor) -> Command:
    if cursor.take_keyword("create"):
        usage = "/invite role create NAME PERM[,PERM] [in TEAM]"
        name = take_as(cursor, as_role, f"a new role name, as in {usage}")
        permissions = name_list(cursor, ("in",), as_permission, "permissions like invite,view")
        return cursor.finish(CreateRole(name, permissions, team_after(cursor, "in", usage)), usage)
    if cursor.take_keyword("delete"):
        usage = "/invite role delete NAME [in TEAM]"
        name = take_as(cursor, as_role, f"a role name, as in {usage}")
        return cursor.finish(DeleteRole(name, team_after(cursor, "in", usage)), usage)
    usage = "/invite role @alice ROLE[,ROLE] [in TEAM]"
    user = take_as(cursor, as_user, f"a person, create or delete, as in {usage}")
    roles = name_list(cursor, ("in",), as_role, _ROLES_EXPECTED)
    return cursor.finish(SetRoles(user, roles, team_after(cursor, "in", usage)), usage)


def _extend(cursor: Cursor) -> Command:
    usage = "/invite extend @alice [in TEAM] N days|until DATE|permanent"
    user = take_as(cursor, as_user, f"a person, as in {usage}")
    team = team_after(cursor, "in", usage)
    if cursor.peek() is None:
        raise cursor.fail(f"N days, until DATE or permanent, as in {usage}")
    if cursor.take_keyword("permanent"):
        term = AccessTerm()
    elif cursor.take_keyword("until"):
        term = access_term(cursor, "until")
    else:
        term = access_term(cursor, "for")
    return cursor.finish(ExtendAccess(user, term, team), usage)


def _transfer(cursor: Cursor) -> Command:
    usage = "/invite transfer TEAM @alice"
    team = required_team(cursor, usage)
    return cursor.finish(
        TransferOwnership(team, take_as(cursor, as_user, f"a person, as in {usage}")), usage
    )


def _remove(cursor: Cursor) -> Command:
    usage = "/invite remove @alice [from TEAM]"
    user = take_as(cursor, as_user, f"a person, as in {usage}")
    return cursor.finish(RemoveMember(user, team_after(cursor, "from", usage)), usage)


def _team_command(cursor: Cursor) -> Command:
    if cursor.take_keyword("create"):
        usage = "/invite team create NAME [parent PARENT]"
        name = required_team(cursor, usage)
        return cursor.finish(CreateTeam(name, team_after(cursor, "parent", usage)), usage)
    if cursor.take_keyword("delete"):
        usage = "/invite team delete TEAM"
        return cursor.finish(DeleteTeam(required_team(cursor, usage)), usage)
    if cursor.take_keyword("link"):
        return _link_team(cursor)
    raise cursor.fail("create, delete or link, as in /invite team create NAME")


def _link_team(cursor: Cursor) -> Command:
    expected = "channels like #design or a user group like @design-team"
    team = optional_team(cursor)
    resources: list[ChannelRef | UserGroupRef] = []
    while cursor.peek() is not None:
        resources.append(take_as(cursor, as_resource, expected))
    if not resources:
        raise cursor.fail(f"{expected}, as in /invite team link TEAM #chan @group")
    unique = tuple(dict.fromkeys(resources))
    channels = tuple(r for r in unique if isinstance(r, ChannelRef))
    return LinkTeam(team, channels, tuple(r for r in unique if isinstance(r, UserGroupRef)))


def _seats(cursor: Cursor) -> Command:
    usage = "/invite seats [TEAM] [N|" + "|".join(PLANS) + "]"
    token = cursor.peek()
    # A trailing number is the limit, so "seats 2024" sets 2024 seats, not team 2024's.
    lone_number = cursor.remaining() == 1 and bool(NUMBERISH.fullmatch(token.text))
    team = None if lone_number else optional_team(cursor)
    limit = None
    if plan := cursor.take_keyword(*PLANS):
        limit = SeatLimit(plan=plan)
    elif cursor.peek() is not None:
        expected = f"a seat count from 1 to {MAX_SEATS} or a plan: " + ", ".join(PLANS)
        limit = SeatLimit(seats=whole_number(cursor, MAX_SEATS, expected))
    return cursor.finish(Seats(team, limit), usage)


def _waitlist(cursor: Cursor) -> Command:
    if cursor.take_keyword("join"):
        return cursor.finish(JoinWaitlist(optional_team(cursor)), "/invite waitlist join [TEAM]")
    if cursor.take_keyword("leave"):
        return cursor.finish(LeaveWaitlist(optional_team(cursor)), "/invite waitlist leave [TEAM]")
    usage = "/invite waitlist [TEAM] · waitlist join [TEAM] · waitlist leave [TEAM]"
    return cursor.finish(ShowWaitlist(optional_team(cursor)), usage)


def _team_only(command: type[Command], usage: str):
    return lambda cursor: cursor.finish(command(optional_team(cursor)), usage)


_COMMANDS = {
    "help": lambda cursor: Help(),  # "help link" and the like still show help
    "teams": lambda cursor: cursor.finish(ListTeams(), "/invite teams"),
    "members": _team_only(Members, "/invite members [TEAM]"),
    "list": _list,
    "link": _link,
    "card": _team_only(PostCard, "/invite card [TEAM]"),
    "join": _join,
    "request": _request,
    "requests": _team_only(ListRequests, "/invite requests [TEAM]"),
    "role": _role,
    "roles": _team_only(ListRoles, "/invite roles [TEAM]"),
    "transfer": _transfer,
    "extend": _extend,
    "remove": _remove,
    "team": _team_command,
    "seats": _seats,
    "waitlist": _waitlist,
    "settings": _team_only(Settings, "/invite settings [TEAM]"),
    "stats": _team_only(Stats, "/invite stats [TEAM]"),
    "audit": lambda cursor: cursor.finish(
        Audit(optional_team(cursor), bool(cursor.take_keyword("csv"))),
        "/invite audit [TEAM] [csv]",
    ),
}


def parse(text: str) -> Command:
    """Parse the text after /invite, as Slack sends it, or raise CommandError."""
    if not isinstance(text, str):
        raise CommandError("I couldn't read the command text: expected words after /invite.")
    cursor = Cursor(text)
    first = cursor.peek()
    if first is None:
        return OpenInviteModal()
    command = cursor.keyword()
    if command in _COMMANDS:
        cursor.take()
        return _COMMANDS[command](cursor)
    if command in INVITE_CLAUSES or first.kind is Kind.SPECIAL or as_target(first):
        return _invite(cursor)
    raise unknown_command(first)
