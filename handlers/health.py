"""GET /healthz: up only when the database answers, the worker is alive and the backlog
is within bounds; the body says which, with the backlog's size and oldest age."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from storage import intake
from storage.db import db


@dataclass(frozen=True)
class HealthCheck:
    clock: Clock
    worker_alive: Callable[[], bool]
    max_backlog: int
    stopping: Callable[[], bool] = lambda: False

    def __call__(self) -> tuple[bool, bytes]:
        report = {"database": False, "worker": self.worker_alive(), "backlog": None}
        try:
            with db.connection_context():
                db.execute_sql("SELECT 1")
            with intake.intake_db.connection_context():
                count, oldest = intake.backlog_size()
            age = (self.clock.now() - oldest).total_seconds() if oldest else 0.0
            report.update(database=True, backlog=count, oldest_age_seconds=round(age, 3))
        except Exception as error:  # noqa: BLE001 - any failure means the database is down
            report["error"] = type(error).__name__
        # At the limit new requests are refused (busy): that is out of bounds.
        within = report["backlog"] is not None and report["backlog"] < self.max_backlog
        healthy = report["database"] and report["worker"] and within and not self.stopping()
        report.update(max_backlog=self.max_backlog, stopping=self.stopping())
        report["status"] = "ok" if healthy else "unavailable"
        return healthy, json.dumps(report).encode()
