"""How a listener hands its work over: record it, then ack; or, for what must happen
within Slack's 3 seconds (opening a modal from a trigger_id), run it at once here."""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from handlers.intake.writer import Busy, IntakeWriter

log = logging.getLogger(__name__)
BUSY = "Lobby is busy; your command was not taken, try again in a minute."
NOT_TAKEN = (
    "Lobby couldn't take that just now (its database did not answer); nothing changed. "
    "Try again in a minute."
)


@dataclass
class Handoff:
    writer: IntakeWriter
    urgent: ThreadPoolExecutor  # in the process that acked, ahead of any backlog

    def take(
        self, name: str, body: dict, *, workspace_id: str, person: str, key: str | None = None
    ) -> str | None:
        """Record the request for a worker; None when taken, else what to answer instead."""
        try:
            self.writer.record(
                handler=name, payload=body, workspace_id=workspace_id, person=person, key=key
            )
        except Busy:
            return BUSY
        except Exception:  # noqa: BLE001 - the person is told; nothing was recorded
            log.exception("could not record a %s request", name)
            return NOT_TAKEN
        return None

    def durable(self, name: str):
        """A Bolt ack function for a click: record it under `name`, then ack. A refusal
        to take it (busy) is said where the person clicked, when Slack says where."""

        def acknowledge(ack, body, context, respond):
            person = body["user"]["id"]
            refusal = self.take(name, body, workspace_id=context.team_id, person=person)
            ack()
            if refusal and respond is not None:
                respond(response_type="ephemeral", replace_original=False, text=refusal)

        return acknowledge

    def now(self, work, *args) -> None:
        """Run `work` at once on a thread of this process; its errors are logged."""
        future = self.urgent.submit(work, *args)
        future.add_done_callback(_log_failure)


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.error("urgent work failed", exc_info=future.exception())
