"""6. `/invite stats` for a team of 100, 1,000 and 10,000 members: queries and time.

A render is the service call plus its Block Kit builder, as the listener runs them, by
the team's Owner. Each size is a fresh database holding a year of history bulk-inserted
with insert_many: members who joined by invitation (half), link (30%) and request (20%),
each with their `member.joined` audit row; for each joiner the accepted invitation or
approved request that let them in, plus declined, expired, cancelled and pending
invitations (about 40% more) and denied, expired and pending requests (about 20% more)
from 20 inviters and approvers; link joins spread over four codes, three of them reset.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import Goal, QueryCounter, Section, ratio, table
from bench.sweep import fresh_database
from bot import audit
from bot.access import Actor
from bot.service import Lobby
from handlers.blocks.stats import stats_message
from storage.db import db
from storage.models import (
    AuditEntry,
    Invitation,
    InviteCode,
    JoinRequest,
    LinkJoin,
    MemberRole,
    Membership,
    Team,
)
from tests.support.clock import ManualClock
from tests.support.fake_directory import FakeDirectory

SIZES = (100, 1_000, 10_000)
REPEATS = 15
HISTORY_DAYS = 365
INVITERS = [f"U1{n:07d}" for n in range(20)]
ADMIN = Actor(workspace_id="T0LOBBY", user_id="U0ADMIN1")
NOW = datetime(2026, 3, 1, 12, 0, 0)
BATCH = 500


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start : start + BATCH]).execute()


class History:
    """The rows of a year of a team's history, made with a fixed seed."""

    def __init__(self, team: Team, members: int):
        self.team, self.random = team, random.Random(members)
        self.rows: dict[type, list[dict]] = {
            Membership: [],
            AuditEntry: [],
            Invitation: [],
            JoinRequest: [],
        }
        self.resets = sorted(self.moment() for _ in range(3))
        self.links: list[tuple[datetime, str]] = []  # joined_at, user_id
        for n in range(members - 1):  # the Owner is a member already
            self.member(f"U3{n:07d}")
        for n in range(members * 2 // 5):
            self.invitation(f"U4{n:07d}", self.random.choice(["declined", "expired", "pending"]))
        for n in range(members // 5):
            self.request(f"U5{n:07d}", self.random.choice(["denied", "expired", "pending"]))

    def moment(self) -> datetime:
        return NOW - timedelta(seconds=self.random.randrange(HISTORY_DAYS * 86400))

    def member(self, user_id: str) -> None:
        via = self.random.choices(["invitation", "link", "request"], [5, 3, 2])[0]
        joined = self.moment()
        by = self.random.choice(INVITERS) if via != "link" else None
        if via == "invitation":
            self.invitation(user_id, "accepted", decided=joined, by=by)
        elif via == "request":
            self.request(user_id, "approved", decided=joined, by=by)
        else:
            self.links.append((joined, user_id))
        self.rows[Membership].append(
            dict(
                workspace_id="T0LOBBY",
                team=self.team.id,
                user_id=user_id,
                joined_at=joined,
                joined_via=via,
                added_by=by,
            )
        )
        self.rows[AuditEntry].append(
            audit.entry(
                workspace_id="T0LOBBY",
                now=joined,
                action="member.joined",
                actor=by,
                team=self.team,
                target=user_id,
                roles=["member"],
                via=via,
            )
        )

    def invitation(self, user_id, status, decided=None, by=None) -> None:
        decided = decided or self.moment()
        created = decided - timedelta(minutes=self.random.randrange(1, 7 * 24 * 60))
        if status == "expired":
            created = decided - timedelta(days=7)
        if status == "pending":
            created = NOW - timedelta(minutes=self.random.randrange(1, 7 * 24 * 60))
        self.rows[Invitation].append(
            dict(
                workspace_id="T0LOBBY",
                team=self.team.id,
                invitee_user_id=user_id,
                inviter_user_id=by or self.random.choice(INVITERS),
                roles="member",
                status=status,
                token_hash=f"bench-{user_id}",
                created_at=created,
                last_sent_at=created,
                expires_at=created + timedelta(days=7),
                decided_at=None if status == "pending" else decided,
            )
        )

    def request(self, user_id, status, decided=None, by=None) -> None:
        decided = decided or self.moment()
        created = decided - timedelta(minutes=self.random.randrange(1, 14 * 24 * 60))
        if status == "pending":
            created = NOW - timedelta(minutes=self.random.randrange(1, 14 * 24 * 60))
        decider = by or self.random.choice(INVITERS)
        self.rows[JoinRequest].append(
            dict(
                workspace_id="T0LOBBY",
                team=self.team.id,
                requester_user_id=user_id,
                status=status,
                created_at=created,
                expires_at=created + timedelta(days=14),
                decided_at=None if status == "pending" else decided,
                decided_by=decider if status in ("approved", "denied") else None,
            )
        )


def populate(lobby: Lobby, members: int) -> None:
    directory = FakeDirectory()
    directory.admins.add(ADMIN.user_id)
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    history = History(team, members)
    with db.atomic():
        for model, rows in history.rows.items():
            _insert(model, rows)
        ids = Membership.select(Membership.id).where(
            Membership.team == team, Membership.user_id != ADMIN.user_id
        )
        _insert(
            MemberRole, [dict(workspace_id="T0LOBBY", membership=m.id, role="member") for m in ids]
        )
        _link_joins(team, history)


def _link_joins(team: Team, history: History) -> None:
    """Retire the code made with the team at each reset; each link join used the code
    that was current when it happened."""
    codes = [InviteCode.current(team)]
    InviteCode.update(created_at=NOW - timedelta(days=HISTORY_DAYS)).execute()
    for n, reset in enumerate(history.resets):
        InviteCode.update(retired_at=reset).where(InviteCode.id == codes[-1].id).execute()
        codes.append(
            InviteCode.create(workspace_id="T0LOBBY", team=team, code=f"bench{n}", created_at=reset)
        )
    starts = [NOW - timedelta(days=HISTORY_DAYS), *history.resets]
    rows = []
    for joined, user_id in history.links:
        code = codes[sum(1 for start in starts[1:] if start <= joined)]
        rows.append(
            dict(
                workspace_id="T0LOBBY",
                team=team.id,
                code=code.id,
                user_id=user_id,
                joined_at=joined,
            )
        )
    _insert(LinkJoin, rows)


def render(lobby: Lobby) -> dict:
    return stats_message(lobby.stats.show(actor=ADMIN, team_name=None))


def measure(kind: str, members: int, workdir: Path) -> dict:
    fresh_database(kind, workdir)
    lobby = Lobby(clock=ManualClock(NOW))
    with db.connection_context():
        lobby.clock.current = NOW - timedelta(days=HISTORY_DAYS + 1)
        populate(lobby, members)
        lobby.clock.current = NOW
        if kind == "postgres":
            db.execute_sql("ANALYZE")
        render(lobby)  # warm
        with QueryCounter() as counter:
            shown = lobby.stats.show(actor=ADMIN, team_name=None)
            stats_message(shown)
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            render(lobby)
            times.append(time.perf_counter() - started)
    db.close()
    return {
        "queries": counter.count,
        "ms": statistics.median(times) * 1000,
        "joins": sum(shown.joins.values()),
        "sent": shown.sent,
    }


def run() -> Section:
    section = Section("6. `/invite stats` for a team of 100, 1,000 and 10,000 members")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-stats-"))
    rows, growing = [], []
    for kind in ("sqlite", "postgres"):
        results = {members: measure(kind, members, workdir) for members in SIZES}
        smallest = results[SIZES[0]]
        for members, result in results.items():
            if result["queries"] != smallest["queries"]:
                growing.append(f"{kind}: {smallest['queries']} → {result['queries']}")
            rows.append(
                [
                    kind,
                    members,
                    result["joins"],
                    result["sent"],
                    result["queries"],
                    result["ms"],
                    ratio(result["ms"], smallest["ms"]),
                ]
            )
    section.tables.append(
        table(
            [
                "database",
                "members",
                "joins in 30 days",
                "invitations sent in 30 days",
                "queries",
                "ms",
                "vs 100 members",
            ],
            rows,
        )
    )
    section.goals.append(
        Goal(
            "queries per `stats` a small constant, independent of team size",
            not growing,
            "; ".join(growing) or "the same count at 100, 1,000 and 10,000 members",
        )
    )
    section.notes.append(
        f"A year of history per team (see bench/stats.py); median of {REPEATS} renders "
        "(service call and Block Kit builder) after a warm-up, as the Owner; PostgreSQL "
        "after ANALYZE."
    )
    return section
