"""The worker's side of the intake: claim each acknowledged request and run it once.

A run's effects, its notices (its reply among them) and its done mark commit in one
transaction. A run that fails for an unexpected reason is rolled back and tried
again later; after MAX_ATTEMPTS the person is told and the item is given up.
"""

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from peewee import IntegrityError
from slack_sdk import WebClient

from bot.service import Lobby
from handlers.intake.runs import RUNS, Run
from storage import intake
from storage.db import connected, db
from storage.intake import IntakeItem

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)  # longer than any run; a dead worker's items wait this long
UNINSTALLED = "the workspace uninstalled Lobby"
GAVE_UP = "Lobby could not finish your request, sorry: it failed {attempts} times. Try again."


class Runner:
    def __init__(
        self,
        lobby: Lobby,
        client_for: Callable[[str], WebClient | None],
        *,
        instance_id: str,
        threads: int = 4,
        poll_seconds: float = 0.05,
    ):
        self.lobby = lobby
        self.client_for = client_for
        self.instance_id = instance_id
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self.heartbeat = lobby.clock.now()

    def start(self) -> None:
        with intake.intake_db.connection_context():
            released = intake.release_claims_of(self.instance_id)
        if released:
            log.warning("taking up again %d requests this instance held when it stopped", released)
        for number in range(self.threads):
            worker = threading.Thread(target=self._run_until_stopped, name=f"run-{number}")
            worker.start()
            self._workers.append(worker)

    def is_alive(self) -> bool:
        return bool(self._workers) and all(worker.is_alive() for worker in self._workers)

    def stop(self, timeout: float) -> None:
        """Finish the runs under way (up to `timeout`), then hand back anything held."""
        self._stopping.set()
        for worker in self._workers:
            worker.join(timeout=timeout)
        with intake.intake_db.connection_context():
            intake.release_claims_of(self.instance_id)

    def _run_until_stopped(self) -> None:
        """Each thread keeps its connections open between passes (a poll every
        `poll_seconds` must not log in to PostgreSQL, or checkpoint SQLite's WAL)."""
        try:
            self._run_on_open_connections()
        finally:
            _disconnect()

    def _run_on_open_connections(self) -> None:
        while not self._stopping.is_set():
            try:
                intake.connect_for_runs()
                db.connect(reuse_if_open=True)
                ran = self.run_one()
            except Exception:  # noqa: BLE001 - a runner thread outlives any one failure
                log.exception("intake runner pass failed")
                _disconnect()  # the next pass connects afresh
                ran = False
            self.heartbeat = self.lobby.clock.now()
            if not ran:
                self._stopping.wait(self.poll_seconds)

    def run_one(self) -> bool:
        """Claim and run one item; False when nothing was due."""
        now = self.lobby.clock.now()
        with connected(intake.intake_db):
            item = intake.claim(now, self.instance_id, LEASE)
        if item is None:
            return False
        with connected(db):
            if intake.is_done(item):  # ran, but the intake's own file missed the news
                self._settle(item)
                return True
            self._run(item, now)
        return True

    def _run(self, item: IntakeItem, now) -> None:
        client = self.client_for(item.workspace_id)
        if client is None:  # the workspace uninstalled the app: nothing is done there
            with intake.intake_db.connection_context():
                intake.give_up(item, UNINSTALLED)
            return
        payload = json.loads(item.payload)
        run = Run(
            payload=payload,
            workspace_id=item.workspace_id,
            user_id=item.queue_key.partition(":")[2],
            lobby=self.lobby,
            client=client,
            now=now,
        )
        try:
            with db.atomic():
                run.call(RUNS[item.handler])
                intake.mark_done(item, now)
        except IntegrityError as error:
            if intake.is_done(item):  # another worker took over a lapsed lease and finished
                self._settle(item)
                return
            self._failed(item, run, error)
        except Exception as error:  # noqa: BLE001 - rolled back; tried again later
            self._failed(item, run, error)
        else:
            self._settle(item)

    def _settle(self, item: IntakeItem) -> None:
        if not intake.shares_app_database():
            with connected(intake.intake_db):
                intake.settle_done(item)

    def _failed(self, item: IntakeItem, run: Run, error: Exception) -> None:
        log.exception("run of %s (%s) failed", item.key, item.handler, exc_info=error)
        with connected(intake.intake_db):
            if item.attempts < MAX_ATTEMPTS:
                delay = timedelta(seconds=2**item.attempts)
                intake.retry_later(item, run.now, repr(error), delay)
                return
            intake.give_up(item, repr(error))
        with db.atomic():
            text = GAVE_UP.format(attempts=item.attempts)
            run.record_reply({"text": text})


def _disconnect() -> None:
    for database in (intake.intake_db, db):
        with contextlib.suppress(Exception):  # a broken connection is closed anyway
            database.close()
