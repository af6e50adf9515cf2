"""Teams: create, link Slack channels and user groups, list."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from peewee import IntegrityError, fn

from bot import audit
from bot.access import Actor, require, resolve_root_team, resolve_team
from bot.clock import Clock
from bot.errors import (
    InvalidTeamName,
    NothingToLink,
    NotWorkspaceAdmin,
    ResourceNotFound,
    TeamNameTaken,
)
from bot.links.service import create_code
from bot.outbox import notices, sync_notices
from bot.ports import ChannelFacts, Directory, UserGroupFacts
from bot.roles.permissions import OWNER, Action, Permission
from bot.teams.membership import (
    access_ends,
    admit,
    brought_in,
    holders_of,
    roles_by_member,
    sync_notice,
)
from bot.teams.settings import TeamSettings
from bot.vocabulary import RESERVED_TEAM_NAMES
from storage.db import db
from storage.models import LinkedResource, Membership, Team

TEAM_NAME = re.compile(r"^[A-Za-z0-9-]{1,32}$")


@dataclass(frozen=True)
class ChannelRef:
    channel_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class UserGroupRef:
    usergroup_id: str | None = None
    handle: str | None = None


@dataclass
class LinkResult:
    team: str
    linked: list[str] = field(default_factory=list)
    already_linked: list[str] = field(default_factory=list)
    bot_must_be_added_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MemberList:
    team: Team
    roles: dict[str, list[str]]  # each member's roles, in joining order
    ends: dict[str, datetime]  # time-bound members: when their access ends
    brought_in: dict[str, tuple[str, str | None]]  # each member: (joined_via, added_by)


@dataclass
class TeamSummary:
    name: str
    parent: str | None
    member_count: int
    channels: list[str]
    usergroups: list[str]


def root_id(team: Team, teams: list[Team]) -> int:
    parents = {t.id: t.parent_id for t in teams}
    team_id = team.id
    while parents.get(team_id) is not None:
        team_id = parents[team_id]
    return team_id


def validate_team_name(name: str) -> None:
    if not TEAM_NAME.match(name):
        reason = "use one word of letters, digits and hyphens, up to 32 characters"
        raise InvalidTeamName(name=name, reason=reason)
    if name.lower() in RESERVED_TEAM_NAMES:
        raise InvalidTeamName(name=name, reason="it is a word of the /invite command")


class Teams:
    def __init__(self, *, clock: Clock, defaults: TeamSettings):
        self.clock = clock
        self.defaults = defaults

    def create(self, *, actor: Actor, name: str, directory: Directory) -> Team:
        """A Slack workspace admin creates a root team and becomes its Owner."""
        validate_team_name(name)
        if not directory.is_workspace_admin(actor.user_id):
            raise NotWorkspaceAdmin()
        now = self.clock.now()
        with db.atomic():
            team = self._insert(actor, name, now, parent=None)
            create_code(team, now)
            admit(
                team=team,
                user_id=actor.user_id,
                roles=[OWNER],
                now=now,
                via="creator",
                added_by=actor.user_id,
            )
        return team

    def create_sub_team(self, *, actor: Actor, name: str, parent_name: str) -> Team:
        """A sub-team of a root team, by someone who may change the root's settings.

        Its members are the root's members; it has no invite code of its own."""
        validate_team_name(name)
        parent = resolve_root_team(actor.workspace_id, parent_name)
        require(actor, parent, Action.CHANGE_SETTINGS)
        with db.atomic():
            return self._insert(actor, name, self.clock.now(), parent=parent)

    def _insert(self, actor: Actor, name: str, now, *, parent: Team | None) -> Team:
        """The team row, with the default settings, and its audit entry."""
        try:
            with db.atomic():  # a savepoint: a taken name leaves the caller's work intact
                team = Team.create(
                    workspace_id=actor.workspace_id,
                    name=name,
                    name_key=name.lower(),
                    description="",
                    parent=parent,
                    created_at=now,
                    created_by=actor.user_id,
                    **self.defaults.as_fields(),
                )
        except IntegrityError as exc:
            raise TeamNameTaken(name=name) from exc
        audit.record(
            workspace_id=actor.workspace_id,
            now=now,
            action="team.created",
            actor=actor.user_id,
            team=team,
            parent=parent.name if parent else None,
        )
        return team

    def link(
        self,
        *,
        actor: Actor,
        team_name: str,
        channels: list[ChannelRef],
        usergroups: list[UserGroupRef],
        directory: Directory,
    ) -> LinkResult:
        """Link channels and a user group; current members are synced into them."""
        if not channels and not usergroups:
            raise NothingToLink()
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.CHANGE_SETTINGS)
        found_channels = [self._find_channel(directory, ref) for ref in channels]
        found_groups = [self._find_usergroup(directory, ref) for ref in usergroups]
        result = LinkResult(team=team.name)
        with db.atomic():
            for facts in found_channels:
                self._link_channel(actor, team, facts, result)
            for facts in found_groups:
                self._link_usergroup(actor, team, facts, result)
        return result

    def _find_channel(self, directory: Directory, ref: ChannelRef) -> ChannelFacts:
        facts = directory.channel(channel_id=ref.channel_id, name=ref.name)
        if facts is None:
            raise ResourceNotFound(kind="channel", reference=ref.name or ref.channel_id or "")
        return facts

    def _find_usergroup(self, directory: Directory, ref: UserGroupRef) -> UserGroupFacts:
        facts = directory.usergroup(usergroup_id=ref.usergroup_id, handle=ref.handle)
        if facts is None:
            reference = ref.handle or ref.usergroup_id or ""
            raise ResourceNotFound(kind="usergroup", reference=reference)
        return facts

    def _link_channel(self, actor, team, facts: ChannelFacts, result: LinkResult) -> None:
        label = f"#{facts.name}"
        resource = self._insert_link(
            actor, team, "channel", facts.channel_id, facts.name, facts.is_private
        )
        if resource is None:
            result.already_linked.append(label)
            return
        result.linked.append(label)
        now = self.clock.now()
        if not facts.bot_is_member:
            if facts.is_private:
                result.bot_must_be_added_to.append(label)
            else:
                notices.record(
                    actor.workspace_id,
                    sync_notices.JoinChannel(team=team.name, channel_id=facts.channel_id),
                    now,
                )
        self._sync_members_into(team, resource)

    def _link_usergroup(self, actor, team, facts: UserGroupFacts, result: LinkResult) -> None:
        label = f"@{facts.handle}"
        resource = self._insert_link(
            actor, team, "usergroup", facts.usergroup_id, facts.handle, False
        )
        if resource is None:
            result.already_linked.append(label)
            return
        result.linked.append(label)
        self._sync_members_into(team, resource)

    def _insert_link(self, actor, team, kind, resource_id, name, is_private):
        existing = LinkedResource.get_or_none(
            LinkedResource.team == team,
            LinkedResource.kind == kind,
            LinkedResource.resource_id == resource_id,
        )
        if existing:
            return None
        now = self.clock.now()
        resource = LinkedResource.create(
            workspace_id=actor.workspace_id,
            team=team,
            kind=kind,
            resource_id=resource_id,
            name=name,
            is_private=is_private,
            linked_at=now,
        )
        audit.record(
            workspace_id=actor.workspace_id,
            now=now,
            action=f"team.linked_{kind}",
            actor=actor.user_id,
            team=team,
            target=resource_id,
            name=name,
        )
        return resource

    def _sync_members_into(self, team: Team, resource: LinkedResource) -> None:
        now = self.clock.now()
        admins = holders_of(team, Permission.MANAGE_MEMBERS)
        for user_id in roles_by_member(team):
            notice = sync_notice(team, user_id, resource, admins)
            notices.record(team.workspace_id, notice, now)

    def list(self, *, actor: Actor) -> list[TeamSummary]:
        """Every team of the workspace with what it links and how many members it has.

        Three queries whatever the number of teams.
        """
        teams = list(Team.in_workspace(actor.workspace_id))
        names = {team.id: team.name for team in teams}
        counts = dict(
            Membership.select(Membership.team, fn.COUNT(Membership.id))
            .where(Membership.workspace_id == actor.workspace_id)
            .group_by(Membership.team)
            .tuples()
        )
        links: dict[int, list[LinkedResource]] = {}
        in_workspace = LinkedResource.workspace_id == actor.workspace_id
        for link in LinkedResource.select().where(in_workspace).order_by(LinkedResource.id):
            links.setdefault(link.team_id, []).append(link)
        return [
            TeamSummary(
                name=team.name,
                parent=names.get(team.parent_id),
                # Membership of a root team is membership of its sub-teams.
                member_count=counts.get(root_id(team, teams), 0),
                channels=[r.resource_id for r in links.get(team.id, []) if r.kind == "channel"],
                usergroups=[r.resource_id for r in links.get(team.id, []) if r.kind == "usergroup"],
            )
            for team in teams
        ]

    def members(self, *, actor: Actor, team_name: str | None) -> tuple[Team, dict[str, list]]:
        """A team's members with their roles, for anyone who may view it."""
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.VIEW)
        return team, roles_by_member(team)

    def member_list(self, *, actor: Actor, team_name: str | None) -> "MemberList":
        """As `members`, with when each time-bound member's access ends and who brought
        each member in."""
        team, members = self.members(actor=actor, team_name=team_name)
        return MemberList(team, members, access_ends(team), brought_in(team))
