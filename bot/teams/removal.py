"""Leaving a team: removal by an admin, leaving Slack, and deleting a team.

Access goes at once, but only access Lobby itself gave (a SyncGrant) and that no other
team of the person still links.
"""

from datetime import datetime

from bot import audit
from bot.access import Actor, require, resolve_team
from bot.clock import Clock
from bot.errors import LastOwner, NotAllowed, NotAMember
from bot.home.refresh import refresh_homes
from bot.invitations.closing import record_closed
from bot.links.cards import refresh_cards
from bot.outbox import notices, sync_notices
from bot.requests.roles import withdraw_role_requests
from bot.roles.permissions import OWNER, Action, Permission
from bot.seats.use import lock_team
from bot.seats.waitlist import drop_from_waitlists, fill_freed_seats
from bot.teams import sponsors
from bot.teams.membership import (
    holders_of,
    linked_resources,
    role_book,
    roles_of,
    root_of,
    with_sub_teams,
)
from storage.db import db
from storage.models import (
    Invitation,
    JoinRequest,
    LinkedResource,
    MemberRole,
    Membership,
    SyncGrant,
    Team,
)
from storage.statuses import InvitationStatus, RequestStatus


def owners_of(team: Team) -> list[str]:
    query = (
        Membership.select(Membership.user_id)
        .join(MemberRole)
        .where(Membership.team == root_of(team), MemberRole.role == OWNER)
    )
    return [row.user_id for row in query]


def check_keeps_an_owner(team: Team, user_id: str, new_roles: list[str] | None) -> None:
    """A team always keeps an Owner: the last one can't be removed or demoted."""
    owners = owners_of(team)
    losing = user_id in owners and (new_roles is None or OWNER not in new_roles)
    if losing and len(owners) == 1:
        raise LastOwner(team=root_of(team).name)


def check_may_remove(team: Team, actor_roles: set[str], user_id: str) -> None:
    """`user_id` is a member whom roles `actor_roles` may remove (only Owners remove Owners)."""
    target_roles = roles_of(team, user_id)
    if not target_roles:
        raise NotAMember(user=user_id, team=team.name)
    if not role_book(team).may_remove(actor_roles, target_roles):
        raise NotAllowed(action="remove members", team=team.name)


def record_revocations(team: Team, user_id: str, now: datetime, *, gone: set[int]) -> None:
    """Take the person out of what the teams in `gone` link, where Lobby added them and
    no team they keep links it too."""
    kept = {
        (r.kind, r.resource_id)
        for membership in Membership.select().where(
            Membership.workspace_id == team.workspace_id, Membership.user_id == user_id
        )
        for r in linked_resources(membership.team)
        if r.team_id not in gone
    }
    granted = {
        (g.kind, g.resource_id)
        for g in SyncGrant.select().where(
            SyncGrant.workspace_id == team.workspace_id, SyncGrant.user_id == user_id
        )
    }
    admins = holders_of(team, Permission.MANAGE_MEMBERS)
    for resource in LinkedResource.select().where(LinkedResource.team.in_(list(gone))):
        key = (resource.kind, resource.resource_id)
        if key in granted and key not in kept:
            notice = _revocation(team, user_id, resource, admins)
            notices.record(team.workspace_id, notice, now)


def _revocation(team, user_id, resource, admins):
    if resource.kind == "channel":
        return sync_notices.RemoveFromChannel(
            team=team.name, user=user_id, channel_id=resource.resource_id, admins=admins
        )
    return sync_notices.RemoveFromUserGroup(
        team=team.name, user=user_id, usergroup_id=resource.resource_id, admins=admins
    )


def leave(
    team: Team,
    user_id: str,
    now: datetime,
    *,
    by: str | None,
    action: str,
    told: notices.Notice | None = None,
    how: str = sponsors.REMOVED,
) -> None:
    """Remove one membership of a root team, its sync, and tell the person (by default
    that they were removed; `told` says it otherwise). The members they brought in go to
    the admins for review; the seat goes to the waitlist. Under the team's lock."""
    membership = Membership.find(team, user_id)
    sponsors.open_review(membership, now, how=how, by=by)
    withdraw_role_requests(team, user_id, now)
    gone = {t.id for t in with_sub_teams(team)}
    record_revocations(team, user_id, now, gone=gone)
    membership.delete_instance(recursive=True)
    told = told or notices.Removed(team=team.name, user=user_id, by=by)
    notices.record(team.workspace_id, told, now)
    refresh_homes(team, now, user_id)
    audit.record(
        workspace_id=team.workspace_id, now=now, action=action, actor=by, team=team, target=user_id
    )
    refresh_cards(team, now)
    fill_freed_seats(team, now)


class Removal:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def remove(self, *, actor: Actor, user_id: str, team_name: str | None) -> Team:
        """An admin removes a member; their invitations as inviter stay valid."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        check_may_remove(team, require(actor, team, Action.VIEW), user_id)
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            check_keeps_an_owner(team, user_id, None)
            leave(team, user_id, now, by=actor.user_id, action="member.removed")
        return team

    def left_workspace(self, *, workspace_id: str, user_id: str) -> int:
        """A `user_change` with deleted: true: out of every team and waitlist, seats freed
        (and given to the waitlists), their pending invitations closed. Slack already
        took their access."""
        now = self.clock.now()
        with db.atomic():
            memberships = list(
                Membership.select().where(
                    Membership.workspace_id == workspace_id, Membership.user_id == user_id
                )
            )
            # Due ones too: the sweep will not tell an inviter about someone who left.
            invitations = list(
                Invitation.select().where(
                    Invitation.workspace_id == workspace_id,
                    Invitation.invitee_user_id == user_id,
                    Invitation.status == InvitationStatus.PENDING,
                )
            )
            freed = {m.team_id: m.team for m in memberships}
            freed.update({i.team_id: i.team for i in invitations})
            for team_id in sorted(freed):  # one order for every path that locks several
                lock_team(freed[team_id])
            for membership in memberships:
                sponsors.open_review(membership, now, how=sponsors.LEFT_WORKSPACE)
                withdraw_role_requests(membership.team, user_id, now)
                membership.delete_instance(recursive=True)
                audit.record(
                    workspace_id=workspace_id,
                    now=now,
                    action="member.left_workspace",
                    actor=None,
                    team=membership.team,
                    target=user_id,
                )
                refresh_cards(membership.team, now)
            for invitation in invitations:
                Invitation.update(status=InvitationStatus.CANCELLED, decided_at=now).where(
                    Invitation.id == invitation.id
                ).execute()
                record_closed(invitation, InvitationStatus.CANCELLED, None, now)
            SyncGrant.delete().where(
                SyncGrant.workspace_id == workspace_id, SyncGrant.user_id == user_id
            ).execute()
            drop_from_waitlists(workspace_id, user_id, now)
            for team_id in sorted(freed):
                fill_freed_seats(freed[team_id], now)
        return len(memberships)

    def delete_team(self, *, actor: Actor, team_name: str) -> str:
        """Owners delete a team: its invitations and requests are cancelled, its members
        taken out of what it linked, then it is gone (with its sub-teams)."""
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.DELETE_TEAM)
        now = self.clock.now()
        with db.atomic():
            doomed = {t.id for t in with_sub_teams(team)}
            for user_id in _member_ids(team):
                record_revocations(team, user_id, now, gone=doomed)
            pending = Invitation.status == InvitationStatus.PENDING  # due ones too: DMs updated
            for invitation in Invitation.select().where(Invitation.team == team, pending):
                record_closed(invitation, InvitationStatus.CANCELLED, actor.user_id, now)
            JoinRequest.update(status=RequestStatus.CANCELLED, decided_at=now).where(
                JoinRequest.team == team, JoinRequest.status == RequestStatus.PENDING
            ).execute()
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="team.deleted",
                actor=actor.user_id,
                team=None,
                target=team.name,
            )
            Team.delete().where(Team.id.in_(list(doomed))).execute()
        return team.name


def _member_ids(team: Team) -> list[str]:
    return [m.user_id for m in Membership.select().where(Membership.team == root_of(team))]
