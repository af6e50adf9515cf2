"""The service's Directory port, answered by Slack's Web API."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import UserGroupsUnavailable
from bot.ports import ChannelFacts, UserGroupFacts

USERGROUPS_UNAVAILABLE = {"paid_teams_only", "plan_upgrade_required", "not_allowed_token_type"}


class SlackDirectory:
    def __init__(self, client: WebClient):
        self.client = client

    def is_workspace_admin(self, user_id: str) -> bool:
        user = self.client.users_info(user=user_id)["user"]
        return bool(user.get("is_admin") or user.get("is_owner"))

    def email_of(self, user_id: str) -> str | None:
        user = self.client.users_info(user=user_id)["user"]
        return user.get("profile", {}).get("email")

    def user_for_email(self, email: str) -> str | None:
        try:
            user = self.client.users_lookupByEmail(email=email)["user"]
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise
        return None if user.get("deleted") or user.get("is_bot") else user["id"]

    def channel(self, *, channel_id: str | None, name: str | None) -> ChannelFacts | None:
        info = self._channel_by_id(channel_id) if channel_id else self._channel_by_name(name)
        if info is None:
            return None
        return ChannelFacts(
            channel_id=info["id"],
            name=info.get("name") or name or info["id"],
            is_private=bool(info.get("is_private")),
            bot_is_member=bool(info.get("is_member")),
        )

    def _channel_by_id(self, channel_id: str) -> dict | None:
        try:
            return self.client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as error:
            if error.response.get("error") == "channel_not_found":
                return None
            raise

    def _channel_by_name(self, name: str | None) -> dict | None:
        for page in self.client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=200
        ):
            for channel in page["channels"]:
                if channel["name"] == name:
                    return channel
        return None

    def usergroup(self, *, usergroup_id: str | None, handle: str | None) -> UserGroupFacts | None:
        try:
            groups = self.client.usergroups_list(include_disabled=True)["usergroups"]
        except SlackApiError as error:
            if error.response.get("error") in USERGROUPS_UNAVAILABLE:
                raise UserGroupsUnavailable() from error
            raise
        for group in groups:
            if group["id"] == usergroup_id or group.get("handle") == handle:
                return UserGroupFacts(usergroup_id=group["id"], handle=group.get("handle", ""))
        return None
