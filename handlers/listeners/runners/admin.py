"""`/invite` runners for team administration: seats, settings, the audit trail, stats."""

from handlers import command_language as cl
from handlers.blocks import audit
from handlers.blocks import seats as seats_blocks
from handlers.blocks import settings as settings_blocks
from handlers.blocks import stats as stats_blocks
from handlers.slack.context import Request


def _seats(request: Request, command: cl.Seats) -> dict:
    if command.limit is None:
        return seats_blocks.seats(
            request.lobby.seats.show(actor=request.actor, team_name=command.team)
        )
    use = request.lobby.seats.set_limit(
        actor=request.actor,
        team_name=command.team,
        plan=command.limit.plan,
        seats=command.limit.seats,
    )
    return seats_blocks.seats(use)


def _settings(request: Request, command: cl.Settings) -> None:
    team, settings, roles = request.lobby.settings.show(actor=request.actor, team_name=command.team)
    view = settings_blocks.settings_modal(team=team.name, settings=settings, roles=roles)
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def _audit(request: Request, command: cl.Audit) -> dict:
    if not command.csv:
        entries = request.lobby.audit.latest(actor=request.actor, team_name=command.team)
        team = entries[0].team_name if entries else command.team or ""
        return audit.audit_list(team, entries)
    entries = request.lobby.audit.everything(actor=request.actor, team_name=command.team)
    team = entries[0].team_name if entries else command.team or "team"
    dm = request.client.conversations_open(users=request.actor.user_id)["channel"]["id"]
    request.client.files_upload_v2(
        channel=dm,
        content=audit.audit_csv(entries),
        filename=f"lobby-audit-{team}.csv",
        title=f"Lobby audit log: {team}",
    )
    return audit.audit_sent(team)


def _stats(request: Request, command: cl.Stats) -> dict:
    return stats_blocks.stats_message(
        request.lobby.stats.show(actor=request.actor, team_name=command.team)
    )


RUNNERS = {
    cl.Seats: _seats,
    cl.Settings: _settings,
    cl.Audit: _audit,
    cl.Stats: _stats,
}
