"""`/invite help`: every form of the command, one line each."""

from handlers.blocks.common import (
    message,
)

HELP_ROWS = [
    ("", "admins: the invite form"),
    ('@alice @bob [to TEAM] [as ROLE[,ROLE]] [message "…"]', "invite Slack users"),
    ('a@x.com, b@y.org [to TEAM] [as ROLE] [message "…"]', "invite by email (up to 50 in all)"),
    ("list [TEAM] [pending|accepted|declined|expired|cancelled|all]", "invitations"),
    ("link [TEAM] · link reset [TEAM]", "show the invite link and code · make a new one"),
    ("link limit [TEAM] [uses N] [expires DAYS|never]", "limits on the invite code"),
    ("link resume [TEAM]", "resume a link its hourly join limit paused"),
    ("link domains [TEAM] DOMAIN[,DOMAIN]|any", "limit link joins to email domains"),
    ("card [TEAM]", "post a join card in this channel"),
    ("join CODE", "join with an invite code"),
    ("request [TEAM] [note…]", "ask to join"),
    ("request role ROLE [in TEAM] [note…]", "ask for another role"),
    ("requests [TEAM]", "pending join requests"),
    ("members [TEAM]", "members with their roles, who brought each in, when access ends"),
    ("role @alice ROLE[,ROLE] [in TEAM]", "set a member's roles"),
    ("roles [TEAM] · role create NAME PERM[,PERM] · role delete NAME", "roles"),
    ("transfer TEAM @alice · team delete TEAM", "hand over ownership · delete a team"),
    ("remove @alice [from TEAM]", "remove a member"),
    ("@alice … for N days · @alice … until YYYY-MM-DD", "invite for a time (any invite form)"),
    ("extend @alice [in TEAM] N days|until DATE|permanent", "change when access ends"),
    ("team create NAME [parent PARENT] · team link TEAM #chan @group · teams", "teams"),
    ("seats [TEAM] [N|starter|professional|enterprise|unlimited]", "seat limit"),
    (
        "waitlist [TEAM] · waitlist join [TEAM] · waitlist leave [TEAM]",
        "the waitlist (admins) · join it · leave it",
    ),
    ("settings [TEAM]", "team settings"),
    ("audit [TEAM] [csv]", "recent changes, or all as CSV"),
    ("stats [TEAM]", "invite analytics of the last 30 days"),
    ("help", "this list"),
]


def help_message(command: str) -> dict:
    lines = [f"`{command} {form}`".replace(" `", "`") + f" — {what}" for form, what in HELP_ROWS]
    text = "*Lobby* — invitations and join requests for teams.\n" + "\n".join(lines)
    return message(text)
