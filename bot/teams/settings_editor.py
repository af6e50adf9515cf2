"""Changing a team's settings, each value checked before anything is stored."""

from dataclasses import fields

from bot import audit
from bot.access import Actor, require, resolve_team
from bot.clock import Clock
from bot.errors import InvalidSetting
from bot.links.cards import render_cards
from bot.roles.permissions import INVITE_POLICIES, LINK_POLICIES, OWNER, Action
from bot.teams.membership import role_book, root_of
from bot.teams.settings import TeamSettings
from storage.db import db
from storage.models import Team

EDITABLE = (
    "invite_policy",
    "link_policy",
    "invitation_expiry_days",
    "request_expiry_days",
    "request_cooldown_days",
    "default_role",
    "daily_invite_limit",
    "link_joins_per_hour",
    "notification_channel",
    "digest_enabled",
    "note_required",
)
DAY_LIMITS = {
    "invitation_expiry_days": (1, 90),
    "request_expiry_days": (1, 90),
    "request_cooldown_days": (0, 365),
    "daily_invite_limit": (1, 10_000),
    "link_joins_per_hour": (0, 10_000),
}


def current_settings(team: Team) -> TeamSettings:
    return TeamSettings(**{f.name: getattr(team, f.name) for f in fields(TeamSettings)})


class SettingsEditor:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def show(self, *, actor: Actor, team_name: str | None) -> tuple[Team, TeamSettings, list]:
        """The team, its settings, and the roles that may be its default."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        require(actor, team, Action.CHANGE_SETTINGS)
        roles = [r for r in role_book(team).names() if r != OWNER]
        return team, current_settings(team), roles

    def update(self, *, actor: Actor, team_name: str | None, changes: dict) -> TeamSettings:
        """Apply `changes` (a subset of EDITABLE); a bad value raises InvalidSetting."""
        team, _, roles = self.show(actor=actor, team_name=team_name)
        clean = {name: validate(name, value, roles) for name, value in changes.items()}
        now = self.clock.now()
        with db.atomic():
            Team.update(**clean).where(Team.id == team.id).execute()
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="settings.changed",
                actor=actor.user_id,
                team=team,
                **clean,
            )
            if "link_policy" in clean:
                render_cards(team, now)
        return current_settings(Team.get_by_id(team.id))


def validate(name: str, value, roles: list[str]):
    """One setting's value, checked; InvalidSetting says why not."""
    if name not in EDITABLE:
        raise InvalidSetting(field=name, reason="this setting can't be changed here")
    if name == "invite_policy" and value not in INVITE_POLICIES:
        raise InvalidSetting(field=name, reason=f"choose one of {', '.join(INVITE_POLICIES)}")
    if name == "link_policy" and value not in LINK_POLICIES:
        raise InvalidSetting(field=name, reason=f"choose one of {', '.join(LINK_POLICIES)}")
    if name == "default_role" and value not in roles:
        raise InvalidSetting(field=name, reason="choose a role of this team other than Owner")
    if name in DAY_LIMITS:
        low, high = DAY_LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidSetting(field=name, reason=f"a whole number from {low} to {high}")
    if name == "notification_channel" and value is not None and not isinstance(value, str):
        raise InvalidSetting(field=name, reason="choose a channel")
    if name in ("digest_enabled", "note_required") and not isinstance(value, bool):
        raise InvalidSetting(field=name, reason="on or off")
    return value
