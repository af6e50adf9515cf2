"""Slack's rate limit tier of each Web API method Lobby calls, per workspace.

Copied from Slack's method reference (tests/slack_reference/methods/*.json,
`rate_limits`); tests/handlers/delivery/test_tiers.py checks the copy against it and
that every method Lobby calls is here.
"""

TIERS = {
    "auth.test": "t5",
    "chat.getPermalink": "t5",
    "chat.postEphemeral": "t4",
    "chat.postMessage": "t5",
    "chat.update": "t3",
    "conversations.history": "t3",
    "conversations.info": "t3",
    "conversations.invite": "t3",
    "conversations.join": "t3",
    "conversations.kick": "t3",
    "conversations.list": "t2",
    "conversations.open": "t3",
    "files.completeUploadExternal": "t4",
    "files.getUploadURLExternal": "t4",
    "usergroups.disable": "t2",
    "usergroups.list": "t2",
    "usergroups.users.list": "t2",
    "usergroups.users.update": "t2",
    "users.info": "t4",
    "users.lookupByEmail": "t3",
    "views.open": "t4",
    "views.publish": "t4",
    "views.push": "t4",
    "views.update": "t4",
}

# Calls a method of each tier may make per workspace in any minute.
PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
# Tier 5 posts messages: about one a second per channel, after a short burst.
PER_CHANNEL_PER_SECOND, PER_CHANNEL_BURST = 1.0, 3
