"""2. Bulk invitation by email: Web API calls, database queries, and wall time under
Slack's tier 3 limit on `users.lookupByEmail` (50 a minute, 429 + Retry-After beyond).

The app runs in this process (so peewee's statements can be counted) behind waitress,
against the stand-in: its web side (`app.create_web`: record in the intake, ack) and
its worker side (`app.create_worker`: the intake's runners and the outbox) on threads
of one process. Queries are counted apart for the command (its run, on the runner
threads) and for delivering its DMs (the outbox thread); the intake's own statements
(recording, claiming, settling, and the runners' idle polls) are left out.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from pathlib import Path

from waitress.server import create_server

from bench.common import SIGNING_SECRET, Goal, QueryCounter, Section, ratio, table
from bot.teams.settings import TeamSettings
from config import Settings
from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn, scopes_from_manifest

ADMIN = "U0ADMIN1"
LIMIT_PER_MINUTE = 50
COMMANDS, TARGETS = 3, 50
ROOT = Path(__file__).resolve().parents[1]


class ThreadCounter(QueryCounter):
    """Counts the outbox worker's statements apart from everyone else's, and leaves
    out the intake's bookkeeping."""

    def emit(self, record) -> None:
        sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
        if "intake_item" in sql:
            return
        super().emit(record)
        if threading.current_thread().name == "outbox":
            self.outbox += 1

    def reset(self) -> tuple[int, int]:
        outbox, self.outbox = getattr(self, "outbox", 0), 0
        return super().reset() - outbox, outbox


class Harness:
    def __init__(self, workdir: Path):
        from app import create_web, create_worker
        from handlers.health import HealthCheck
        from handlers.web import wsgi_app

        self.slack = SlackStandIn(scopes=scopes_from_manifest(ROOT / "manifest.yml")).start()
        self.slack.add_user(ADMIN, "admin", email="admin@example.com", is_admin=True)
        self.next_user = 0
        settings = Settings(
            bot_token=self.slack.token,
            signing_secret=SIGNING_SECRET,
            app_token=None,
            database_url=f"sqlite:///{workdir / 'bulk.db'}",
            slack_api_url=self.slack.api_url,
            port=0,
            smtp=None,
            join_url=None,
            team_defaults=TeamSettings(daily_invite_limit=10_000),
        )
        self.web = create_web(settings)
        self.worker = create_worker(settings, jobs=False)
        health = HealthCheck(self.web.lobby.clock, self.worker.is_alive, settings.max_backlog)
        wsgi = wsgi_app(self.web.bolt, health, self.web.gate)
        self.server = create_server(wsgi, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=self.server.run, daemon=True).start()
        self.worker.start()
        base = f"http://127.0.0.1:{self.server.effective_port}"
        self.requests = SlackRequests(base, SIGNING_SECRET, self.slack)

    def new_emails(self, count: int) -> list[str]:
        emails = []
        for _ in range(count):
            n = self.next_user = self.next_user + 1
            self.slack.add_user(f"U2{n:07d}", f"person{n}", email=f"person{n}@example.com")
            emails.append(f"person{n}@example.com")
        return emails

    def send(self, text: str) -> str:
        """Send a command as the admin; the response_url its answer will be posted to."""
        answer = self.requests.command(text, user_id=ADMIN)
        assert answer.status == 200, answer
        return self.requests.last_payload["response_url"]

    def answered(self, urls: list[str], timeout: float) -> None:
        self.slack.wait_for(lambda: all(self.slack.responses_to(u) for u in urls), timeout)

    def dms_to(self, emails: list[str], timeout: float = 60) -> None:
        users = {f"U2{e.removeprefix('person').split('@')[0].zfill(7)}" for e in emails}

        def all_arrived():
            got = {c.args.get("channel") for c in self.slack.calls_to("chat.postMessage")}
            return users <= got

        self.slack.wait_for(all_arrived, timeout)

    def invite(self, emails: list[str]) -> str:
        return self.send(", ".join(f"<mailto:{e}|{e}>" for e in emails))

    def calls_since(self, start: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self.slack.calls[start:]:
            key = call.method + ("" if call.status == 200 else f" ({call.status})")
            counts[key] = counts.get(key, 0) + 1
        return counts

    def stop(self) -> None:
        self.web.writer.close()
        self.worker.stop(timeout=10)
        self.server.close()
        self.slack.stop()


def run() -> Section:
    section = Section("2. Bulk invitation by email under the tier 3 limit")
    h = Harness(Path(tempfile.mkdtemp(prefix="lobby-bench-bulk-")))
    try:
        h.answered([h.send("team create Design")], 10)
        h.answered([h.invite(h.new_emails(1))], 10)  # warm-up: the admin's first use
        with ThreadCounter() as counter:
            per_size = calibrate(h, counter)
            free_s = burst(h, counter, limited=False)
            h.slack.enforce_rate_limit("users.lookupByEmail", LIMIT_PER_MINUTE)
            limited_s, limited = burst(h, counter, limited=True)
    finally:
        h.stop()
    rows = [[f"1 × {n}", *per_size[n]] for n in sorted(per_size)]
    section.tables.append(
        "Queries and Web API calls per command (no rate limit), by number of email targets:\n\n"
        + table(
            ["command", "command queries", "delivery queries", "Web API calls"],
            [[r[0], r[1], r[2], sum(r[3].values())] for r in rows],
        )
    )
    q1, q50 = per_size[1][0], per_size[50][0]
    slope = (q50 - q1) / 49
    floor_s = (COMMANDS * TARGETS // LIMIT_PER_MINUTE - 1) * 60 + free_s
    section.tables.append(
        f"{COMMANDS} commands × {TARGETS} emails, back to back:\n\n"
        + table(
            ["run", "wall s", "vs floor", "invited", "Web API calls"],
            [
                ["no limit", free_s, "", COMMANDS * TARGETS, ""],
                [
                    f"{LIMIT_PER_MINUTE}/min on users.lookupByEmail",
                    limited_s,
                    ratio(limited_s, floor_s),
                    limited["invited"],
                    ", ".join(f"{k}: {v}" for k, v in sorted(limited["calls"].items())),
                ],
            ],
        )
    )
    section.notes.append(
        f"Floor = what the limit allows: {COMMANDS * TARGETS} lookups at {LIMIT_PER_MINUTE} "
        f"per sliding minute cannot finish before 120 s after the first, plus the unlimited "
        f"run's {free_s:.1f} s of work = {floor_s:.1f} s. Wall time is from the first command "
        "to the last invitee's DM."
    )
    section.goals += [
        Goal(
            "command queries do not grow per target beyond a small constant",
            slope <= 1.0,
            f"{q1} queries for 1 target, {q50} for 50: {slope:.1f} more per target",
            cause=(
                "`bot/invitations/service.py` `Invitations.invite` handles each target alone: "
                "`_already_in_or_invited` (2 SELECTs), `_invite_one` (SAVEPOINT, "
                "`_expire_due_for` UPDATE, INSERT, RELEASE), `announce` → `notices.record` "
                "(SAVEPOINT, INSERT, RELEASE) and `audit.record` (INSERT): ~10 per target"
            ),
            fix=(
                "in `Invitations.invite`: members and live invitations of all targets with two "
                "`IN (…)` queries, the due ones expired with one UPDATE, all invitations in one "
                "`insert_many(…).on_conflict_ignore().returning(…)` (RETURNING works on both "
                "databases), then `notices.record_many` and one `AuditEntry.insert_many`: a "
                "constant ~10 statements per command"
            ),
        ),
        Goal(
            "no call lost under the limit",
            limited["invited"] == COMMANDS * TARGETS,
            f"{limited['invited']} of {COMMANDS * TARGETS} invited and DM'd",
        ),
        Goal(
            "wall time within 1.1× of what the limit allows",
            limited_s <= 1.1 * floor_s,
            f"{limited_s:.1f} s vs {floor_s:.1f} s ({ratio(limited_s, floor_s)})",
        ),
    ]
    return section


def calibrate(h: Harness, counter: ThreadCounter) -> dict[int, tuple]:
    per_size = {}
    for size in (1, 10, 50):
        emails = h.new_emails(size)
        counter.reset()
        calls = len(h.slack.calls)
        h.answered([h.invite(emails)], 30)
        h.dms_to(emails)
        time.sleep(0.5)  # the outbox settles what it sent
        command_q, delivery_q = counter.reset()
        per_size[size] = (command_q, delivery_q, h.calls_since(calls))
    return per_size


def burst(h: Harness, counter: ThreadCounter, *, limited: bool):
    batches = [h.new_emails(TARGETS) for _ in range(COMMANDS)]
    calls = len(h.slack.calls)
    started = time.perf_counter()
    urls = [h.invite(batch) for batch in batches]
    h.answered(urls, 400)
    everyone = [e for batch in batches for e in batch]
    with contextlib.suppress(AssertionError):  # missing DMs are counted below
        h.dms_to(everyone, 120)
    elapsed = time.perf_counter() - started
    if not limited:
        return elapsed
    got = {c.args.get("channel") for c in h.slack.calls_to("chat.postMessage")}
    invited = sum(1 for e in everyone if f"U2{e[6:].split('@')[0].zfill(7)}" in got)
    return elapsed, {"invited": invited, "calls": h.calls_since(calls)}
