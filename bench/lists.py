"""4. Lists and the App Home for a big team: database queries per render and render time.

A render is the service call plus its Block Kit builder, as the listener runs them.
The same renders on a small team (100 members, 50 pending invitations, 20 requests)
are the baseline; the big team has 10,000 members, 5,000 pending invitations and
1,000 pending join requests, bulk-inserted with insert_many. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import Goal, QueryCounter, Section, ratio, table
from bench.sweep import fresh_database
from bot.access import Actor
from bot.home.service import INVITATIONS, all_pending, home_for
from bot.service import Lobby
from handlers.blocks import invitations as invitations_blocks
from handlers.blocks import requests as requests_blocks
from handlers.blocks import teams
from handlers.blocks.home import home_view, show_all_modal
from storage.db import db
from storage.models import Invitation, JoinRequest, MemberRole, Membership
from tests.support.fake_directory import FakeDirectory

SIZES = {"small": (100, 50, 20), "big": (10_000, 5_000, 1_000)}  # members, invitations, requests
REPEATS = 5
ADMIN = Actor(workspace_id="T0LOBBY", user_id="U0ADMIN1")


def populate(lobby: Lobby, members: int, invitations: int, requests: int) -> None:
    directory = FakeDirectory()
    directory.admins.add(ADMIN.user_id)
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    now = lobby.clock.now()
    joined = now - timedelta(days=1)
    with db.atomic():
        rows = [
            dict(
                workspace_id="T0LOBBY",
                team=team.id,
                user_id=f"U3{n:07d}",
                joined_at=joined,
                joined_via="invitation",
                added_by=ADMIN.user_id,
            )
            for n in range(members - 1)  # the admin is a member already
        ]
        for start in range(0, len(rows), 500):
            Membership.insert_many(rows[start : start + 500]).execute()
        ids = [m.id for m in Membership.select(Membership.id).where(Membership.team == team)]
        have_roles = {r.membership_id for r in MemberRole.select(MemberRole.membership)}
        roles = [
            dict(workspace_id="T0LOBBY", membership=i, role="member")
            for i in ids
            if i not in have_roles
        ]
        for start in range(0, len(roles), 500):
            MemberRole.insert_many(roles[start : start + 500]).execute()
        invites = [
            dict(
                workspace_id="T0LOBBY",
                team=team.id,
                invitee_user_id=f"U4{n:07d}",
                inviter_user_id=ADMIN.user_id,
                roles="member",
                status="pending",
                token_hash=f"bench{n}",
                created_at=joined,
                last_sent_at=joined,
                expires_at=now + timedelta(days=6),
            )
            for n in range(invitations)
        ]
        for start in range(0, len(invites), 500):
            Invitation.insert_many(invites[start : start + 500]).execute()
        asks = [
            dict(
                workspace_id="T0LOBBY",
                team=team.id,
                requester_user_id=f"U5{n:07d}",
                note="please",
                status="pending",
                created_at=joined,
                expires_at=now + timedelta(days=13),
            )
            for n in range(requests)
        ]
        for start in range(0, len(asks), 500):
            JoinRequest.insert_many(asks[start : start + 500]).execute()


def renders(lobby: Lobby) -> dict:
    """Each list as its listener builds it: service call, then the Block Kit builder."""

    def members():
        team, found = lobby.teams.members(actor=ADMIN, team_name=None)
        return teams.members_list(team.name, found)

    return {
        "/invite members": members,
        "/invite list": lambda: invitations_blocks.invitations_page(
            lobby.invitation_admin.list(actor=ADMIN, team_name=None, status="pending")
        ),
        "/invite requests": lambda: requests_blocks.pending_requests(
            lobby.requests.pending(actor=ADMIN, team_name=None)
        ),
        "/invite teams": lambda: teams.teams_list(lobby.teams.list(actor=ADMIN)),
        "App Home": lambda: home_view(home_for(actor=ADMIN, now=lobby.clock.now())),
        "Home: show all invitations": lambda: show_all_modal(
            all_pending(
                actor=ADMIN, kind=INVITATIONS, team_name="Design", page=1, now=lobby.clock.now()
            )
        ),
    }


def measure(kind: str, size: str, workdir: Path) -> dict:
    fresh_database(kind, workdir)
    lobby = Lobby()
    results = {}
    with db.connection_context():
        populate(lobby, *SIZES[size])
        for name, render in renders(lobby).items():
            render()  # warm
            with QueryCounter() as counter:
                built = render()
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                render()
                times.append(time.perf_counter() - started)
            results[name] = {
                "queries": counter.count,
                "ms": statistics.median(times) * 1000,
                "blocks": len(built.get("blocks", [])),
                "kb": len(json.dumps(built)) / 1024,
            }
    db.close()
    return results


def run() -> Section:
    section = Section("4. Lists and App Home for a team of 10,000 members")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-lists-"))
    rows, growing = [], []
    for kind in ("sqlite", "postgres"):
        small, big = measure(kind, "small", workdir), measure(kind, "big", workdir)
        for name in big:
            s, b = small[name], big[name]
            if b["queries"] > s["queries"]:
                growing.append(f"{kind} {name}: {s['queries']} → {b['queries']}")
            rows.append(
                [
                    kind,
                    name,
                    s["queries"],
                    b["queries"],
                    s["ms"],
                    b["ms"],
                    ratio(b["ms"], s["ms"]),
                    b["blocks"],
                    b["kb"],
                ]
            )
    section.tables.append(
        table(
            [
                "database",
                "render",
                "queries small",
                "queries big",
                "ms small",
                "ms big",
                "big vs small",
                "blocks (big)",
                "KiB (big)",
            ],
            rows,
        )
    )
    section.goals.append(
        Goal(
            "queries per render a small constant, not proportional to size",
            not growing,
            "; ".join(growing) or "the same count at 100 and 10,000 members for every render",
        )
    )
    section.notes.append(
        "small = 100 members, 50 pending invitations, 20 requests; big = 10,000 members, "
        "5,000 pending invitations, 1,000 requests; median of "
        f"{REPEATS} renders after a warm-up, as the Owner."
    )
    return section
