"""Slack mrkdwn helpers. User text passes through `escape` exactly once on its way out."""

from datetime import UTC, datetime


def escape(text: str) -> str:
    """Escape &, < and > so user text never becomes a mention, link or <!channel>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def usergroup(usergroup_id: str) -> str:
    return f"<!subteam^{usergroup_id}>"


def team(name: str) -> str:
    return f"*{escape(name)}*"


def roles(names: list[str]) -> str:
    return ", ".join(escape(name.capitalize()) for name in names)


def date(moment: datetime) -> str:
    """A date Slack shows in each reader's time zone; stored times are naive UTC."""
    epoch = int(moment.replace(tzinfo=UTC).timestamp())
    fallback = moment.strftime("%b %d, %Y %H:%M UTC")
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])
