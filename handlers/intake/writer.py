"""The ack's side of the intake: record each request durably before Slack hears "received".

One thread writes for every listener of the process, committing whatever arrived
meanwhile as one transaction (a group commit): an ack waits for one short commit,
never for another ack's, and the database sees one writer per process.
"""

import contextlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock
from storage import intake

BACKLOG_REFRESH = timedelta(seconds=1)


@dataclass
class _Waiting:
    row: dict
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class Busy(Exception):
    """The backlog is over its limit: the request was not taken."""


class IntakeWriter:
    def __init__(self, clock: Clock, *, max_backlog: int, timeout: float = 2.5):
        self.clock = clock
        self.max_backlog = max_backlog
        self.timeout = timeout  # an ack must go out within Slack's 3 s
        self._queue: list[_Waiting] = []
        self._lock = threading.Condition()
        self._backlog = 0
        self._closed = False
        self.on_commit = lambda: None  # told after each commit (wakes the runners)
        self._thread = threading.Thread(target=self._write_until_closed, name="intake", daemon=True)
        self._thread.start()

    def record(
        self, *, handler: str, payload: dict, workspace_id: str, person: str, key: str | None = None
    ) -> None:
        """Return once the request is committed; raise Busy when the backlog is full."""
        now = self.clock.now()
        row = {
            "key": key or uuid.uuid4().hex,
            "handler": handler,
            "payload": json.dumps(payload),
            "workspace_id": workspace_id,
            "queue_key": f"{workspace_id}:{person}",
            "received_at": now,
            "not_before": now,
        }
        waiting = _Waiting(row)
        with self._lock:
            if self._closed or self._backlog >= self.max_backlog:
                raise Busy()
            self._queue.append(waiting)
            self._backlog += 1
            self._lock.notify()
        if not waiting.done.wait(self.timeout):
            raise TimeoutError("the intake did not commit in time")
        if waiting.error is not None:
            raise waiting.error

    @property
    def backlog(self) -> int:
        return self._backlog

    def close(self) -> None:
        """Commit what is queued, then stop taking requests."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join(timeout=10)

    def _write_until_closed(self) -> None:
        """One connection for the thread's life: an ack must not wait for a connect."""
        try:
            self._write_until_closed_on_one_connection()
        finally:
            _disconnect()

    def _write_until_closed_on_one_connection(self) -> None:
        while True:
            with self._lock:
                if not self._queue and not self._closed:
                    self._lock.wait(timeout=BACKLOG_REFRESH.total_seconds())
                batch, self._queue = self._queue, []
                closed = self._closed
            if batch:
                self._commit(batch)
            elif closed:
                return
            else:
                self._refresh_backlog()

    def _commit(self, batch: list[_Waiting]) -> None:
        try:
            intake.intake_db.connect(reuse_if_open=True)
            intake.record([waiting.row for waiting in batch])
            self.on_commit()
        except Exception as error:  # noqa: BLE001 - each waiting ack reports it
            for waiting in batch:
                waiting.error = error
            _disconnect()  # the next batch connects afresh
        for waiting in batch:
            waiting.done.set()

    def _refresh_backlog(self) -> None:
        """Workers settle items: when idle, re-read the count (a count on an index)."""
        try:
            intake.intake_db.connect(reuse_if_open=True)
            self._backlog, _ = intake.backlog_size()
        except Exception:  # noqa: BLE001 - keep the last count; health reports the database
            _disconnect()


def _disconnect() -> None:
    with contextlib.suppress(Exception):  # a connection already broken is closed anyway
        intake.intake_db.close()
