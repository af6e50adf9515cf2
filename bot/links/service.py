"""Invite links: each root team's shareable code, joining with it, and join cards."""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from peewee import fn

from bot import audit
from bot.access import Actor, require, resolve_root_team
from bot.clock import Clock
from bot.errors import (
    AlreadyMember,
    CodeProblem,
    CodeRefused,
    LinkJoinsDisabled,
    LinkNotPaused,
    LinkPaused,
    NoSeatsLeft,
)
from bot.links.cards import CardFacts, card_facts, card_posted, render_cards
from bot.links.domains import clean_domains, domains_of, inside
from bot.links.pause import RESET, RESUMED, count_join, end_pause, hourly_gate
from bot.outbox.claims import card_subject
from bot.ports import Directory
from bot.requests.service import Requests
from bot.roles.permissions import Action, Permission
from bot.seats.admission import seat_admission
from bot.seats.use import lock_team
from bot.teams.membership import holders_of
from storage.db import db
from storage.models import InviteCode, LinkJoin, Membership, PostedMessage, Team

CODE_BYTES = 16  # 128 bits


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


@dataclass(frozen=True)
class LinkInfo:
    team: str
    code: str
    uses: int
    max_uses: int | None
    expires_at: datetime | None
    link_policy: str
    paused: bool
    joins_per_hour: int  # 0: no limit
    domains: list[str] | None  # None: anyone may join by link
    latest_card: tuple[str, str] | None  # (channel, ts) of the newest join card


@dataclass(frozen=True)
class Joined:
    team: str
    roles: list[str]
    requested: bool = False  # the approval link policy turned the join into a request


def create_code(team: Team, now: datetime) -> InviteCode:
    return InviteCode.create(
        workspace_id=team.workspace_id, team=team, code=new_code(), created_at=now
    )


def _first_admin(team: Team) -> str | None:
    admins = holders_of(team, Permission.MANAGE_MEMBERS)
    return admins[0] if admins else None


class Links:
    def __init__(self, *, clock: Clock, requests: Requests):
        self.clock = clock
        self.requests = requests

    def show(self, *, actor: Actor, team_name: str | None) -> LinkInfo:
        """The team's code, its use and limits, and where its newest join card is."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.INVITE)
        return self._info(team)

    def _info(self, team: Team) -> LinkInfo:
        code = InviteCode.current(team)
        latest = (
            PostedMessage.select()
            .where(PostedMessage.subject == card_subject(team.id))
            .order_by(PostedMessage.posted_at.desc(), PostedMessage.id.desc())
            .first()
        )
        return LinkInfo(
            team=team.name,
            code=code.code,
            uses=code.uses,
            max_uses=code.max_uses,
            expires_at=code.expires_at,
            link_policy=team.link_policy,
            paused=code.paused_at is not None,
            joins_per_hour=team.link_joins_per_hour,
            domains=domains_of(team),
            latest_card=(latest.channel, latest.ts) if latest else None,
        )

    def reset(
        self, *, actor: Actor, team_name: str | None, paused_code: int | None = None
    ) -> LinkInfo:
        """Kill the current code at once and make a new one; join cards are re-rendered.
        From a pause DM (`paused_code`), only while that code is still paused."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.RESET_LINK)
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            old = _still_paused(team, paused_code)
            InviteCode.update(retired_at=now).where(InviteCode.id == old.id).execute()
            if old.paused_at is not None:
                end_pause(team, old, now, by=actor.user_id, how=RESET)
            InviteCode.create(
                workspace_id=team.workspace_id,
                team=team,
                code=new_code(),
                created_at=now,
                max_uses=old.max_uses,
                expires_at=None,
            )
            render_cards(team, now)
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="link.reset",
                actor=actor.user_id,
                team=team,
            )
        return self._info(team)

    def resume(
        self, *, actor: Actor, team_name: str | None, paused_code: int | None = None
    ) -> LinkInfo:
        """Resume a paused link; the hour starts again, joins before no longer count."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.RESET_LINK)
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            code = _still_paused(team, paused_code)
            if code.paused_at is None:
                raise LinkNotPaused(team=team.name)
            last = LinkJoin.select(fn.MAX(LinkJoin.id)).where(LinkJoin.code == code.id).scalar()
            resumed = InviteCode.update(paused_at=None, counted_after=last or 0)
            resumed.where(InviteCode.id == code.id).execute()
            end_pause(team, code, now, by=actor.user_id, how=RESUMED)
            render_cards(team, now)
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="link.resumed",
                actor=actor.user_id,
                team=team,
            )
        return self._info(team)

    def set_domains(
        self, *, actor: Actor, team_name: str | None, domains: list[str] | None
    ) -> LinkInfo:
        """Limit link joins to people whose Slack email is in `domains` (None: anyone)."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.CHANGE_SETTINGS)
        clean = None if domains is None else ",".join(clean_domains(domains))
        with db.atomic():
            Team.update(link_domains=clean).where(Team.id == team.id).execute()
            audit.record(
                workspace_id=team.workspace_id,
                now=self.clock.now(),
                action="link.domains",
                actor=actor.user_id,
                team=team,
                domains=clean or "any",
            )
        return self._info(Team.get_by_id(team.id))

    def limit(
        self,
        *,
        actor: Actor,
        team_name: str | None,
        max_uses: int | None,
        expires_days: int | None,
        never_expires: bool,
    ) -> LinkInfo:
        """Set the code's maximum uses and/or expiry (a number of days from now, or never)."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.CHANGE_SETTINGS)
        now = self.clock.now()
        changes = {}
        if max_uses is not None:
            changes["max_uses"] = max_uses
        if never_expires:
            changes["expires_at"] = None
        elif expires_days is not None:
            changes["expires_at"] = now + timedelta(days=expires_days)
        with db.atomic():
            InviteCode.update(**changes).where(
                InviteCode.team == team, InviteCode.retired_at.is_null()
            ).execute()
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="link.limited",
                actor=actor.user_id,
                team=team,
                **changes,
            )
        return self._info(team)

    def card(self, *, actor: Actor, team_name: str | None) -> CardFacts:
        """What a join card for the team shows; posting one needs the invite permission."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.INVITE)
        return card_facts(team, self.clock.now())

    def remember_card(self, *, actor: Actor, team_id: int, channel: str, ts: str) -> None:
        now = self.clock.now()
        team = Team.get(Team.id == team_id, Team.workspace_id == actor.workspace_id)
        with db.atomic():
            PostedMessage.create(
                workspace_id=team.workspace_id,
                subject=card_subject(team.id),
                channel=channel,
                ts=ts,
                posted_at=now,
            )
            card_posted(team, now)
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="link.card_posted",
                actor=actor.user_id,
                team=team,
                target=channel,
            )

    def join_with_code(
        self, *, actor: Actor, code: str, directory: Directory | None = None
    ) -> Joined:
        """Join a team with its invite code, under the team's link policy; with link
        domains, the `directory` tells the person's email (none: they are outside)."""
        row = InviteCode.get_or_none(
            InviteCode.code == code, InviteCode.workspace_id == actor.workspace_id
        )
        if row is None:
            raise CodeRefused(reason=CodeProblem.UNKNOWN)
        return self._join(actor, row.team, row, directory)

    def join_from_card(
        self, *, actor: Actor, team_id: int, directory: Directory | None = None
    ) -> Joined:
        """The Join button of a join card: the team's current code, whatever the card showed."""
        team = Team.get_or_none(Team.id == team_id, Team.workspace_id == actor.workspace_id)
        if team is None:
            raise CodeRefused(reason=CodeProblem.UNKNOWN)
        return self._join(actor, team, InviteCode.current(team), directory)

    def _join(self, actor: Actor, team: Team, code: InviteCode, directory) -> Joined:
        now = self.clock.now()
        ask = _first_admin(team)
        if code.retired_at is not None:
            raise CodeRefused(reason=CodeProblem.RESET, team=team.name, ask=ask)
        if team.link_policy == "disabled":
            raise LinkJoinsDisabled(team=team.name, ask=ask)
        if Membership.find(team, actor.user_id):
            raise AlreadyMember(team=team.name)
        if code.paused_at is not None:
            raise LinkPaused(team=team.name, ask=ask)
        if team.link_policy == "approval" or not inside(team, actor.user_id, directory):
            if not code.usable_at(now):
                raise _refusal(code, team, now, ask)
            self.requests.ask_team(actor=actor, team=team, note=None)
            return Joined(team=team.name, roles=[], requested=True)
        with db.atomic():  # a refusal below still commits the pause it caused
            lock_team(team)  # the hourly count and the admission are one decision
            refusal = hourly_gate(team, code, now, ask)
            if refusal is None:
                try:
                    self._admit(actor, team, code, now, ask)
                except CodeRefused as error:
                    refusal = error
                except NoSeatsLeft as error:  # full: they may wait for a seat
                    refusal = replace(error, waitlist_team_id=team.id)
        if refusal is not None:
            raise refusal
        return Joined(team=team.name, roles=[team.default_role])

    def _admit(self, actor: Actor, team: Team, code: InviteCode, now: datetime, ask) -> None:
        with seat_admission(team, now) as seats:
            if not _use(code, now):
                raise _refusal(InviteCode.get_by_id(code.id), team, now, ask)
            seats.admit(user_id=actor.user_id, roles=[team.default_role], via="link", added_by=None)
            count_join(team, code, actor.user_id, now)


def _still_paused(team: Team, paused_code: int | None) -> InviteCode:
    """The current code; a button of a pause DM (`paused_code`) is refused once that
    pause is over (resumed or reset by someone, or a double click)."""
    code = InviteCode.current(team)
    if paused_code is not None and (code.id != paused_code or code.paused_at is None):
        raise LinkNotPaused(team=team.name)
    return code


def _use(code: InviteCode, now: datetime) -> bool:
    """Count one use, atomically, only while the code is usable."""
    used = InviteCode.update(uses=InviteCode.uses + 1).where(
        InviteCode.id == code.id, InviteCode.is_usable(now)
    )
    return bool(used.execute())


def _refusal(code: InviteCode, team: Team, now: datetime, ask) -> CodeRefused:
    if code.retired_at is not None:
        reason = CodeProblem.RESET
    elif code.expires_at is not None and code.expires_at <= now:
        reason = CodeProblem.EXPIRED
    else:
        reason = CodeProblem.USED_UP
    return CodeRefused(reason=reason, team=team.name, ask=ask)
