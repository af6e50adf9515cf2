"""Deliver membership sync: add people to linked channels and user groups, and take
away only what Lobby itself added, when they leave."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox import sync_notices as sn
from handlers.blocks import mrkdwn as md
from handlers.delivery.registry import Delivery, delivers


@delivers(sn.JoinChannel)
def _join_channel(delivery: Delivery, notice: sn.JoinChannel) -> None:
    delivery.client.conversations_join(channel=notice.channel_id)


@delivers(sn.AddToChannel)
def _add_to_channel(delivery: Delivery, notice: sn.AddToChannel) -> None:
    """Public channels: join first if needed. Private ones: ask the admins to add the bot."""
    try:
        _invite_to_channel(delivery.client, notice)
        delivery.granted(notice.user, "channel", notice.channel_id)
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "already_in_channel":
            return  # they joined by hand: not Lobby's to take away later
        if code in ("not_in_channel", "channel_not_found") and notice.is_private:
            text = (
                f"I couldn't add {md.user(notice.user)} to {md.channel(notice.channel_id)} "
                f"for {md.team(notice.team)}: it is private and I'm not in it. "
                "Add Lobby to the channel (channel details → Integrations → Add apps)."
            )
            delivery.tell_admins(notice.admins, text)
            return
        if code in PERMANENT_CHANNEL_ERRORS:
            text = (
                f"Slack refused to add {md.user(notice.user)} to "
                f"{md.channel(notice.channel_id)} for {md.team(notice.team)}: `{code}`."
            )
            delivery.tell_admins(notice.admins, text)
            return
        raise


PERMANENT_CHANNEL_ERRORS = {
    "is_archived",
    "cant_invite",
    "user_is_restricted",
    "ura_max_channels",
    "no_permission",
    "user_not_found",
    "channel_not_found",
}


def _invite_to_channel(client: WebClient, notice: sn.AddToChannel) -> None:
    """Raises on failure; returns only when Lobby itself added the person."""
    try:
        client.conversations_invite(channel=notice.channel_id, users=notice.user)
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel" or notice.is_private:
            raise
        client.conversations_join(channel=notice.channel_id)
        client.conversations_invite(channel=notice.channel_id, users=notice.user)


@delivers(sn.AddToUserGroup)
def _add_to_usergroup(delivery: Delivery, notice: sn.AddToUserGroup) -> None:
    """usergroups.users.update replaces the whole list: list, merge, update."""
    client = delivery.client
    try:
        users = client.usergroups_users_list(usergroup=notice.usergroup_id)["users"]
        if notice.user in users:
            return
        client.usergroups_users_update(
            usergroup=notice.usergroup_id, users=",".join([*users, notice.user])
        )
        delivery.granted(notice.user, "usergroup", notice.usergroup_id)
    except SlackApiError as error:
        if error.response.get("error") not in ("paid_teams_only", "no_such_subteam"):
            raise
        text = (
            f"I couldn't add {md.user(notice.user)} to the user group "
            f"@{md.escape(notice.handle)} for {md.team(notice.team)}: "
            f"`{error.response.get('error')}`."
        )
        delivery.tell_admins(notice.admins, text)


KICK_REFUSALS = {
    "cant_kick_from_general",
    "restricted_action",
    "cant_kick_self",
    "channel_not_found",
}


@delivers(sn.RemoveFromChannel)
def _remove_from_channel(delivery: Delivery, notice: sn.RemoveFromChannel) -> None:
    """A refused kick is recorded (the grant stays) and the admins are told."""
    try:
        delivery.client.conversations_kick(channel=notice.channel_id, user=notice.user)
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "not_in_channel":  # they left already
            delivery.revoked(notice.user, "channel", notice.channel_id)
            return
        if code not in KICK_REFUSALS:
            raise
        delivery.record_refusal(
            notice.team, "channel.kick_refused", notice.user, notice.channel_id, code
        )
        text = (
            f"Slack refused to remove {md.user(notice.user)} from "
            f"{md.channel(notice.channel_id)} ({md.team(notice.team)}): `{code}`. "
            "Remove them by hand if they should lose access."
        )
        delivery.tell_admins(notice.admins, text)
        return
    delivery.revoked(notice.user, "channel", notice.channel_id)


@delivers(sn.RemoveFromUserGroup)
def _remove_from_usergroup(delivery: Delivery, notice: sn.RemoveFromUserGroup) -> None:
    """List, drop, update; a group left empty is disabled (Slack refuses an empty list)."""
    client = delivery.client
    users = client.usergroups_users_list(usergroup=notice.usergroup_id)["users"]
    remaining = [user for user in users if user != notice.user]
    if remaining == users:
        delivery.revoked(notice.user, "usergroup", notice.usergroup_id)
        return
    if remaining:
        client.usergroups_users_update(usergroup=notice.usergroup_id, users=",".join(remaining))
    else:
        client.usergroups_disable(usergroup=notice.usergroup_id)
    delivery.revoked(notice.user, "usergroup", notice.usergroup_id)
