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
from handlers.delivery.outbox_worker import notices_recorded
from handlers.intake.runs import RUNS, Run
from storage import intake
from storage.db import connected, db
from storage.intake import IntakeItem

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)  # longer than any batch of runs; a dead worker's items wait this long
BATCH = 10  # items claimed at once
UNINSTALLED = "the workspace uninstalled Lobby"
GAVE_UP = "Lobby could not finish your request, sorry: it failed {attempts} times. Try again."


class Runner:
    """Runs the intake on `threads` threads on PostgreSQL; on SQLite on one, as every
    run takes the app database's one write lock (more threads only queue on it)."""

    def __init__(
        self,
        lobby: Lobby,
        client_for: Callable[[str], WebClient | None],
        *,
        instance_id: str,
        threads: int = 4,
        poll_seconds: float = 0.05,
        batch: int = BATCH,
        wakeup=None,
    ):
        self.lobby = lobby
        self.client_for = client_for
        self.instance_id = instance_id
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._stopping = threading.Event()
        # Set when requests were recorded (by this instance's web process, which shares
        # it): runners waiting for work claim at once. The poll stays, for other instances.
        self.wakeup = wakeup or threading.Event()
        self._workers: list[threading.Thread] = []
        self._unsettled = threading.local()  # this thread's runs the intake has yet to hear of
        self.heartbeat = lobby.clock.now()

    def start(self) -> None:
        with intake.intake_db.connection_context():
            released = intake.release_claims_of(self.instance_id)
        if released:
            log.warning("taking up again %d requests this instance held when it stopped", released)
        threads = self.threads if intake.shares_app_database() else 1
        for number in range(threads):
            worker = threading.Thread(target=self._run_until_stopped, name=f"run-{number}")
            worker.start()
            self._workers.append(worker)

    def is_alive(self) -> bool:
        return bool(self._workers) and all(worker.is_alive() for worker in self._workers)

    def stop(self, timeout: float) -> None:
        """Finish the runs under way (up to `timeout`), then hand back anything held."""
        self._stopping.set()
        self.wakeup.set()
        for worker in self._workers:
            worker.join(timeout=timeout)
        with intake.intake_db.connection_context():
            intake.release_claims_of(self.instance_id)

    def _run_until_stopped(self) -> None:
        """Each thread keeps its connections open between passes (a poll every
        `poll_seconds` must not log in to PostgreSQL, or checkpoint SQLite's WAL)."""
        try:
            self._run_on_open_connections()
            self._settle_ran()
        finally:
            _disconnect()

    def _run_on_open_connections(self) -> None:
        while not self._stopping.is_set():
            try:
                intake.connect_for_runs()
                db.connect(reuse_if_open=True)
                ran = self.run_batch()
            except Exception:  # noqa: BLE001 - a runner thread outlives any one failure
                log.exception("intake runner pass failed")
                _disconnect()  # the next pass connects afresh
                ran = 0
            self.heartbeat = self.lobby.clock.now()
            if not ran and not self._stopping.is_set():
                self.wakeup.wait(self.poll_seconds)

    def run_batch(self) -> int:
        """Claim up to `batch` items and run them in order; how many were claimed.

        The intake hears that the previous batch's runs are done in this claim's
        transaction. Should it never hear (a crash), their items are claimed again
        when the lease runs out and found done, not run again."""
        self.wakeup.clear()  # the claim sees what was recorded before it
        with connected(intake.intake_db):
            items = intake.claim_batch(
                self.lobby.clock.now(),
                self.instance_id,
                LEASE,
                limit=self.batch,
                settle=[item.id for item in self._take_unsettled()],
            )
        if not items:
            return 0
        with connected(db):
            self._run_in_order(items)
        return len(items)

    def _run_in_order(self, items: list[IntakeItem]) -> None:
        """Once an item of a person's queue does not run now (it failed, or its lease
        lapsed), their later items in the batch wait: they are handed back."""
        done = intake.done_keys(items)  # ran, but the intake's own file missed the news
        held_back: set[str] = set()
        handed_back: list[IntakeItem] = []
        for item in items:
            now = self.lobby.clock.now()
            if item.queue_key in held_back:
                handed_back.append(item)
            elif item.key in done:
                self._ran(item)
            # A lapsed lease: someone may be taking the item over; it is theirs now.
            elif item.lease_until <= now or not self._run(item, now):
                held_back.add(item.queue_key)
        if handed_back:
            with connected(intake.intake_db):
                intake.release(handed_back)

    def _run(self, item: IntakeItem, now) -> bool:
        """Run one item in one transaction with its done mark; False if it failed."""
        client = self.client_for(item.workspace_id)
        if client is None:  # the workspace uninstalled the app: nothing is done there
            with connected(intake.intake_db):
                intake.give_up(item, UNINSTALLED)
            return True
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
                self._ran(item)
                return True
            self._failed(item, run, error)
            return False
        except Exception as error:  # noqa: BLE001 - rolled back; tried again later
            self._failed(item, run, error)
            return False
        notices_recorded()
        self._ran(item)
        return True

    def _ran(self, item: IntakeItem) -> None:
        """On SQLite the intake's own file hears of it with the next claim."""
        if not intake.shares_app_database():
            self._unsettled.items = [*getattr(self._unsettled, "items", []), item]

    def _take_unsettled(self) -> list[IntakeItem]:
        items = getattr(self._unsettled, "items", [])
        self._unsettled.items = []
        return items

    def _settle_ran(self) -> None:
        if items := self._take_unsettled():
            with connected(intake.intake_db):
                intake.settle_done(*items)

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
        notices_recorded()


def _disconnect() -> None:
    for database in (intake.intake_db, db):
        with contextlib.suppress(Exception):  # a broken connection is closed anyway
            database.close()
