"""Scheduled jobs: each piece of work once, however late, often or widely they run."""

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.scheduler import build_scheduler, job_table, remind_inviters, run_job, send_digests
from bot.service import Lobby
from storage.db import init_db
from storage.models import Invitation, Notice, Team
from tests.conftest import actor
from tests.support.clock import ManualClock
from tests.support.outbox import payloads

OWNER = actor("UOWNER")


def run_all(lobby: Lobby) -> dict[str, int | None]:
    """Every job once, as the scheduler runs them at start-up."""
    return {name: run_job(name, work) for name, (work, _) in job_table(lobby).items()}


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def invite(lobby, directory, *users):
    lobby.invitations.invite(
        actor=OWNER,
        team_name="Design",
        user_ids=list(users),
        emails=[],
        roles=[],
        message=None,
        directory=directory,
    )


def test_an_inviter_is_reminded_once_a_day_before_expiry(lobby, directory, design, clock):
    invite(lobby, directory, "UA")
    clock.advance(days=5)
    assert remind_inviters(lobby) == 0
    clock.advance(days=1, hours=1)
    assert remind_inviters(lobby) == 1
    assert remind_inviters(lobby) == 0
    assert payloads("expiry_reminder")[0]["inviter"] == "UOWNER"
    lobby.invitation_admin.resend(actor=OWNER, invitation_id=Invitation.get().id)
    clock.advance(days=6, hours=1)
    assert remind_inviters(lobby) == 1  # a new sending gets its own reminder


def test_the_digest_is_off_by_default_and_daily_when_on(lobby, directory, design, clock):
    invite(lobby, directory, "UA")
    lobby.invitations.accept(actor=actor("UA"), invitation_id=Invitation.get().id)
    assert send_digests(lobby) == 0
    Team.update(digest_enabled=True).execute()
    assert send_digests(lobby) == 1
    assert send_digests(lobby) == 0
    assert sorted(payloads("daily_digest")[0]["joined"]) == ["UA", "UOWNER"]


def test_running_every_job_late_and_twice_does_each_piece_of_work_once(
    lobby, directory, design, clock
):
    invite(lobby, directory, "UA", "UB")
    lobby.requests.ask(actor=actor("UC"), team_name=None, note=None)
    clock.advance(days=30)  # hours of downtime: everything is long due
    first, second = run_all(lobby), run_all(lobby)
    assert first["expire_invitations"] == 2 and first["expire_requests"] == 1
    assert all(not done for done in second.values())
    assert len(payloads("invitation_expired")) == 2
    assert len(payloads("request_answered")) == 1


def test_the_scheduler_has_fixed_job_ids():
    scheduler = build_scheduler(Lobby(clock=ManualClock()))
    assert sorted(job.id for job in scheduler.get_jobs()) == [
        "daily_digest",
        "end_access",
        "expire_invitations",
        "expire_requests",
        "prune_intake",
        "purge_departed",
        "remind_approvers",
        "remind_inviters",
        "warn_access_ending",
    ]


def test_every_job_runs_at_start_up_then_on_its_interval():
    scheduler = build_scheduler(Lobby(clock=ManualClock()))
    started = datetime.now(UTC)
    for job in scheduler.get_jobs():
        assert job.next_run_time is not None, job.id
        assert abs((job.next_run_time - started).total_seconds()) < 5, job.id


def _instance(url, start, go, results):
    init_db(url)
    lobby = Lobby(clock=ManualClock(start))
    go.wait(timeout=60)
    for _ in range(5):
        run_all(lobby)
    results.put("done")


def test_three_instances_running_the_jobs_at_once_notify_once(
    lobby, directory, design, clock, database, db_url
):
    invite(lobby, directory, *[f"U{i:02}" for i in range(20)])
    for i in range(5):
        lobby.requests.ask(actor=actor(f"UR{i}"), team_name=None, note=None)
    clock.advance(days=3)
    for i in range(5, 8):
        lobby.requests.ask(actor=actor(f"UR{i}"), team_name=None, note=None)
    Team.update(digest_enabled=True).execute()
    clock.advance(days=4, hours=1)  # invitations due; requests waiting; reminders due
    lobby.requests.ask(actor=actor("UFRESH"), team_name=None, note=None)  # not a day old
    Notice.delete().execute()
    database.close()
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Event()
    instances = [
        context.Process(target=_instance, args=(db_url, clock.now(), go, results)) for _ in range(3)
    ]
    for instance in instances:
        instance.start()
    time.sleep(3)
    go.set()
    assert [results.get(timeout=60) for _ in instances] == ["done"] * 3
    for instance in instances:
        instance.join(timeout=30)
    database.connect(reuse_if_open=True)
    expired = payloads("invitation_expired")
    assert sorted(n["invitee"] for n in expired) == sorted(f"U{i:02}" for i in range(20))
    reminders = payloads("request_reminder")
    assert len(reminders) == 1 and len(reminders[0]["requesters"]) == 8
    assert len(payloads("daily_digest")) == 1


def test_a_departed_workspaces_data_goes_after_the_retention_and_not_before(
    lobby, clock, directory
):
    from bot.workspaces import depart, purge_departed
    from storage.models import Team
    from tests.conftest import actor

    for workspace_id in ("T0GONE", "T0STAYS"):  # the same team name in both
        lobby.teams.create(actor=actor("UADMIN", workspace_id), name="Design", directory=directory)
    depart("T0GONE", clock.now())
    month = timedelta(days=30)
    assert purge_departed(clock.now() + timedelta(days=29), month) == []
    assert purge_departed(clock.now() + month, month) == ["T0GONE"]
    assert [t.workspace_id for t in Team.select()] == ["T0STAYS"]
