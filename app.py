"""Lobby: wiring only. settings → database → service → Bolt → listeners → intake → server.

`python app.py` runs a web process and its workers (handlers/process.py): the web
process verifies each request from Slack, records it in the intake and acks, and opens
modals at once; of the worker processes it starts, one runs what was recorded and the
scheduler, the other the outbox (WORKER_PARTS).
"""

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from waitress.server import create_server

from bot.clock import Clock, SystemClock
from bot.jobs.scheduler import build_scheduler
from bot.service import Lobby
from config import Settings, SettingsError, load_settings
from handlers.delivery.mailer import Mailer
from handlers.delivery.outbox_worker import OutboxWorker, share_wakeup
from handlers.delivery.pacing import Pacer
from handlers.health import HealthCheck
from handlers.intake.listen import Handoff
from handlers.intake.runner import Runner
from handlers.intake.writer import IntakeWriter
from handlers.listeners import installs, register_all, register_runs
from handlers.oauth.flow import WorkspaceClients, oauth_settings
from handlers.process import SPAWN, WebProcess, WorkerGroup, WorkerProcess, run_worker
from handlers.web import Gate, wsgi_app
from storage.db import SharedTurn, init_db, take_turns_with

log = logging.getLogger("lobby")
# At DEBUG these log request bodies and SQL parameters: invite codes, tokens, emails.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "peewee")
# Runs at once on PostgreSQL (the Runner uses one on SQLite). More threads overlap the
# Slack calls a run makes, but on 2 CPUs they only queued for the interpreter and on each
# other's rows: DM p99 at 50 commands/s was lower with 2 than with 4 in 4 probes of 5.
RUN_THREADS = 2
RUNS, OUTBOX = "runs", "outbox"  # what a worker process does: the runs come with the jobs
# Python runs one thread at a time per process, and an invitation's run and its delivery
# each cost the CPU about as much: they take a process each. On SQLite the two take
# turns at the write lock (storage.db.SqliteTakingTurns, SharedTurn).
WORKER_PARTS = [(RUNS,), (OUTBOX,)]
URGENT_THREADS = 4  # modals opened at once in the web process


class StartUpError(Exception):
    """Slack refused a token: start-up stops with one line naming the setting."""


@dataclass
class Web:
    bolt: App
    lobby: Lobby
    writer: IntakeWriter
    gate: Gate


@dataclass
class Worker:
    """What one worker process runs: the intake's runs (with the jobs), the outbox, or both."""

    lobby: Lobby
    runner: Runner | None
    outbox: OutboxWorker | None
    scheduler: BackgroundScheduler | None

    def start(self) -> None:
        for part in (self.runner, self.outbox, self.scheduler):
            if part is not None:
                part.start()

    def is_alive(self) -> bool:
        return all(part.is_alive() for part in (self.runner, self.outbox) if part is not None)

    def stop(self, timeout: float) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.runner is not None:
            self.runner.stop(timeout)
        if self.outbox is not None:
            self.outbox.stop()


def slack_client(settings: Settings, *, wait_on_rate_limits: bool) -> WebClient:
    """Runs wait out a 429 (a person is waiting for the answer); the outbox worker must
    not block, so it reschedules the notice instead."""
    client = WebClient(token=settings.bot_token, base_url=settings.slack_api_url)
    return _waiting(client, wait_on_rate_limits)


def clients_for(settings: Settings, clock: Clock, *, wait_on_rate_limits: bool):
    """`client_for(workspace_id)`: the one bot token's client, or each workspace's own
    from its installation (None once it uninstalled the app)."""
    if settings.distributable:
        return WorkspaceClients(
            settings, clock, configure=lambda client: _waiting(client, wait_on_rate_limits)
        )
    client = slack_client(settings, wait_on_rate_limits=wait_on_rate_limits)
    return lambda workspace_id: client


def _waiting(client: WebClient, wait_on_rate_limits: bool) -> WebClient:
    if wait_on_rate_limits:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_lobby(settings: Settings, clock: Clock | None) -> Lobby:
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, logging.INFO))
    init_db(settings.database_url)
    return Lobby(
        clock=clock or SystemClock(),
        defaults=settings.team_defaults,
        email_enabled=settings.smtp is not None,
    )


def create_web(settings: Settings, clock: Clock | None = None) -> Web:
    """The process that answers Slack: verify, record, ack."""
    lobby = build_lobby(settings, clock)
    client = slack_client(settings, wait_on_rate_limits=True)
    # Distributable: Bolt's OAuth flow, and each request authorized with its workspace's
    # installation (a workspace without one is refused by Bolt itself).
    oauth = oauth_settings(settings, lobby.clock) if settings.distributable else None
    bolt = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        process_before_response=True,  # the ack goes out once the request is recorded
        token_verification_enabled=False,
        request_verification_enabled=not settings.socket_mode,
        oauth_settings=oauth,
    )
    writer = IntakeWriter(lobby.clock, max_backlog=settings.max_backlog)
    handoff = Handoff(writer, ThreadPoolExecutor(URGENT_THREADS, thread_name_prefix="urgent"))
    if oauth is None:
        register_all(bolt, lobby, handoff, installed_team_id=installed_team(client))
    else:
        installs.register(bolt, lobby, oauth.installation_store)
        register_all(bolt, lobby, handoff, installed_team_id=None)
    return Web(bolt=bolt, lobby=lobby, writer=writer, gate=Gate())


def installed_team(client: WebClient) -> str:
    try:
        return client.auth_test()["team_id"]
    except SlackApiError as error:
        refused = error.response["error"]
        raise StartUpError(f"SLACK_BOT_TOKEN was refused by Slack ({refused})") from None


def create_worker(
    settings: Settings,
    clock: Clock | None = None,
    *,
    jobs: bool = True,
    pacer: Pacer | None = None,
    parts: tuple[str, ...] = (RUNS, OUTBOX),
) -> Worker:
    """What runs what was acknowledged (and the jobs) and what delivers notices, as
    `parts` asks; the outbox paces its calls to Slack with `pacer` (by default, from
    the tiers)."""
    lobby = build_lobby(settings, clock)
    runner = scheduler = outbox = None
    if RUNS in parts:
        register_runs(lobby)
        runner = Runner(
            lobby,
            clients_for(settings, lobby.clock, wait_on_rate_limits=True),
            instance_id=settings.instance_id,
            threads=RUN_THREADS,
        )
        retention = timedelta(days=settings.retention_days)
        scheduler = build_scheduler(lobby, retention=retention) if jobs else None
    if OUTBOX in parts:
        outbox = OutboxWorker(
            clients_for(settings, lobby.clock, wait_on_rate_limits=False),
            lobby.clock,
            mailer=Mailer(settings.smtp) if settings.smtp else None,
            join_url=settings.join_url,
            instance_id=settings.instance_id,
            pacer=pacer,
        )
    return Worker(lobby=lobby, runner=runner, outbox=outbox, scheduler=scheduler)


def check_app_token(settings: Settings) -> None:
    """Socket Mode: a refused app-level token stops start-up with one line."""
    try:
        WebClient(base_url=settings.slack_api_url).apps_connections_open(
            app_token=settings.app_token
        )
    except SlackApiError as error:
        refused = error.response["error"]
        raise StartUpError(f"SLACK_APP_TOKEN was refused by Slack ({refused})") from None


def work(settings: Settings, parts: tuple[str, ...], shared: tuple, heartbeat) -> None:
    """A worker process's entry point (spawned: it builds its own everything).
    `shared`: the Events that requests recorded and notices recorded set, and the
    write turn on SQLite."""
    configure_logging()
    requests_recorded, notices_recorded, turn = shared
    share_wakeup(notices_recorded)
    worker = create_worker(settings, parts=parts)
    take_turns_with(turn)
    if worker.runner is not None:
        worker.runner.wakeup = requests_recorded
    run_worker(worker, heartbeat, shutdown_seconds=settings.shutdown_seconds)


def worker_processes(settings: Settings, web: Web) -> WorkerGroup:
    """The worker processes, woken by the web process's recorded requests and by each
    other's recorded notices, taking turns at SQLite's write lock."""
    shared = (SPAWN.Event(), SPAWN.Event(), SharedTurn(SPAWN))
    web.writer.on_commit = shared[0].set
    processes = [WorkerProcess(work, settings, parts, shared) for parts in WORKER_PARTS]
    return WorkerGroup(processes, shared=shared)


def serve(settings: Settings, web: Web) -> None:
    worker = worker_processes(settings, web)
    health = HealthCheck(
        web.lobby.clock,
        worker_alive=worker.is_alive,
        max_backlog=settings.max_backlog,
        stopping=lambda: not web.gate.is_open,
    )
    bolt_over_http = None if settings.socket_mode else web.bolt
    server = create_server(
        wsgi_app(bolt_over_http, health, web.gate), host="0.0.0.0", port=settings.port, threads=8
    )
    process = WebProcess(
        server=server,
        gate=web.gate,
        writer=web.writer,
        worker=worker,
        shutdown_seconds=settings.shutdown_seconds,
    )
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        process.socket_mode = SocketModeHandler(web.bolt, settings.app_token)
    log.info("Lobby listening on port %s", settings.port)
    process.serve()


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def main() -> None:
    configure_logging()
    try:
        settings = load_settings()
        if settings.socket_mode:
            check_app_token(settings)
        web = create_web(settings)
    except (SettingsError, StartUpError) as error:
        sys.exit(f"Lobby can't start: {error}")
    serve(settings, web)


if __name__ == "__main__":
    main()
