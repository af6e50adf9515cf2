"""Slack's Web API stand-in in its own process, so serving it does not share the
load generator's GIL. The parent drives it through a pipe."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STANDIN_NICENESS = 10
# Commands under load rotate among these, each an admin of the team, so the load
# stays under every inviter's daily invitation limit.
INVITERS = ("U0ADMIN1", "U0ADMIN2", "U0ADMIN3", "U0ADMIN4")


def _serve(conn, user_count: int) -> None:
    from tests.support.slack_standin import SlackStandIn, scopes_from_manifest

    # Slack's servers do not share the app's CPUs; on this machine they must, so
    # they take only what the app under test leaves.
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0)) if os.environ.get(
        "EXP_IDLE"
    ) else os.nice(STANDIN_NICENESS)

    slack = SlackStandIn(scopes=scopes_from_manifest(ROOT / "manifest.yml")).start()
    for n, inviter in enumerate(INVITERS, start=1):
        slack.add_user(inviter, f"admin{n}", email=f"admin{n}@example.com", is_admin=True)
    for n in range(user_count):
        slack.add_user(user_id(n), f"user{n}", email=email(n))
    conn.send(slack.api_url)
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            return
        if name == "stop":
            slack.stop()
            conn.send(None)
            return
        conn.send(COMMANDS[name](slack, *args))


def user_id(n: int) -> str:
    return f"U1{n:07d}"


def email(n: int) -> str:
    return f"user{n}@example.com"


def _response_urls(slack, count):
    return [slack.new_response_url() for _ in range(count)]


def _dm_times(slack, since_index=0):
    """{user id: time.time() the app's first chat.postMessage to them arrived}."""
    first = {}
    with slack._lock:
        calls = list(slack.calls[since_index:])
    for call in calls:
        if call.method == "chat.postMessage" and call.ok:
            first.setdefault(str(call.args.get("channel")), call.at)
    return first


def _call_counts(slack):
    counts: dict[str, int] = {}
    with slack._lock:
        for call in slack.calls:
            key = f"{call.method} {call.status}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def _call_count(slack):
    return len(slack.calls)


COMMANDS = {
    "response_urls": _response_urls,
    "dm_times": _dm_times,
    "call_counts": _call_counts,
    "call_count": _call_count,
    "rate_limit": lambda slack, method, per_minute: slack.enforce_rate_limit(method, per_minute),
}


class StandInProcess:
    def __init__(self, user_count: int):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, user_count), daemon=True)
        self.process.start()
        self.api_url = self.conn.recv()

    def ask(self, name: str, *args):
        self.conn.send((name, args))
        return self.conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(timeout=5)

    def __enter__(self) -> StandInProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
