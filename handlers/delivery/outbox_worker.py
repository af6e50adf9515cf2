"""Deliver outbox notices to Slack from a background thread, retrying what Slack refuses for now."""

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.outbox import claims as outbox
from bot.outbox.notices import PublishHome
from handlers.delivery import Delivery, deliver
from handlers.delivery.mailer import Mailer
from handlers.delivery.pacing import Paced, Pacer, paced
from handlers.delivery.registry import BatchHomes
from storage.db import connected, db

log = logging.getLogger(__name__)
# Set when a run committed notices: the outbox delivers them at once instead of at its
# next poll (the poll stays, for notices recorded elsewhere). `python app.py` runs the
# outbox in a process of its own: the runs' process and it share one (`share_wakeup`).
_recorded = threading.Event()


def notices_recorded() -> None:
    """Wake the outbox worker: notices were just committed."""
    _recorded.set()


def share_wakeup(event) -> None:
    """Use `event` (a multiprocessing Event the processes share) to wake the outbox."""
    global _recorded
    _recorded = event


class OutboxWorker:
    def __init__(
        self,
        client: WebClient | Callable[[str], WebClient | None],
        clock: Clock,
        *,
        mailer: Mailer | None = None,
        join_url: str | None = None,
        instance_id: str = "lobby",
        poll_seconds: float = 0.2,
        pacer: Pacer | None = None,
    ):
        # One client, or each workspace's own (None once it uninstalled the app).
        self.client_for = client if callable(client) else (lambda workspace_id: client)
        self.instance_id = instance_id
        self.mailer = mailer
        self.join_url = join_url
        self.clock = clock
        self.pacer = pacer or Pacer(lambda: clock.now().timestamp())
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self) -> int:
        """Deliver every notice that is due now; returns how many were tried."""
        now = self.clock.now()
        _recorded.clear()  # the claim sees what was committed before it
        with connected(db):
            claimed = outbox.claim_due(now, self.instance_id)
        homes = batch_homes(claimed)
        put_back = []
        for index, item in enumerate(claimed):
            if self._yields_to_newer(claimed[:index], item):
                put_back += [(later, now) for later in claimed[index:]]
                break
            seconds = self._deliver_one(item, now, homes.get(item.workspace_id))
            if seconds is not None:
                put_back.append((item, self.clock.now() + timedelta(seconds=seconds)))
        if put_back:  # one commit for them all: with SQLite, each commit is a sync
            with connected(db), db.atomic():
                for item, until in put_back:
                    outbox.put_back(item, until)
        return len(claimed)

    @staticmethod
    def _yields_to_newer(delivered: list[outbox.Claimed], item: outbox.Claimed) -> bool:
        """Home publishes give way to notices recorded since the claim (someone waits
        for those), once this batch has published at least one Home."""
        if item.notice.kind not in outbox.LATER_KINDS or not _recorded.is_set():
            return False
        return any(done.notice.kind in outbox.LATER_KINDS for done in delivered)

    def _deliver_one(self, item: outbox.Claimed, now, homes: BatchHomes | None) -> float | None:
        """Deliver and settle one notice; if Lobby must wait before its next call to
        Slack, nothing is settled and the seconds to wait are returned."""
        client = self.client_for(item.workspace_id)
        if client is None:
            with connected(db):
                outbox.drop_uninstalled(item)
            return
        try:
            delivery = Delivery(
                paced(client, item.workspace_id, self.pacer),
                item.workspace_id,
                now,
                notice_id=item.notice_id,
                retrying=item.attempts > 1,
                mailer=self.mailer,
                join_url=self.join_url,
                homes=homes,
            )
            deliver(delivery, item.notice)
        except Paced as paced_for:
            return paced_for.seconds
        except SlackApiError as error:
            status = error.response.status_code
            retry_after = error.response.headers.get("Retry-After") if status == 429 else None
            self._settle_failure(
                item,
                now,
                f"{status} {error.response.get('error')}",
                retry_after=float(retry_after) if retry_after else None,
                permanent=_is_permanent(status, error.response.get("error")),
            )
        except (URLError, ConnectionError, TimeoutError, OSError) as error:
            self._settle_failure(item, now, repr(error), retry_after=None, permanent=False)
        except Exception as error:  # noqa: BLE001 - one bad notice must not strand its batch
            log.exception("notice %s (%s) could not be delivered", item.notice_id, item.notice.kind)
            self._settle_failure(item, now, repr(error), retry_after=None, permanent=False)
        else:
            with connected(db):
                outbox.mark_sent(item, now)
        return None

    def _settle_failure(self, item, now, error, *, retry_after, permanent) -> None:
        with connected(db):
            gave_up = outbox.mark_failed(
                item, now, error, retry_after=retry_after, permanent=permanent
            )
        level = logging.ERROR if gave_up else logging.WARNING
        log.log(level, "notice %s (%s): %s", item.notice_id, item.notice.kind, error)

    def run(self) -> None:
        """The thread keeps its connection open between passes (on PostgreSQL each
        delivery's writes would otherwise log in anew)."""
        try:
            self._run_on_open_connection()
        finally:
            _disconnect()

    def _run_on_open_connection(self) -> None:
        while not self._stop.is_set():
            try:
                db.connect(reuse_if_open=True)
                tried = self.deliver_due()
            except Exception:  # noqa: BLE001 - the worker must outlive any one failure
                log.exception("outbox worker pass failed")
                _disconnect()  # the next pass connects afresh
                tried = 0
            if not tried and not self._stop.is_set():
                _recorded.wait(self.poll_seconds)
                _recorded.clear()  # before the next claim, which sees what was committed

    def start(self) -> None:
        with db.connection_context():
            released = outbox.release_claims_of(self.instance_id)
        if released:
            log.warning("offering again %d notices this instance left mid-delivery", released)
        self._thread = threading.Thread(target=self.run, name="outbox", daemon=True)
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Finish the batch under way, then hand back whatever is still claimed."""
        self._stop.set()
        _recorded.set()
        if self._thread:
            self._thread.join(timeout=5)
        with db.connection_context():
            outbox.release_claims_of(self.instance_id)


def _disconnect() -> None:
    with contextlib.suppress(Exception):  # a broken connection is closed anyway
        db.close()


def batch_homes(claimed: list[outbox.Claimed]) -> dict[str, BatchHomes]:
    homes: dict[str, BatchHomes] = {}
    for item in claimed:
        if isinstance(item.notice, PublishHome):
            homes.setdefault(item.workspace_id, BatchHomes(claimed=set()))
            homes[item.workspace_id].claimed.add(item.notice.user)
    return homes


# Errors Slack returns with HTTP 200 that still mean "try again later".
TRANSIENT_SLACK_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def _is_permanent(status: int, error: str | None) -> bool:
    if status == 429 or status >= 500:
        return False
    return error not in TRANSIENT_SLACK_ERRORS
