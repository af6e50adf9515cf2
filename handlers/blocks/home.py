"""The App Home tab and its "show all" modal: pure builders from `bot.home.service` data.

A view holds at most 100 blocks, so every list is cut (the service already
sends at most `bot.home.SHOWN` rows of each admin list, with its total), and
admin team sections that no longer fit are left out whole, with a line saying
how many and where to find them.
"""

from bot.home.service import INVITATIONS, REQUESTS, AdminTeam, Home, ShowAllPage
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    actions,
    button,
    context,
    divider,
    header,
    plain_text,
    role_option,
    section,
)
from handlers.blocks.invitations import (
    ACCEPT_INVITATION,
    CANCEL_INVITATION,
    DECLINE_INVITATION,
    RESEND_INVITATION,
)
from handlers.blocks.links import REQUEST_FROM_CARD
from handlers.blocks.requests import APPROVE_REQUEST, DENY_REQUEST, REQUEST_ROLE
from handlers.blocks.role_requests import home_role_requests
from handlers.blocks.seats import seat_line

# Buttons. Each carries "KIND|TEAM|PAGE" (see `show_all_value`): KIND is
# bot.home.REQUESTS or bot.home.INVITATIONS, PAGE counts from 1.
HOME_SHOW_ALL = "home_show_all"  # on the Home tab: open the modal at page 1


HOME_PAGE_PREVIOUS = "home_show_all_previous"  # in the modal: show that page


HOME_PAGE_NEXT = "home_show_all_next"


SHOW_ALL_MODAL = "home_show_all_modal"  # the modal's callback_id; its private_metadata


VIEW_BLOCK_LIMIT = 100


TEAMS_SHOWN = 20


SUB_TEAMS_SHOWN = 5


MY_INVITATIONS_SHOWN = 5


MY_REQUESTS_SHOWN = 10


NOTE_SHOWN = 500  # characters of a request's note


# Wording.
YOUR_TEAMS = "Your teams"


YOUR_INVITATIONS = "Your invitations"


YOUR_REQUESTS = "Your requests"


WELCOME = (
    "*Welcome to Lobby!* You are not in a team yet.\n"
    "• Ask to join one: `/invite request TEAM` (add a note after the team name).\n"
    "• Start one (workspace admins): `/invite team create NAME`."
)


TEAM_LINE = "{team} · {roles}"


SUB_TEAMS = " (sub-teams: {names})"


YOUR_ACCESS_ENDS = " · your access ends {date}"


INVITED_YOU = "{inviter} invited you to {team} as *{roles}*.\nExpires {date}."


ASKED = "{team} · asked {date}, waiting for an admin"


PENDING_REQUESTS = "*Pending requests* ({total})"


PENDING_INVITATIONS = "*Pending invitations* ({total})"


NONE_WAITING = "none"


REQUEST_LINE = "{user} asks to join · {date}"


INVITATION_LINE = "{who} · {roles} · invited by {inviter} · expires {date}"


RECENT_JOINS = "*Joined in the last 7 days* ({total})"


JOIN_LINE = "{user} · {date}"


MORE = "…and {count} more."


MORE_TEAMS = (
    "…and {count} more teams you manage: use `/invite requests TEAM` and `/invite list TEAM`."
)


SHOW_ALL = "Show all"


MODAL_TITLES = {REQUESTS: "Pending requests", INVITATIONS: "Pending invitations"}


PAGE_HEADLINE = "{team} · {total} pending · page {page} of {pages}"


NOTHING_WAITING = "Nothing is waiting."


def show_all_value(kind: str, team: str, page: int) -> str:
    return f"{kind}|{team}|{page}"


def parse_show_all(value: str) -> tuple[str, str, int]:
    """(kind, team, page) from a show-all or pager button's value (or the modal's metadata)."""
    kind, team, page = value.split("|")
    return kind, team, int(page)


def home_view(home: Home, note: str | None = None, role_requests=None) -> dict:
    """The Home tab: your teams, invitations and requests, then each team you manage.
    A `note` (the answer to a click made in the Home) comes first; `role_requests`
    (`bot.home.role_requests`) follow the join requests."""
    blocks = [
        *([section(note), divider()] if note else []),
        *_your_teams(home),
        *_your_invitations(home),
        *_your_requests(home),
        *(home_role_requests(role_requests) if role_requests else []),
        *_askable(home),
    ]
    budget = VIEW_BLOCK_LIMIT - len(blocks) - 1  # one kept for the "more teams" line
    for index, team in enumerate(home.admin_teams):
        team_blocks = _admin_team(team)
        if len(team_blocks) > budget:
            left_out = len(home.admin_teams) - index
            blocks.append(context(MORE_TEAMS.format(count=left_out)))
            break
        blocks.extend(team_blocks)
        budget -= len(team_blocks)
    return {"type": "home", "blocks": blocks}


def show_all_modal(page: ShowAllPage, note: str | None = None) -> dict:
    """One page (of up to 20) of a team's pending requests or invitations; a `note` (the
    answer to a click made in it) comes first."""
    headline = PAGE_HEADLINE.format(
        team=md.team(page.team), total=page.total, page=page.page, pages=page.pages
    )
    blocks = [*([section(note), divider()] if note else []), section(headline)]
    for row in page.rows:
        if page.kind == REQUESTS:
            blocks.extend(_request(row, page.grantable_roles, page.default_role))
        else:
            blocks.extend(_pending_invitation(row))
    if not page.rows:
        blocks.append(context(NOTHING_WAITING))
    if page.pages > 1:
        blocks.append(_pager(page))
    return {
        "type": "modal",
        "callback_id": SHOW_ALL_MODAL,
        "private_metadata": show_all_value(page.kind, page.team, page.page),
        "title": plain_text(MODAL_TITLES[page.kind]),
        "close": plain_text("Close"),
        "blocks": blocks,
    }


def _your_teams(home: Home) -> list[dict]:
    if not home.teams:
        return [section(WELCOME)]
    lines = []
    for mine in home.teams[:TEAMS_SHOWN]:
        line = TEAM_LINE.format(team=md.team(mine.team), roles=md.roles(mine.roles))
        if mine.sub_teams:
            names = ", ".join(md.team(name) for name in mine.sub_teams[:SUB_TEAMS_SHOWN])
            more = len(mine.sub_teams) - SUB_TEAMS_SHOWN
            line += SUB_TEAMS.format(names=names + (f" +{more}" if more > 0 else ""))
        if mine.ends_at:
            line += YOUR_ACCESS_ENDS.format(date=md.date(mine.ends_at))
        lines.append(line)
    lines += _more(len(home.teams) - TEAMS_SHOWN)
    return [header(YOUR_TEAMS), section("\n".join(lines))]


def _your_invitations(home: Home) -> list[dict]:
    if not home.invitations:
        return []
    blocks = [header(YOUR_INVITATIONS)]
    for invitation in home.invitations[:MY_INVITATIONS_SHOWN]:
        text = INVITED_YOU.format(
            inviter=md.user(invitation.inviter),
            team=md.team(invitation.team),
            roles=md.roles(invitation.roles),
            date=md.date(invitation.expires_at),
        )
        value = f"{invitation.invitation_id}:{invitation.generation}"
        buttons = [
            button("Accept", ACCEPT_INVITATION, value, "primary"),
            button("Decline", DECLINE_INVITATION, value),
        ]
        blocks += [section(text), actions(f"invitation:{invitation.invitation_id}", buttons)]
    more = _more(len(home.invitations) - MY_INVITATIONS_SHOWN)
    return blocks + [context(line) for line in more]


def _your_requests(home: Home) -> list[dict]:
    if not home.requests:
        return []
    lines = [
        ASKED.format(team=md.team(request.team), date=md.date(request.created_at))
        for request in home.requests[:MY_REQUESTS_SHOWN]
    ]
    lines += _more(len(home.requests) - MY_REQUESTS_SHOWN)
    return [header(YOUR_REQUESTS), section("\n".join(lines))]


ASK_TO_JOIN = "Teams you can ask to join"


ASKABLE_SHOWN = 10


def _askable(home: Home) -> list[dict]:
    """A Request to join button per team the person is not in (the same as a join card's)."""
    if not home.askable:
        return []
    blocks = [header(ASK_TO_JOIN)]
    for team_id, name in home.askable[:ASKABLE_SHOWN]:
        ask = button("Request to join", REQUEST_FROM_CARD, str(team_id))
        blocks.append({**section(md.team(name)), "accessory": ask})
    return blocks


def _admin_team(team: AdminTeam) -> list[dict]:
    use = team.seats
    blocks = [
        header(team.team),
        context(seat_line(use.members, use.pending_invitations, use.limit)),
    ]
    if team.requests is not None:
        blocks.append(_list_heading(PENDING_REQUESTS, REQUESTS, team.team, team.requests))
        for request in team.requests.shown:
            blocks.extend(_request(request, team.grantable_roles, team.default_role))
    if team.invitations is not None:
        blocks.append(_list_heading(PENDING_INVITATIONS, INVITATIONS, team.team, team.invitations))
        for invitation in team.invitations.shown:
            blocks.extend(_pending_invitation(invitation))
    joins = team.recent_joins
    if joins.total:
        lines = [
            JOIN_LINE.format(user=md.user(join.user_id), date=md.date(join.joined_at))
            for join in joins.shown
        ]
        heading = RECENT_JOINS.format(total=joins.total)
        blocks.append(section("\n".join([heading, *lines, *_more(joins.more)])))
    return blocks


def _list_heading(template: str, kind: str, team: str, capped) -> dict:
    text = template.format(total=capped.total)
    if not capped.total:
        text += f": {NONE_WAITING}"
    elif capped.more:
        text += " " + MORE.format(count=capped.more)
    block = section(text)
    if capped.more:
        block["accessory"] = button(SHOW_ALL, HOME_SHOW_ALL, show_all_value(kind, team, 1))
    return block


def _request(request, roles: list[str], default_role: str) -> list[dict]:
    text = REQUEST_LINE.format(user=md.user(request.requester), date=md.date(request.created_at))
    if request.note:
        note = request.note[:NOTE_SHOWN] + ("…" if len(request.note) > NOTE_SHOWN else "")
        text += "\n" + md.quote(note)
    elements = []
    if roles:
        initial = default_role if default_role in roles else roles[0]
        elements.append(
            {
                "type": "static_select",
                "action_id": REQUEST_ROLE,
                "options": [role_option(role) for role in roles],
                "initial_option": role_option(initial),
            }
        )
    value = str(request.request_id)
    elements += [
        button("Approve", APPROVE_REQUEST, value, "primary"),
        button("Deny", DENY_REQUEST, value, "danger"),
    ]
    return [section(text), actions(f"request:{request.request_id}", elements)]


def _pending_invitation(invitation) -> list[dict]:
    invitee = invitation.invitee_user_id
    text = INVITATION_LINE.format(
        who=md.user(invitee) if invitee else md.escape(invitation.invitee_email or ""),
        roles=md.roles(invitation.roles),
        inviter=md.user(invitation.inviter),
        date=md.date(invitation.expires_at),
    )
    value = str(invitation.invitation_id)
    buttons = [
        button("Resend", RESEND_INVITATION, value),
        button("Cancel", CANCEL_INVITATION, value, "danger"),
    ]
    return [section(text), actions(f"pending_invitation:{invitation.invitation_id}", buttons)]


def _pager(page: ShowAllPage) -> dict:
    elements = []
    for label, action_id, target in (
        ("Previous", HOME_PAGE_PREVIOUS, page.page - 1),
        ("Next", HOME_PAGE_NEXT, page.page + 1),
    ):
        if 1 <= target <= page.pages:
            elements.append(button(label, action_id, show_all_value(page.kind, page.team, target)))
    return actions("pager", elements)


def _more(count: int) -> list[str]:
    return [MORE.format(count=count)] if count > 0 else []
