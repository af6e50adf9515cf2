"""5. Footprint: resident memory idle and after 10,000 requests, and start to healthy,
each against the bare Bolt app.

RSS is read from /proc/<pid>/status of the serving process and its children (Lobby's
worker process, multiprocessing's resource tracker), summed (VmRSS now, VmHWM peak).
Start to healthy: from spawning `python app.py` (or `python bench/bare_app.py`) to the
first 200 from GET /healthz, median of three cold starts on a fresh SQLite file.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import (
    ROOT,
    CommandSigner,
    Goal,
    Section,
    bench_env,
    get_status,
    post,
    ratio,
    start_server,
    table,
    tree_rss_kib,
)
from bench.standin_proc import StandInProcess, user_id

REQUESTS = 10_000
CLIENTS = 8
SETTLE_TIMEOUT_S = 180.0
STARTS = 3


def send(port: int, signer: CommandSigner, numbers, total: int) -> float:
    """Send `total` `/invite @user` commands from CLIENTS keep-alive clients; seconds taken."""
    sent = itertools.count()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while next(sent) < total:
            invitee = user_id(next(numbers))
            post(conn, *signer.request(f"<@{invitee}|{invitee.lower()}>"))
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def memory(slack, workdir: Path) -> dict[str, dict]:
    numbers = itertools.count()
    signer = CommandSigner(slack.ask("response_urls", 2 * REQUESTS + 10))
    found = {}
    for kind in ("bare", "lobby"):
        db_path = workdir / f"{kind}.db"
        server = start_server(kind, slack.api_url, f"sqlite:///{db_path}", workdir / f"{kind}.log")
        try:
            time.sleep(2.0)
            idle = tree_rss_kib(server.process.pid)["VmRSS"]
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            post(conn, *signer.request("team create Design"))
            conn.close()
            time.sleep(1.0)
            dms_before = len(slack.ask("dm_times"))
            seconds = send(server.port, signer, numbers, REQUESTS - 1)
            after_acks = tree_rss_kib(server.process.pid)["VmRSS"]
            settled_after, dms = 0.0, 0
            if kind == "lobby":
                started = time.monotonic()
                while time.monotonic() - started < SETTLE_TIMEOUT_S:
                    dms = len(slack.ask("dm_times")) - dms_before
                    if dms >= REQUESTS - 1:
                        break
                    time.sleep(1.0)
                settled_after = time.monotonic() - started
            status = tree_rss_kib(server.process.pid)
            found[kind] = dict(
                idle=idle,
                after_acks=after_acks,
                later=status["VmRSS"],
                peak=status["VmHWM"],
                seconds=seconds,
                dms=dms,
                settled_after=settled_after,
            )
        finally:
            server.stop()
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_to_healthy(command: list[str], api_url: str, workdir: Path) -> float:
    times = []
    for n in range(STARTS):
        port = free_port()
        env = bench_env(api_url, f"sqlite:///{workdir / f'start-{command[-1][-6:]}-{n}.db'}")
        env["PORT"] = str(port)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while get_status(port, timeout=0.5) != 200:
                if process.poll() is not None or time.perf_counter() - started > 30:
                    raise RuntimeError(f"{command} did not become healthy")
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return statistics.median(times)


def run() -> Section:
    section = Section("5. Footprint: memory and start-up vs the bare Bolt app")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-footprint-"))
    with StandInProcess(2 * REQUESTS) as slack:
        mem = memory(slack, workdir)
        start_bare = start_to_healthy([sys.executable, "bench/bare_app.py"], slack.api_url, workdir)
        start_lobby = start_to_healthy([sys.executable, "app.py"], slack.api_url, workdir)
    mib = lambda kib: kib / 1024  # noqa: E731
    b, lo = mem["bare"], mem["lobby"]
    section.tables.append(
        table(
            ["measure", "bare", "lobby", "lobby vs bare"],
            [
                ["RSS idle, MiB", mib(b["idle"]), mib(lo["idle"]), ratio(lo["idle"], b["idle"])],
                [
                    f"RSS right after {REQUESTS:,} requests acked, MiB",
                    mib(b["after_acks"]),
                    mib(lo["after_acks"]),
                    ratio(lo["after_acks"], b["after_acks"]),
                ],
                [
                    "RSS once settled (lobby: its DMs sent, or timeout), MiB",
                    mib(b["later"]),
                    mib(lo["later"]),
                    ratio(lo["later"], b["later"]),
                ],
                [
                    "peak RSS (sum of each process's VmHWM), MiB",
                    mib(b["peak"]),
                    mib(lo["peak"]),
                    ratio(lo["peak"], b["peak"]),
                ],
                [
                    f"time to send {REQUESTS:,} requests ({CLIENTS} clients), s",
                    b["seconds"],
                    lo["seconds"],
                    ratio(lo["seconds"], b["seconds"]),
                ],
                [
                    "start to healthy /healthz, s (median of 3)",
                    start_bare,
                    start_lobby,
                    ratio(start_lobby, start_bare),
                ],
            ],
        )
    )
    section.notes.append(
        f"Lobby: {lo['dms']:,} of {REQUESTS - 1:,} invitees had their DM "
        f"{lo['settled_after']:.0f} s after the last ack (waited at most {SETTLE_TIMEOUT_S:.0f} s)."
        " The first request creates the team; the other 9,999 invite one new person each."
        " `python app.py` also runs its migrations, calls auth.test and starts the outbox and"
        " the scheduler; the bare app calls auth.test and has no database."
    )
    section.goals.append(
        Goal(
            f"(a check, not a goal of the issue) every DM sent within {SETTLE_TIMEOUT_S:.0f} s "
            "of the last ack",
            lo["dms"] >= REQUESTS - 1,
            f"{lo['dms']:,} of {REQUESTS - 1:,} after {lo['settled_after']:.0f} s",
            cause=(
                "10,000 commands arrive in seconds, far faster than the worker process "
                "completes them on this machine (item 1's steady rates: DMs within a second "
                "at 50 commands/s, a growing backlog at 100/s), so they queue in the worker"
            ),
            fix=(
                "where there are CPUs to spare, more worker processes (the outbox's claims "
                "already allow several); on two vCPUs, nothing short of cheaper work per command"
            ),
        )
    )
    section.notes.append(
        "Before this run (first run, one process with Bolt's lazy listeners): RSS 48 MiB "
        "idle and 180 MiB after the 10,000 requests (Bolt's unbounded executor queue), "
        "479 of 9,999 DMs 60 s after the last ack."
    )
    return section
