"""Jobs skip a workspace that uninstalled the app: its due rows stay as they are (not
just its notices) until it installs the app again; another workspace's are handled."""

from datetime import timedelta

import pytest

from bot.jobs.scheduler import job_table, run_job
from bot.teams.access_term import AccessTerm
from bot.workspaces import come_back, depart
from storage.models import Invitation, JoinRequest, Membership, Notice, RoleRequest, Team
from tests.conftest import actor

GONE, STAYS = "T0GONE", "T0STAYS"


def _kinds(workspace_id: str) -> set[str]:
    return {n.kind for n in Notice.select().where(Notice.workspace_id == workspace_id)}


def _status(model, workspace_id: str, **where) -> str:
    row = model.get(
        model.workspace_id == workspace_id, *(getattr(model, k) == v for k, v in where.items())
    )
    return row.status


# Each job: how long after the set-up its work is due, and whether it did it in a workspace.
JOBS = {
    "expire_invitations": (
        timedelta(days=8),
        lambda w: _status(Invitation, w, invitee_user_id="UA") == "expired",
    ),
    "expire_requests": (
        timedelta(days=15),
        lambda w: _status(JoinRequest, w, requester_user_id="UR") == "expired",
    ),
    "expire_requests[role]": (
        timedelta(days=15),
        lambda w: _status(RoleRequest, w, requester_user_id="UT") == "expired",
    ),
    "remind_approvers": (timedelta(days=2), lambda w: "request_reminder" in _kinds(w)),
    "remind_approvers[role]": (timedelta(days=2), lambda w: "role_request_reminder" in _kinds(w)),
    "remind_inviters": (timedelta(days=6, hours=12), lambda w: "expiry_reminder" in _kinds(w)),
    "daily_digest": (timedelta(days=2), lambda w: "daily_digest" in _kinds(w)),
    "warn_access_ending": (timedelta(days=8), lambda w: "access_ending_soon" in _kinds(w)),
    "end_access": (
        timedelta(days=11),
        lambda w: (
            not Membership.select()
            .where(Membership.workspace_id == w, Membership.user_id == "UT")
            .exists()
        ),
    ),
}


def _set_up(lobby, directory, workspace_id: str) -> None:
    """The same team and people in each workspace, with work due for every job."""
    owner = actor("UOWNER", workspace_id)
    lobby.teams.create(actor=owner, name="Design", directory=directory)
    for user_id, term in (("UA", None), ("UT", AccessTerm(days=10))):
        lobby.invitations.invite(
            actor=owner,
            team_name="Design",
            user_ids=[user_id],
            emails=[],
            roles=["member"],
            message=None,
            directory=directory,
            term=term,
        )
    timed = Invitation.get(
        Invitation.workspace_id == workspace_id, Invitation.invitee_user_id == "UT"
    )
    lobby.invitations.accept(actor=actor("UT", workspace_id), invitation_id=timed.id)
    lobby.requests.ask(actor=actor("UR", workspace_id), team_name=None, note=None)
    lobby.role_requests.ask(
        actor=actor("UT", workspace_id), role="admin", team_name=None, note=None
    )
    Team.update(digest_enabled=True).where(Team.workspace_id == workspace_id).execute()


@pytest.mark.parametrize("job", list(JOBS))
def test_a_job_leaves_a_departed_workspace_alone_until_it_comes_back(lobby, directory, clock, job):
    job_name = job.split("[")[0]
    directory.admins.add("UOWNER")
    for workspace_id in (GONE, STAYS):
        _set_up(lobby, directory, workspace_id)
    Notice.delete().execute()
    depart(GONE, clock.now())
    due_after, done_in = JOBS[job]
    clock.advance(seconds=due_after.total_seconds())
    work = job_table(lobby)[job_name][0]
    run_job(job_name, work)
    assert done_in(STAYS)
    assert not done_in(GONE)
    assert not _kinds(GONE)  # nothing recorded for it either
    come_back(GONE, clock.now())
    run_job(job_name, work)
    assert done_in(GONE)
