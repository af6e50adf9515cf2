"""1. Acknowledgement latency of `/invite @user` over HTTP, against a bare Bolt app.

Lobby (as `python app.py` runs it: a web process that records each request in the
durable intake before acking, and its worker process), Lobby's web process alone
(`lobby-acks`) and the bare app each run behind waitress (8 threads); Slack's Web API
stand-in runs in another process; this process plays Slack sending signed commands
from 1, 8 and 32 keep-alive clients. Every command invites a different person, so
every one causes real work (an invitation and a DM through the outbox), and we time
from each ack to that person's DM arriving.

The app's database, and so its intake, is SQLite and PostgreSQL in turn:
`LOBBY_BENCH_ACK_DATABASES=sqlite` (or `postgres`) runs one of them only. Each
database's run measures its own bare baseline.
"""

from __future__ import annotations

import http.client
import itertools
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.common import (
    BENCH_MAX_BACKLOG,
    SLACK_BUDGET_S,
    CommandSigner,
    Goal,
    Section,
    fresh_database_url,
    load_average,
    percentile,
    post,
    ratio,
    start_server,
    table,
)
from bench.standin_proc import INVITERS, StandInProcess, user_id

LEVELS = (1, 8, 32)
SECONDS_PER_LEVEL = 4.0
DRAIN_TIMEOUT_S = 60.0
STEADY_RATES = (10, 50, 100, 200)
STEADY_SECONDS = 10.0
STEADY_DRAIN_S = 60.0
USERS = 80_000
KINDS = ("bare", "lobby-acks", "lobby")
DATABASES = tuple(
    os.environ.get("LOBBY_BENCH_ACK_DATABASES", "sqlite,postgres").replace(" ", "").split(",")
)
# What the web process answers instead of taking a command (handlers/intake/listen.py).
REFUSALS = (b"Lobby is busy", b"couldn't take that")

# Measured before the durable intake (RESULTS.md of 2026-11-23, app at 3e366ef: the
# in-memory hand-off to the worker process, SQLite): p99 ms by clients, and the
# ack-to-DM p99 s by commands a second.
BEFORE_P99_MS = {
    "bare": {1: 0.93, 8: 8.08, 32: 29.95},
    "lobby-acks": {1: 1.29, 8: 9.28, 32: 33.60},
    "lobby": {1: 2.61, 8: 12.57, 32: 54.90},
}
BEFORE_DM_P99_S = {10: 0.21, 50: 0.25, 100: 9.18, 200: 26.80}
BEFORE_ACK_P99_MS_STEADY = {10: 5.78, 50: 4.73, 100: 5.01, 200: 4.01}
P99_LIMIT = 1.3  # × today's Lobby p99
DM_P99_LIMIT_S = 0.30  # today's 0.21-0.25 s p99 (max 0.30 s) at 10 and 50 commands/s


def load(port: int, clients: int, seconds: float, signer: CommandSigner, numbers) -> list:
    """Send commands from `clients` threads for `seconds`; one sample per request:
    (latency s, HTTP status, invitee user id, wall time the ack arrived, refused)."""
    samples: list[tuple] = []
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        start.wait()
        while time.perf_counter() < deadline[0]:
            mine.append(invite(conn, signer, next(numbers)))
        conn.close()
        samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return samples


def invite(conn, signer: CommandSigner, n: int) -> tuple[float, int, str, float, bool]:
    invitee = user_id(n)
    inviter = INVITERS[n % len(INVITERS)]
    body, headers = signer.request(f"<@{invitee}|{invitee.lower()}>", user_id=inviter)
    sent = time.perf_counter()
    status, answer = post(conn, body, headers)
    refused = any(words in answer for words in REFUSALS)
    return time.perf_counter() - sent, status, invitee, time.time(), refused


def taken(sample) -> bool:
    return sample[1] == 200 and not sample[4]


def paced(port: int, rate: float, seconds: float, signer: CommandSigner, numbers) -> list:
    """Send `rate` commands a second for `seconds`, on schedule whatever the answers
    take (open loop), from one keep-alive client."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        samples.append(invite(conn, signer, next(numbers)))
    conn.close()
    return samples


def wait_for_team(database_url: str, timeout: float = 20.0) -> None:
    """The worker process ran `team create`; then make the other inviters admins of
    the team, through the app's own rules."""
    from bot.teams import membership
    from storage.db import db, init_db
    from storage.models import Team

    init_db(database_url)
    deadline = time.monotonic() + timeout
    try:
        while not Team.select().exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the team was not created")
            time.sleep(0.05)
        with db.atomic():
            team = Team.get()
            for inviter in INVITERS[1:]:
                membership.admit(
                    team=team,
                    user_id=inviter,
                    roles=["admin"],
                    now=team.created_at,
                    via="bench",
                    added_by=INVITERS[0],
                )
    finally:
        db.close()


def dm_latencies(
    slack, by_level: dict[int, list], timeout: float = DRAIN_TIMEOUT_S
) -> tuple[dict[int, list[float]], float]:
    """Wait until every invitee's DM arrived (or the timeout); latency per level."""
    wanted = {s[2] for samples in by_level.values() for s in samples if taken(s)}
    started = time.monotonic()
    arrived: dict = {}
    while time.monotonic() - started < timeout:
        arrived = slack.ask("dm_times")
        if wanted <= arrived.keys():
            break
        time.sleep(0.5)
    latencies = {
        level: [arrived[s[2]] - s[3] for s in samples if taken(s) and s[2] in arrived]
        for level, samples in by_level.items()
    }
    return latencies, time.monotonic() - started


def run() -> Section:
    section = Section("1. Acknowledgement latency: `/invite @user` vs a bare Bolt app")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-ack-"))
    closed, steady, drained, busy = {}, {}, {}, {}
    with StandInProcess(USERS) as slack:
        signers = {
            "bare": CommandSigner(),
            "lobby-acks": CommandSigner(),
            "lobby": CommandSigner(slack.ask("response_urls", USERS)),
        }
        # Lobby's invitees must exist and be new: one count for every Lobby run.
        lobby_numbers = itertools.count()
        for database in DATABASES:
            closed[database], busy[database] = {}, {}
            for kind in KINDS:
                numbers = lobby_numbers if kind == "lobby" else itertools.count()
                busy[database][kind] = load_average()
                closed[database][kind], drain = measure(
                    kind, database, slack, workdir, signers[kind], numbers
                )
                if drain is not None:
                    drained[database] = drain
            busy[database]["steady"] = load_average()
            steady[database] = steady_rates(
                database, slack, workdir, signers["lobby"], lobby_numbers
            )
    add_summary(section, closed, steady)
    add_detail(section, closed, drained, steady)
    section.notes.append(
        "How busy the machine was (load average when each app started, 1 and 5 min, on 2 "
        "cores; other engineers ran tests meanwhile): "
        + "; ".join(
            f"{database}: " + ", ".join(f"{kind} {load}" for kind, load in loads.items())
            for database, loads in busy.items()
        )
    )
    section.notes.append(
        "Before (RESULTS.md of 2026-11-23, app at 3e366ef): the web process handed each "
        "command through an in-memory pipe to the worker process, nothing durable before "
        "the ack, SQLite. Now (app at 66dc27e and after): each command is committed to "
        "the durable intake by the web process's writer thread (a group commit) before "
        "the ack; the runs' worker process claims it from there (the outbox has a "
        "worker process of its own, app at 67c08de and after on SQLite, e648f26 on "
        "PostgreSQL). On SQLite the intake is its "
        f"own file (synchronous=full); on PostgreSQL a table of the app's database. Every "
        f"app ran with LOBBY_MAX_BACKLOG={BENCH_MAX_BACKLOG:,} so that no command is "
        "refused as busy (the production default, 1,000, would refuse most of the closed "
        "loop's flood, and a refusal is a cheaper ack than the one measured); refusals "
        "are counted anyway."
    )
    return section


def add_summary(section: Section, closed: dict, steady: dict) -> None:
    """The issue's goals: today's figures against now's, per database."""
    rows, over_budget, misses = [], 0, []
    for clients in LEVELS:
        before = BEFORE_P99_MS["lobby"][clients]
        row = [clients, before, ratio(before, BEFORE_P99_MS["bare"][clients])]
        for database in closed:
            bare = p99_ms(closed[database]["bare"][clients])
            lobby = p99_ms(closed[database]["lobby"][clients])
            over_budget += sum(
                1 for s in closed[database]["lobby"][clients] if s[0] > SLACK_BUDGET_S
            )
            if lobby > P99_LIMIT * before:
                misses.append(f"{database} at {clients} clients: {ratio(lobby, before)}")
            row += [bare, lobby, ratio(lobby, before), ratio(lobby, bare)]
        rows.append(row)
    headers = ["clients", "p99 ms before", "before vs bare"]
    for database in closed:
        headers += [
            f"{database}: bare p99 ms",
            f"{database}: lobby p99 ms",
            "vs before",
            "vs bare",
        ]
    section.tables.append(
        "Ack p99 of `/invite @user`, Lobby as `python app.py` runs it, closed loop "
        f"({SECONDS_PER_LEVEL:.0f} s per level); before = today's figures, measured "
        "before the durable intake; bare = the bare Bolt app in the same run:\n\n"
        + table(headers, rows)
    )
    rows, dm_misses = [], []
    for rate in STEADY_RATES:
        row = [rate, BEFORE_ACK_P99_MS_STEADY[rate], BEFORE_DM_P99_S[rate]]
        for database, found in steady.items():
            ack, dm = found[rate]["ack_p99_ms"], found[rate]["dm_p99_s"]
            if rate in (10, 50) and not dm <= DM_P99_LIMIT_S:
                dm_misses.append(f"{database} at {rate}/s: {dm:.2f} s")
            row += [ack, dm, found[rate]["dms"]]
        rows.append(row)
    headers = ["commands/s", "ack p99 ms before", "DM p99 s before"]
    for database in steady:
        headers += [f"{database}: ack p99 ms", f"{database}: DM p99 s", "DMs arrived"]
    section.tables.append(
        f"Steady rates, {STEADY_SECONDS:.0f} s each, one client sending on schedule "
        "(open loop); ack to the invitee's DM, p99:\n\n" + table(headers, rows)
    )
    section.goals += [
        Goal(
            f"Lobby's ack p99 within {P99_LIMIT}× of today's at 1, 8 and 32 clients",
            not misses,
            "; ".join(misses) or "see the vs before columns",
            cause=(
                "measured 2026-12-03: in the closed loop the worker processes run flat out "
                "on the same 2 CPUs as the web process, the load generator and Slack's "
                "stand-in, and every ack waits for a durable commit of the intake (one "
                "fsync: p99 3.7 ms on this disk when quiet, 15-18 ms when busy), which "
                "today's in-memory hand-off did not. The bare app's own p99 at 1 client "
                "moves between 0.8 and 4.8 ms from run to run on this VM, so a ratio to "
                "today's absolute figures (another day's machine) swings by 2× or more"
            ),
            fix=(
                "none for the durable commit (PRODUCT.md: an acknowledged request survives "
                "power loss); judge Lobby against the bare app of the same run (`vs bare` "
                "against `before vs bare`). Today's absolute figures need CPUs the "
                "workers do not share"
            ),
        ),
        Goal("no ack over Slack's 3 s budget", over_budget == 0, f"{over_budget} over"),
        Goal(
            f"ack-to-DM p99 at 10 and 50 commands/s no worse than today's (≤ {DM_P99_LIMIT_S} s)",
            not dm_misses,
            "; ".join(dm_misses) or "see the DM p99 columns",
            cause=(
                "measured 2026-12-03 (py-spy, top) on PostgreSQL at 50 commands/s: the 2 "
                "CPUs are nearly saturated (the runs' process ~60%, the outbox's ~30%, "
                "Slack's stand-in ~20%, PostgreSQL's backends, at normal priority unlike "
                "the workers, ~50%), and the runner threads (4 then, 2 since) wait on "
                "each other's uncommitted inserts of the same admins' App Home refresh "
                "(one pending per person), which serialises the ends of concurrent "
                "invitations to one team"
            ),
            fix=(
                "fewer statements per invitation (each costs the worker's SQL building "
                "and a backend's CPU); the admins' Home refresh queued last in the run's "
                "transaction; re-measure on a quiet machine"
            ),
        ),
    ]


def add_detail(section: Section, closed: dict, drained: dict, steady: dict) -> None:
    rows = []
    for database, by_kind in closed.items():
        for clients in LEVELS:
            base = p99_ms(by_kind["bare"][clients])
            for kind in KINDS:
                samples = by_kind[kind][clients]
                times = [s[0] for s in samples]
                p99 = p99_ms(samples)
                rows.append(
                    [
                        database,
                        kind,
                        clients,
                        len(samples),
                        len(samples) / SECONDS_PER_LEVEL,
                        percentile(times, 50) * 1000,
                        p99,
                        max(times) * 1000,
                        sum(1 for s in samples if s[1] != 200),
                        sum(1 for s in samples if s[4]),
                        sum(1 for t in times if t > SLACK_BUDGET_S),
                        ratio(p99, base),
                        ratio(BEFORE_P99_MS[kind][clients], BEFORE_P99_MS["bare"][clients]),
                    ]
                )
    section.tables.append(
        "Every app of the closed loop (`lobby-acks`: the web process alone, no worker "
        "process, the intake only fills up):\n\n"
        + table(
            [
                "database",
                "app",
                "clients",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "non-200",
                "refused",
                "over 3 s",
                "p99 vs bare",
                "before: vs bare",
            ],
            rows,
        )
    )
    rows = []
    for database, (latencies, waited, by_level) in drained.items():
        for clients, samples in by_level.items():
            values = latencies[clients]
            rows.append(
                [
                    database,
                    clients,
                    sum(1 for s in samples if taken(s)),
                    len(values),
                    percentile(values, 50),
                    percentile(values, 99),
                    max(values, default=float("nan")),
                    f"{waited:.0f}",
                ]
            )
    section.tables.append(
        "Closed loop, ack to the invitee's DM arriving at the stand-in (levels run back to "
        "back, so a backlog carries over; a DM not arrived by the end of the wait is not "
        "counted). Before: 1,077 of 4,953 DMs at 1 client (p99 132 s), none at 8 and 32, "
        "after a 120 s wait:\n\n"
        + table(
            ["database", "clients", "acked", "DMs arrived", "p50 s", "p99 s", "max s", "waited s"],
            rows,
        )
    )
    rows = []
    for database, found in steady.items():
        for rate, f in found.items():
            rows.append(
                [
                    database,
                    rate,
                    f["sent"],
                    f["ack_p99_ms"],
                    f["dms"],
                    f["dm_p50_s"],
                    f["dm_p99_s"],
                    f["dm_max_s"],
                ]
            )
    section.tables.append(
        "Steady rates in full (before, SQLite, the in-memory hand-off: DMs p50/p99/max "
        "0.10/0.21/0.22 s at 10/s, 0.04/0.25/0.30 s at 50/s, 8.98/9.18/9.23 s at 100/s, "
        "21.05/26.80/26.99 s at 200/s):\n\n"
        + table(
            [
                "database",
                "commands/s",
                "sent",
                "ack p99 ms",
                "DMs arrived",
                "DM p50 s",
                "DM p99 s",
                "DM max s",
            ],
            rows,
        )
    )


def p99_ms(samples: list) -> float:
    return percentile([s[0] for s in samples], 99) * 1000


def started(kind, database, slack, workdir, signer, name=None):
    """A server with the team created (and, for Lobby, its inviters made admins)."""
    name = f"ack-{database}-{name or kind}"
    database_url = fresh_database_url(database, name, workdir) if kind != "bare" else None
    server = start_server(kind, slack.api_url, database_url, workdir / f"{name}.log")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    post(conn, *signer.request("team create Design"))
    conn.close()
    if kind == "lobby":
        wait_for_team(database_url)
    return server


def measure(
    kind, database, slack, workdir, signer, numbers
) -> tuple[dict[int, list], tuple | None]:
    server = started(kind, database, slack, workdir, signer)
    try:
        load(server.port, 1, 0.5, signer, numbers)  # warm-up
        time.sleep(3.0 if kind == "lobby" else 1.0)  # let the warm-up's work settle
        by_level = {}
        for clients in LEVELS:
            by_level[clients] = load(server.port, clients, SECONDS_PER_LEVEL, signer, numbers)
            time.sleep(0.5)
        drain = None
        if kind == "lobby":
            latencies, waited = dm_latencies(slack, by_level)
            drain = (latencies, waited, by_level)
        return by_level, drain
    finally:
        server.stop()


def steady_rates(database, slack, workdir, signer, numbers) -> dict[int, dict]:
    """Below the closed loop's flood: commands at steady rates, each rate's DMs
    awaited before the next, on a fresh app."""
    server = started("lobby", database, slack, workdir, signer, name="lobby-steady")
    found = {}
    try:
        time.sleep(1.0)
        for rate in STEADY_RATES:
            samples = paced(server.port, rate, STEADY_SECONDS, signer, numbers)
            latencies, _ = dm_latencies(slack, {rate: samples}, timeout=STEADY_DRAIN_S)
            dms = latencies[rate]
            found[rate] = dict(
                sent=len(samples),
                ack_p99_ms=p99_ms(samples),
                dms=len(dms),
                dm_p50_s=percentile(dms, 50),
                dm_p99_s=percentile(dms, 99),
                dm_max_s=max(dms, default=float("nan")),
            )
    finally:
        server.stop()
    return found
