"""Scheduled jobs. The database is the truth: each job works from stored times, so a job
that runs late, twice, or on three instances at once does each piece of work once.

Each run first takes a PostgreSQL advisory lock named after the job (other instances
skip that run); the work inside is claimed row by row anyway, by conditional updates
and by notices' dedupe keys.
"""

import logging
import zlib
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from peewee import PostgresqlDatabase

from bot.invitations.expiry import expire_due_invitations
from bot.outbox import notices
from bot.roles.permissions import Permission
from bot.service import Lobby
from bot.teams.membership import admin_recipients, holders_of
from bot.workspaces import purge_departed
from storage import intake
from storage.db import db
from storage.installations import Departure
from storage.models import Invitation, JoinRequest, Membership, Team

log = logging.getLogger(__name__)
DAY = timedelta(hours=24)
INTAKE_KEPT = timedelta(days=7)  # longer than Slack retries an event
RETENTION = timedelta(days=30)  # an uninstalled workspace's data, before it is deleted


def remind_inviters(lobby: Lobby) -> int:
    """A day before an invitation expires, its inviter is reminded once (per sending)."""
    now = lobby.clock.now()
    soon = (
        Invitation.live(now)
        .select(Invitation, Team.name)
        .join(Team)
        .where(Invitation.expires_at <= now + DAY)
        .where(Departure.still_here(Invitation.workspace_id))
    )
    sent = 0
    with db.atomic():
        for invitation in soon:
            reminder = notices.ExpiryReminder(
                invitation_id=invitation.id,
                team=invitation.team.name,
                inviter=invitation.inviter_user_id,
                invitee=invitation.invitee_user_id,
                email=invitation.invitee_email,
                expires_at=invitation.expires_at.isoformat(),
            )
            key = f"expiry-reminder:{invitation.id}:{invitation.generation}"
            sent += notices.record(invitation.workspace_id, reminder, now, dedupe_key=key)
    return sent


def send_digests(lobby: Lobby) -> int:
    """Teams with the digest on: each admin gets the day's joins and open requests, once a day."""
    now = lobby.clock.now()
    sent = 0
    with db.atomic():
        digested = Team.select().where(
            Team.digest_enabled, Team.parent.is_null(), Departure.still_here(Team.workspace_id)
        )
        for team in digested:
            joined = [
                m.user_id
                for m in Membership.select().where(
                    Membership.team == team, Membership.joined_at > now - DAY
                )
            ]
            open_requests = list(JoinRequest.open(now).where(JoinRequest.team == team))
            if not joined and not open_requests:
                continue
            admins = holders_of(team, Permission.MANAGE_MEMBERS)
            for recipient in admin_recipients(team, admins, exclude=set()):
                digest = notices.DailyDigest(
                    team=team.name,
                    recipient=recipient,
                    joined=joined,
                    open_requests=[r.id for r in open_requests],
                    requesters=[r.requester_user_id for r in open_requests],
                )
                key = f"digest:{team.id}:{recipient}:{now.date().isoformat()}"
                sent += notices.record(team.workspace_id, digest, now, dedupe_key=key)
    return sent


def expire_requests(lobby: Lobby) -> int:
    """Join and role requests expire alike, by the team's request expiry."""
    return lobby.requests.expire_due() + lobby.role_requests.expire_due()


def remind_approvers(lobby: Lobby) -> int:
    """Who may decide a waiting join or role request is reminded once a day."""
    return lobby.requests.remind_approvers() + lobby.role_requests.remind_deciders()


def prune_intake(lobby: Lobby) -> int:
    """Forget requests that were run more than a week ago."""
    return intake.prune(lobby.clock.now() - INTAKE_KEPT)


def job_table(lobby: Lobby, retention: timedelta = RETENTION) -> dict:
    """Every job: its function and how often it runs."""
    return {
        "purge_departed": (lambda: len(purge_departed(lobby.clock.now(), retention)), {"hours": 6}),
        "expire_invitations": (lambda: expire_due_invitations(lobby.clock), {"minutes": 1}),
        "expire_requests": (lambda: expire_requests(lobby), {"minutes": 1}),
        "remind_approvers": (lambda: remind_approvers(lobby), {"minutes": 15}),
        "remind_inviters": (lambda: remind_inviters(lobby), {"minutes": 15}),
        "daily_digest": (lambda: send_digests(lobby), {"minutes": 15}),
        "warn_access_ending": (lobby.access.warn_ending, {"minutes": 15}),
        "end_access": (lobby.access.end_due, {"minutes": 1}),
        "prune_intake": (lambda: prune_intake(lobby), {"hours": 6}),
    }


def run_job(name: str, work) -> int | None:
    """Run one job in its own connection; None when another instance is running it."""
    with db.connection_context():
        if not _try_lock(name):
            return None
        try:
            return work()
        finally:
            _unlock(name)


def build_scheduler(lobby: Lobby, retention: timedelta = RETENTION) -> BackgroundScheduler:
    """One BackgroundScheduler, its jobs rebuilt at start-up with fixed ids."""
    scheduler = BackgroundScheduler(
        job_defaults={"coalesce": True, "max_instances": 1}, timezone="UTC"
    )
    # Each job runs at start-up too: an app restarted more often than a job's interval
    # still runs it, and catches up at once after downtime.
    starting = datetime.now(UTC)
    for name, (work, every) in job_table(lobby, retention).items():
        scheduler.add_job(
            _logged(name, work),
            "interval",
            id=name,
            replace_existing=True,
            next_run_time=starting,
            **every,
        )
    return scheduler


def _logged(name, work):
    def run():
        try:
            done = run_job(name, work)
        except Exception:  # noqa: BLE001 - a failed run is retried by the next one
            log.exception("job %s failed", name)
            return
        if done:
            log.info("job %s: %s", name, done)

    return run


def _lock_key(name: str) -> int:
    return zlib.crc32(f"lobby-job:{name}".encode())


def _try_lock(name: str) -> bool:
    if not isinstance(db.obj, PostgresqlDatabase):
        return True  # one SQLite file: BEGIN IMMEDIATE serialises the writes
    cursor = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (_lock_key(name),))
    return bool(cursor.fetchone()[0])


def _unlock(name: str) -> None:
    if isinstance(db.obj, PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (_lock_key(name),))
