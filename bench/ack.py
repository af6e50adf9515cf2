"""1. Acknowledgement latency of `/invite @user` over HTTP, against a bare Bolt app.

The app (SQLite) and the bare app each run in their own process behind waitress
(8 threads); Slack's Web API stand-in runs in a third; this process plays Slack
sending signed commands from 1, 8 and 32 keep-alive clients. Every command
invites a different person, so every one causes real work (an invitation and a
DM through the outbox), and we time from each ack to that person's DM arriving.
"""

from __future__ import annotations

import http.client
import itertools
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from bench.common import (
    SLACK_BUDGET_S,
    CommandSigner,
    Goal,
    Section,
    percentile,
    post,
    ratio,
    start_server,
    table,
)
from bench.standin_proc import StandInProcess, user_id

LEVELS = (1, 8, 32)
SECONDS_PER_LEVEL = 4.0
DRAIN_TIMEOUT_S = 120.0
USERS = 40_000


def load(port: int, clients: int, seconds: float, signer: CommandSigner, numbers) -> list:
    """Send commands from `clients` threads for `seconds`; one sample per request:
    (latency s, HTTP status, invitee user id, wall time the ack arrived)."""
    samples: list[tuple[float, int, str, float]] = []
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        start.wait()
        while time.perf_counter() < deadline[0]:
            invitee = user_id(next(numbers))
            body, headers = signer.request(f"<@{invitee}|{invitee.lower()}>")
            sent = time.perf_counter()
            status, _ = post(conn, body, headers)
            mine.append((time.perf_counter() - sent, status, invitee, time.time()))
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


def wait_for_team(db_path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db_path) as conn:
                if conn.execute("SELECT count(*) FROM team").fetchone()[0]:
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise RuntimeError("the team was not created")


def dm_latencies(slack, by_level: dict[int, list]) -> tuple[dict[int, list[float]], float]:
    """Wait until every invitee's DM arrived (or the timeout); latency per level."""
    wanted = {s[2] for samples in by_level.values() for s in samples if s[1] == 200}
    started = time.monotonic()
    arrived: dict = {}
    while time.monotonic() - started < DRAIN_TIMEOUT_S:
        arrived = slack.ask("dm_times")
        if wanted <= arrived.keys():
            break
        time.sleep(0.5)
    latencies = {
        clients: [arrived[s[2]] - s[3] for s in samples if s[2] in arrived]
        for clients, samples in by_level.items()
    }
    return latencies, time.monotonic() - started


def run() -> Section:
    section = Section("1. Acknowledgement latency: `/invite @user` vs a bare Bolt app")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-ack-"))
    numbers = itertools.count()
    with StandInProcess(USERS) as slack:
        signer = CommandSigner(slack.ask("response_urls", USERS))
        results = {}
        for kind in ("bare", "lobby"):
            results[kind] = measure_and_drain(kind, slack, workdir, signer, numbers, section)
    rows, goals_ok, over_budget = [], True, 0
    for clients in LEVELS:
        base_p99 = percentile([s[0] for s in results["bare"][clients]], 99)
        for kind in ("bare", "lobby"):
            samples = results[kind][clients]
            times = [s[0] for s in samples]
            errors = sum(1 for s in samples if s[1] != 200)
            over = sum(1 for t in times if t > SLACK_BUDGET_S)
            p99 = percentile(times, 99)
            if kind == "lobby":
                goals_ok &= p99 <= 1.3 * base_p99
                over_budget += over
            rows.append(
                [
                    kind,
                    clients,
                    len(samples),
                    len(samples) / SECONDS_PER_LEVEL,
                    percentile(times, 50) * 1000,
                    p99 * 1000,
                    max(times) * 1000,
                    errors,
                    over,
                    ratio(p99, base_p99),
                ]
            )
    section.tables.append(
        table(
            [
                "app",
                "clients",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "non-200",
                "over 3 s",
                "p99 vs bare",
            ],
            rows,
        )
    )
    section.goals.append(
        Goal(
            "p99 within 1.3× of the bare app at 1, 8 and 32 clients",
            goals_ok,
            "see the p99 vs bare column",
            cause=(
                "py-spy of the app under 8 clients (first run): ~60% of samples are Bolt lazy "
                "listeners (the `/invite` work) in the same process as waitress's ack threads, "
                "so acks wait for the GIL and SQLite's write lock; 17% was the daily-limit "
                "check loading every recent invitation. Fixed since: the limit is a COUNT on an "
                "index, invite runs a constant number of statements, outbox claims are batched. "
                "p99 at 1/8/32 clients went from 11.6x/5.0x/5.5x to about 9x/3.5x/7x. Trying "
                "Bolt's listener_executor at 2 threads changed nothing measurable (reverted)"
            ),
            fix=(
                "move the work after the ack out of the web process: the command's lazy part "
                "records a job row that a worker process (like the outbox worker) runs, so the "
                "web process only verifies, parses and acks"
            ),
        )
    )
    section.goals.append(
        Goal("no request over Slack's 3 s budget", over_budget == 0, f"{over_budget} over")
    )
    return section


def measure_and_drain(kind, slack, workdir, signer, numbers, section) -> dict[int, list]:
    db_path = workdir / f"{kind}.db"
    server = start_server(kind, slack.api_url, f"sqlite:///{db_path}", workdir / f"{kind}.log")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        post(conn, *signer.request("team create Design"))
        conn.close()
        if kind == "lobby":
            wait_for_team(db_path)
        load(server.port, 1, 0.5, signer, numbers)  # warm-up
        time.sleep(1.0 if kind == "bare" else 3.0)  # let the warm-up's work settle
        by_level = {}
        for clients in LEVELS:
            by_level[clients] = load(server.port, clients, SECONDS_PER_LEVEL, signer, numbers)
            time.sleep(0.5)
        if kind == "lobby":
            add_dm_table(section, slack, by_level)
        return by_level
    finally:
        server.stop()


def add_dm_table(section: Section, slack, by_level: dict[int, list]) -> None:
    latencies, waited = dm_latencies(slack, by_level)
    rows = []
    for clients, samples in by_level.items():
        values = latencies[clients]
        sent = sum(1 for s in samples if s[1] == 200)
        rows.append(
            [
                clients,
                sent,
                len(values),
                percentile(values, 50),
                percentile(values, 99),
                max(values, default=float("nan")),
            ]
        )
    section.tables.append(
        "Ack to the invitee's DM arriving at the stand-in (levels run back to back, "
        f"so a backlog carries over; waited {waited:.0f} s after the last level, and a DM not "
        "arrived by then is not counted):\n\n"
        + table(["clients", "acked", "DMs arrived", "p50 s", "p99 s", "max s"], rows)
    )
