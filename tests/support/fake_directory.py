"""An in-memory Slack directory for service tests (Slack is outside our code)."""

from bot.errors import UserGroupsUnavailable
from bot.ports import ChannelFacts, UserGroupFacts


class FakeDirectory:
    def __init__(self):
        self.admins: set[str] = set()
        self.emails: dict[str, str] = {}
        self.channels: dict[str, ChannelFacts] = {}
        self.usergroups: dict[str, UserGroupFacts] = {}
        self.usergroups_available = True
        self.lookups: list[str] = []

    def is_workspace_admin(self, user_id: str) -> bool:
        self.lookups.append(f"admin?{user_id}")
        return user_id in self.admins

    def user_for_email(self, email: str) -> str | None:
        self.lookups.append(f"email?{email}")
        return self.emails.get(email)

    def email_of(self, user_id: str) -> str | None:
        self.lookups.append(f"email-of?{user_id}")
        return next((e for e, user in self.emails.items() if user == user_id), None)

    def channel(self, *, channel_id=None, name=None):
        for facts in self.channels.values():
            if facts.channel_id == channel_id or (name and facts.name == name):
                return facts
        return None

    def usergroup(self, *, usergroup_id=None, handle=None):
        if not self.usergroups_available:
            raise UserGroupsUnavailable()
        for facts in self.usergroups.values():
            if facts.usergroup_id == usergroup_id or (handle and facts.handle == handle):
                return facts
        return None
