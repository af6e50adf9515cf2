"""7. Fairness between workspaces: a single invitation's DM in one workspace while a bulk
invite of 50 runs in another, against the same single invitation alone.

Two workspaces behind the stand-in (bench/workspaces.py). Latency is from the ack of
the single `/invite` command to its invitee's DM arriving at the stand-in.
"""

from __future__ import annotations

import statistics
import time

from bench.common import Goal, Section, ratio, table
from bench.workspaces import Deployment, person

BULK = 50
ROUNDS = 5
A, B = 0, 1


def run() -> Section:
    section = Section("7. Fairness between workspaces: one DM beside a bulk invite elsewhere")
    deployment = Deployment(2, people=(BULK + 2) * ROUNDS + 1)
    try:
        alone, beside = measure(deployment)
    finally:
        deployment.stop()
    alone_s, beside_s = statistics.median(alone), statistics.median(beside)
    section.tables.append(
        f"Ack-to-DM latency of a single invite in workspace B, median of {ROUNDS} rounds:\n\n"
        + table(
            ["run", "median ms", "max ms", "vs alone"],
            [
                ["B's single invite alone", alone_s * 1000, max(alone) * 1000, "1.00×"],
                [
                    f"just after a bulk invite of {BULK} in A",
                    beside_s * 1000,
                    max(beside) * 1000,
                    ratio(beside_s, alone_s),
                ],
            ],
        )
    )
    section.goals.append(
        Goal(
            "a bulk invite in another workspace does not hold back a single DM (≤ 2× alone)",
            beside_s <= 2 * alone_s,
            f"{beside_s * 1000:.0f} ms vs {alone_s * 1000:.0f} ms ({ratio(beside_s, alone_s)})",
        )
    )
    return section


def measure(d: Deployment) -> tuple[list[float], list[float]]:
    alone, beside = [], []
    invitee = iter(range((BULK + 2) * ROUNDS + 1))
    d.answered([d.invite(B, [person(B, next(invitee))])], 20)  # warm-up
    for _ in range(ROUNDS):
        alone.append(single(d, person(B, next(invitee))))
        bulk = [person(A, next(invitee)) for _ in range(BULK)]
        url = d.invite(A, bulk)
        beside.append(single(d, person(B, next(invitee))))
        d.answered([url], 60)
        d.first_dm_at(A, bulk[-1])
        time.sleep(1)  # the outbox settles the rest (Homes) before the next round
    return alone, beside


def single(d: Deployment, invitee: str) -> float:
    d.invite(B, [invitee])
    acked = time.time()
    return d.first_dm_at(B, invitee) - acked
