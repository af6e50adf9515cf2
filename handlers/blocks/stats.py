"""`stats`: a root team's invite analytics of the last 30 days, for its admins."""

from datetime import timedelta

from bot.stats.service import TeamStats
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import context, header, section

NOT_AVAILABLE = "n/a"
PATHS = (("invitation", "by invitation"), ("link", "by link"), ("request", "by request"))
WINDOW_NOTE = (
    "The last 30 days, since {since}. Invitations and requests are those sent or made "
    "in that time; joins count people who have left since."
)
SUB_TEAM_NOTE = "{named} is a sub-team of {root}: its members and invitations are {root}'s."


def stats_message(stats: TeamStats) -> dict:
    lines = [_joins(stats), _invitations(stats), _medians(stats), _link(stats), _inviters(stats)]
    notes = [WINDOW_NOTE.format(since=md.date(stats.since))]
    if stats.asked_for != stats.team:
        notes.append(SUB_TEAM_NOTE.format(named=md.team(stats.asked_for), root=md.team(stats.team)))
    return {
        "text": f"Invite analytics for {stats.team}",
        "blocks": [
            header(f"Invite analytics: {stats.team}"),
            section("\n".join(lines)),
            context(" ".join(notes)),
        ],
    }


def _joins(stats: TeamStats) -> str:
    by_path = " · ".join(f"{label} {stats.joins[path]}" for path, label in PATHS)
    return f"*Joins:* {sum(stats.joins.values())} ({by_path})"


def _invitations(stats: TeamStats) -> str:
    rate = NOT_AVAILABLE if stats.acceptance_rate is None else f"{stats.acceptance_rate:.0%}"
    return (
        f"*Invitations sent:* {stats.sent} · accepted {stats.accepted} · "
        f"expired {stats.expired} · acceptance rate {rate}"
    )


def _medians(stats: TeamStats) -> str:
    return (
        f"*Median time* to accept an invitation: {duration(stats.median_to_accept)} · "
        f"to decide a join request: {duration(stats.median_to_decide)}"
    )


def _link(stats: TeamStats) -> str:
    if stats.link_reset_at is None:
        return "*Link:* no invite code yet"
    return (
        f"*Link:* {stats.link_joins} joined since it was last reset, {md.date(stats.link_reset_at)}"
    )


def _inviters(stats: TeamStats) -> str:
    if not stats.top_inviters:
        return "*Top inviters:* no accepted invitations yet"
    ranked = " · ".join(
        f"{place}. {md.user(top.user_id)} {top.accepted}"
        for place, top in enumerate(stats.top_inviters, start=1)
    )
    return f"*Top inviters* (accepted invitations): {ranked}"


def duration(span: timedelta | None) -> str:
    """A median as people say it: "3 h 20 min", "2 d 5 h", "under a minute"."""
    if span is None:
        return NOT_AVAILABLE
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"
