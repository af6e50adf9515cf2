"""`/invite` runners for invite links, codes and join cards."""

from slack_sdk.errors import SlackApiError

from bot.errors import BotNotInChannel
from bot.links.service import Joined
from handlers import command_language as cl
from handlers.blocks import links, requests
from handlers.slack.context import Request


def _show_link(request: Request, command: cl.ShowLink) -> dict:
    info = request.lobby.links.show(actor=request.actor, team_name=command.team)
    return links.link_info(info, permalink_of(request.client, info.latest_card))


def _reset_link(request: Request, command: cl.ResetLink) -> dict:
    info = request.lobby.links.reset(actor=request.actor, team_name=command.team)
    return links.link_reset(info, permalink_of(request.client, info.latest_card))


def _resume_link(request: Request, command: cl.ResumeLink) -> dict:
    info = request.lobby.links.resume(actor=request.actor, team_name=command.team)
    return links.link_resumed(info, permalink_of(request.client, info.latest_card))


def _link_domains(request: Request, command: cl.LinkDomains) -> dict:
    domains = None if command.domains is None else list(command.domains)
    info = request.lobby.links.set_domains(
        actor=request.actor, team_name=command.team, domains=domains
    )
    return links.link_info(info, permalink_of(request.client, info.latest_card))


def _limit_link(request: Request, command: cl.LimitLink) -> dict:
    info = request.lobby.links.limit(
        actor=request.actor,
        team_name=command.team,
        max_uses=command.max_uses,
        expires_days=command.expires_days,
        never_expires=command.never_expires,
    )
    return links.link_info(info, permalink_of(request.client, info.latest_card))


def _post_card(request: Request, command: cl.PostCard) -> dict:
    card = request.lobby.links.card(actor=request.actor, team_name=command.team)
    try:
        posted = request.client.chat_postMessage(
            channel=request.channel_id, **links.join_card(card)
        )
    except SlackApiError as error:
        if error.response.get("error") in ("not_in_channel", "channel_not_found"):
            raise BotNotInChannel() from error
        raise
    request.lobby.links.remember_card(
        actor=request.actor, team_id=card.team_id, channel=posted["channel"], ts=posted["ts"]
    )
    return links.card_posted(card.team)


def _join_with_code(request: Request, command: cl.JoinWithCode) -> dict:
    invitation = request.lobby.invitations.accept_code(actor=request.actor, code=command.code)
    if invitation is not None:
        return links.joined(Joined(team=invitation.team.name, roles=invitation.role_names))
    joined = request.lobby.links.join_with_code(
        actor=request.actor, code=command.code, directory=request.directory
    )
    return requests.request_sent(joined.team) if joined.requested else links.joined(joined)


def permalink_of(client, card: tuple[str, str] | None) -> str | None:
    """The team's link: the permalink of its newest join card (a Slack read)."""
    if card is None:
        return None
    channel, ts = card
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None


RUNNERS = {
    cl.ShowLink: _show_link,
    cl.ResetLink: _reset_link,
    cl.ResumeLink: _resume_link,
    cl.LinkDomains: _link_domains,
    cl.LimitLink: _limit_link,
    cl.PostCard: _post_card,
    cl.JoinWithCode: _join_with_code,
}
