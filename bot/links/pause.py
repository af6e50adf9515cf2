"""Links that protect themselves: the hourly join limit, the pause, and its end.

The limit is checked under the team's lock (`lock_team`), in the transaction that
admits, so simultaneous joins at the edge admit exactly the limit.
"""

from datetime import datetime

from bot import audit
from bot.errors import LinkPaused
from bot.links.cards import render_cards
from bot.links.notices import LinkPausedNotice, LinkPauseEnded
from bot.outbox import notices
from bot.roles.permissions import Permission
from bot.teams.membership import holders_of
from storage.models import InviteCode, LinkJoin, Team

RESUMED, RESET = "resumed", "reset"


def pause_subject(code: InviteCode) -> str:
    """The messages about one pause of one code (a code may pause again after a resume)."""
    return f"link-paused:{code.id}:{code.paused_at.isoformat()}"


def hourly_gate(team: Team, code: InviteCode, now: datetime, ask: str | None) -> LinkPaused | None:
    """Under the team's lock: the refusal when the link is paused or this join would
    exceed the hourly limit (which pauses it and DMs the admins once), else None."""
    code = InviteCode.get_by_id(code.id)
    if code.paused_at is not None:
        return LinkPaused(team=team.name, ask=ask)
    limit = Team.get_by_id(team.id).link_joins_per_hour
    if not limit or LinkJoin.within_hour(code, now) < limit:
        return None
    _pause(team, code, now, limit)
    return LinkPaused(team=team.name, ask=ask)


def count_join(team: Team, code: InviteCode, user_id: str, now: datetime) -> None:
    LinkJoin.create(
        workspace_id=team.workspace_id, team=team, code=code, user_id=user_id, joined_at=now
    )


def _pause(team: Team, code: InviteCode, now: datetime, limit: int) -> None:
    paused = InviteCode.update(paused_at=now).where(
        InviteCode.id == code.id, InviteCode.paused_at.is_null()
    )
    if not paused.execute():
        return
    code.paused_at = now
    subject = pause_subject(code)
    for admin in holders_of(team, Permission.MANAGE_SETTINGS):
        notice = LinkPausedNotice(
            team=team.name, recipient=admin, limit=limit, code_id=code.id, subject=subject
        )
        notices.record(team.workspace_id, notice, now, dedupe_key=f"{subject}:{admin}")
    audit.record(
        workspace_id=team.workspace_id,
        now=now,
        action="link.paused",
        actor=None,
        team=team,
        limit=limit,
    )
    render_cards(team, now)


def end_pause(team: Team, code: InviteCode, now: datetime, *, by: str, how: str) -> None:
    """Tell every admin's copy of the pause DM who ended it and how (in the caller's
    transaction, under the team's lock); `code` is as it was while paused."""
    ended = LinkPauseEnded(team=team.name, subject=pause_subject(code), by=by, how=how)
    notices.record(team.workspace_id, ended, now)
