"""8. Fan-out under Slack's rate limit tiers: ten `/invite` commands of 50 @mentions each
(500 invitees) from 8 clients at once, against a stand-in that enforces every method's
tier per workspace (tests/support/slack_tiers.py: t1-t4 per sliding minute, t5 per
channel with a burst of 3), answering 429 with Retry-After as Slack does.

The same load runs first against the stand-in without tiers and Lobby unpaced (the free
run), then with them. The team's one admin sends every command (Lobby runs one person's commands in
order, so they run one after another in both runs). Times are from the first command
sent: to the last invitee's DM, and to the last App Home publish once everything
settled ("every Home current").
"""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import Goal, Section, table
from bench.workspaces import Deployment, person
from handlers.delivery.pacing import Pacer

COMMANDS, MENTIONS, CLIENTS = 10, 50, 8
HOMES_PER_MINUTE = 100  # views.publish is tier 4
SETTLE_S = 1200


def run() -> Section:
    section = Section("8. Fan-out under Slack's tiers: 500 invitees from 8 clients")
    free = fan_out(tiers=False)
    tiered = fan_out(tiers=True)
    dm_floor = free["dm_s"]
    windows = math.ceil(tiered["homes"] / HOMES_PER_MINUTE)
    home_floor = max(free["home_s"], free["dm_s"] + 60 * (windows - 1))
    dm_ratio, home_ratio = tiered["dm_s"] / dm_floor, tiered["home_s"] / home_floor
    share = 100 * tiered["429s"] / tiered["calls"]
    rows = [
        [
            name,
            r["dm_s"],
            r["home_s"],
            r["homes"],
            r["publishes"],
            r["calls"],
            r["429s"],
            r["lost"],
            r["repeated"],
        ]
        for name, r in (("no tiers (free run)", free), ("Slack's tiers", tiered))
    ]
    section.tables.append(
        table(
            [
                "run",
                "last invitee DM s",
                "every Home current s",
                "Homes",
                "views.publish",
                "Web API calls",
                "429s",
                "lost",
                "repeated",
            ],
            rows,
        )
    )
    section.tables.append(
        table(
            ["measure", "value", "floor", "ratio", "goal"],
            [
                ["last invitee DM", tiered["dm_s"], dm_floor, f"{dm_ratio:.2f}×", "≤ 1.1×"],
                [
                    "every Home current",
                    tiered["home_s"],
                    home_floor,
                    f"{home_ratio:.2f}×",
                    "≤ 1.1×",
                ],
                ["429s / calls", f"{share:.1f}%", "", "", "≤ 2%"],
            ],
        )
    )
    section.notes.append(
        "Floors: the tiers allow every invitee's DM at once (one message per DM channel, "
        "within tier 5's burst), so the DMs' floor is the free run's time to the last DM. "
        f"Homes come after the DMs by design; tier 4 allows {HOMES_PER_MINUTE} publishes a "
        f"minute, so {tiered['homes']} Homes need {windows} windows: their floor is the "
        "free run's time to the last DM plus 60 s per window after the first (or the free "
        "run's own time to every Home current, if longer). Lost: an invitee without a DM, "
        "or whose last published Home does not show the invitation. Repeated: an invitee "
        "DM'd more than once."
    )
    section.goals += [
        Goal("invitee DMs ≤ 1.1× their floor", dm_ratio <= 1.1, f"{dm_ratio:.2f}×"),
        Goal("every Home current ≤ 1.1× its floor", home_ratio <= 1.1, f"{home_ratio:.2f}×"),
        Goal("429s ≤ 2% of calls", share <= 2, f"{tiered['429s']} of {tiered['calls']}"),
        Goal(
            "nothing lost or repeated",
            tiered["lost"] == tiered["repeated"] == 0,
            f"lost {tiered['lost']}, repeated {tiered['repeated']}",
        ),
    ]
    section.summary = (
        f"fan-out under Slack's tiers: DMs {dm_ratio:.2f}× their floor, Homes "
        f"{home_ratio:.2f}× their floor, 429s {share:.1f}%, lost {tiered['lost']}, "
        f"repeated {tiered['repeated']}"
    )
    return section


def fan_out(*, tiers: bool) -> dict:
    # The free run is Lobby unpaced as well: what the work takes without any tier.
    unpaced = None if tiers else Pacer(time.monotonic, tiers={})
    d = Deployment(1, people=COMMANDS * MENTIONS, pacer=unpaced)
    try:
        d.settled(60)
        if tiers:
            d.slack.enforce_tiers()
        first_call = len(d.slack.calls)
        batches = [[person(0, c * MENTIONS + i) for i in range(MENTIONS)] for c in range(COMMANDS)]
        started = time.time()
        with ThreadPoolExecutor(CLIENTS) as clients:
            urls = list(clients.map(lambda c: d.invite(0, batches[c]), range(COMMANDS)))
        d.answered(urls, SETTLE_S)
        invitees = [p for batch in batches for p in batch]
        last_dm = max(d.first_dm_at(0, p, SETTLE_S) for p in invitees)
        d.settled(SETTLE_S)
        time.sleep(2)  # nothing more comes
        calls = d.slack.calls[first_call:]
    finally:
        d.stop()
    return measured(calls, invitees, started, last_dm)


def measured(calls, invitees, started: float, last_dm: float) -> dict:
    publishes = [c for c in calls if c.method == "views.publish" and c.ok]
    dms: dict[str, int] = {}
    for call in calls:
        if call.method == "chat.postMessage" and call.ok:
            channel = str(call.args.get("channel"))
            dms[channel] = dms.get(channel, 0) + 1
    last_home = {}
    for call in publishes:
        last_home[call.args["user_id"]] = call.args["view"]
    current = {
        user
        for user, view in last_home.items()
        if "invitation_accept" in (view if isinstance(view, str) else json.dumps(view))
    }
    lost = sum(1 for p in invitees if not dms.get(p) or p not in current)
    return {
        "dm_s": last_dm - started,
        "home_s": max(c.at for c in publishes) - started,
        "homes": len(last_home),
        "publishes": len(publishes),
        "calls": len(calls),
        "429s": sum(1 for c in calls if c.status == 429),
        "lost": lost,
        "repeated": sum(1 for p in invitees if dms.get(p, 0) > 1),
    }
