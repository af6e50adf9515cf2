"""Role requests: asking, who gets a copy (no escalation), first decision wins, refusals,
expiry and reminders."""

import pytest

from bot.errors import (
    CannotGrantRole,
    NotAllowed,
    NotAMember,
    OwnerNotRequestable,
    RequestAlreadyDecided,
    RoleAlreadyHeld,
    RoleRequestPending,
    UnknownRole,
)
from bot.home.role_requests import role_requests_on_home
from bot.jobs.scheduler import expire_requests, remind_approvers
from bot.teams.membership import roles_of
from storage.models import AuditEntry, Invitation, Notice, RoleRequest
from tests.conftest import actor
from tests.support.outbox import payloads
from tests.support.races import race

OWNER = actor("UOWNER")
ALICE = actor("UALICE")


@pytest.fixture
def design(lobby, directory):
    """Design: UOWNER, UADMIN (admin), UMGR (manager), UALICE and UBOB (members)."""
    directory.admins.add("UOWNER")
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    lobby.roles.create(actor=OWNER, team_name=None, name="treasurer", permissions=["manage_seats"])
    for user_id, role in (("UADMIN", "admin"), ("UMGR", "manager"), ("UALICE", "member")):
        lobby.invitations.invite(
            actor=OWNER,
            team_name="Design",
            user_ids=[user_id],
            emails=[],
            roles=[role],
            message=None,
            directory=directory,
        )
        invitation = Invitation.get(Invitation.invitee_user_id == user_id)
        lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)
    Notice.delete().execute()
    return team


def copies_to() -> list[str]:
    return [p["recipient"] for p in payloads("role_request_for_approval")]


def test_a_request_for_admin_goes_to_those_who_may_grant_admin_and_not_to_managers(lobby, design):
    lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note="I run the wiki")
    assert copies_to() == ["UOWNER", "UADMIN"]
    copy = payloads("role_request_for_approval")[0]
    assert copy["role"] == "admin" and copy["note"] == "I run the wiki"
    assert copy["requester"] == "UALICE"


def test_a_request_for_viewer_goes_to_managers_too(lobby, design):
    lobby.role_requests.ask(actor=ALICE, role="viewer", team_name="Design", note=None)
    assert copies_to() == ["UOWNER", "UADMIN", "UMGR"]


def test_a_custom_role_beyond_the_admins_permissions_goes_to_owners_only(lobby, design):
    lobby.role_requests.ask(actor=ALICE, role="treasurer", team_name=None, note=None)
    assert copies_to() == ["UOWNER"]


def test_copies_are_dms_even_with_a_notification_channel(lobby, design):
    design.notification_channel = "C0ADMINS"
    design.save()
    lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    assert copies_to() == ["UOWNER", "UADMIN"]


def test_approval_adds_the_role_updates_every_copy_and_tells_the_requester(lobby, design):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    Notice.delete().where(Notice.kind == "publish_home").execute()  # the ask's own Homes
    lobby.role_requests.approve(actor=actor("UADMIN"), request_id=request.id)
    assert roles_of(design, "UALICE") == {"member", "admin"}
    decided = payloads("role_request_decided")
    assert [(d["status"], d["decided_by"], d["request_id"]) for d in decided] == [
        ("approved", "UADMIN", request.id)
    ]
    answered = payloads("role_request_answered")
    assert [(a["requester"], a["status"], a["role"]) for a in answered] == [
        ("UALICE", "approved", "admin")
    ]
    assert {"UOWNER", "UADMIN", "UALICE"} <= {home["user"] for home in payloads("publish_home")}
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["role_request.created", "role_request.approved"]


def test_deny_keeps_the_roles_and_tells_the_requester(lobby, design):
    request = lobby.role_requests.ask(actor=ALICE, role="viewer", team_name=None, note=None)
    lobby.role_requests.deny(actor=actor("UMGR"), request_id=request.id)
    assert roles_of(design, "UALICE") == {"member"}
    assert payloads("role_request_answered")[0]["status"] == "denied"
    assert payloads("role_request_decided")[0]["decided_by"] == "UMGR"
    assert AuditEntry.select().where(AuditEntry.action == "role_request.denied").count() == 1


def test_a_manager_may_not_decide_a_request_for_admin(lobby, design):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    before = Notice.select().count()
    with pytest.raises(CannotGrantRole):
        lobby.role_requests.approve(actor=actor("UMGR"), request_id=request.id)
    with pytest.raises(CannotGrantRole):
        lobby.role_requests.deny(actor=actor("UMGR"), request_id=request.id)
    with pytest.raises(NotAllowed):
        lobby.role_requests.approve(actor=actor("UBOB"), request_id=request.id)
    assert RoleRequest.get_by_id(request.id).status == "pending"
    assert roles_of(design, "UALICE") == {"member"}
    assert Notice.select().count() == before


@pytest.mark.parametrize(
    ("who", "role", "refusal"),
    [
        ("UALICE", "wizard", UnknownRole),
        ("UALICE", "member", RoleAlreadyHeld),
        ("UADMIN", "owner", OwnerNotRequestable),
        ("UOWNER", "owner", RoleAlreadyHeld),
        ("UBOB", "viewer", NotAMember),
    ],
)
def test_refusals_send_and_change_nothing(lobby, design, who, role, refusal):
    with pytest.raises(refusal):
        lobby.role_requests.ask(actor=actor(who), role=role, team_name=None, note=None)
    assert RoleRequest.select().count() == 0
    assert Notice.select().count() == 0


def test_one_pending_role_request_per_person_and_team(lobby, design):
    first = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    with pytest.raises(RoleRequestPending) as refused:
        lobby.role_requests.ask(actor=ALICE, role="viewer", team_name=None, note=None)
    assert refused.value.role == "admin" and refused.value.team == "Design"
    assert RoleRequest.select().count() == 1 and len(copies_to()) == 2
    lobby.role_requests.deny(actor=OWNER, request_id=first.id)
    lobby.role_requests.ask(actor=ALICE, role="viewer", team_name=None, note=None)


def test_a_click_after_the_decision_changes_nothing_and_says_who_decided(lobby, design):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    lobby.role_requests.approve(actor=OWNER, request_id=request.id)
    before = Notice.select().count()
    with pytest.raises(RequestAlreadyDecided) as refused:
        lobby.role_requests.deny(actor=actor("UADMIN"), request_id=request.id)
    assert (refused.value.status, refused.value.decided_by) == ("approved", "UOWNER")
    assert refused.value.roles == ["admin"]
    assert Notice.select().count() == before


def test_two_deciders_at_once_one_decision_stands(lobby, design, database):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    results = race(
        {
            "UADMIN": lambda: lobby.role_requests.approve(
                actor=actor("UADMIN"), request_id=request.id
            ),
            "UOWNER": lambda: lobby.role_requests.deny(
                actor=actor("UOWNER"), request_id=request.id
            ),
        },
        RequestAlreadyDecided,
    )
    assert sorted(results.values()) == ["decided", "refused"]
    assert len(payloads("role_request_decided")) == 1
    assert len(payloads("role_request_answered")) == 1
    final = RoleRequest.get_by_id(request.id).status
    assert (final == "approved") == ("admin" in roles_of(design, "UALICE"))


def test_role_requests_expire_with_the_teams_request_expiry_and_tell_the_requester_once(
    lobby, design, clock
):
    design.request_expiry_days = 3
    design.save()
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    clock.advance(days=3)
    with pytest.raises(RequestAlreadyDecided) as refused:
        lobby.role_requests.approve(actor=OWNER, request_id=request.id)
    assert refused.value.status == "expired"
    assert expire_requests(lobby) == 1
    assert expire_requests(lobby) == 0
    assert [p["status"] for p in payloads("role_request_answered")] == ["expired"]
    assert [p["status"] for p in payloads("role_request_decided")] == ["expired"]
    assert RoleRequest.get_by_id(request.id).status == "expired"
    assert roles_of(design, "UALICE") == {"member"}


def test_asking_again_after_the_expiry_tells_the_requester_once_before_the_sweep(
    lobby, design, clock
):
    lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    clock.advance(days=14)
    lobby.role_requests.ask(actor=ALICE, role="viewer", team_name=None, note=None)
    assert expire_requests(lobby) == 0
    assert [p["status"] for p in payloads("role_request_answered")] == ["expired"]


def test_deciders_get_one_reminder_a_day_of_what_they_may_decide(lobby, design, clock):
    lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    assert remind_approvers(lobby) == 0
    clock.advance(hours=25)
    assert remind_approvers(lobby) == 2
    assert remind_approvers(lobby) == 0
    reminders = payloads("role_request_reminder")
    assert [r["recipient"] for r in reminders] == ["UOWNER", "UADMIN"]
    assert reminders[0]["waiting"] == [["UALICE", "admin"]]
    clock.advance(days=1)
    assert remind_approvers(lobby) == 2


def test_the_home_shows_a_role_request_to_its_requester_and_to_those_who_may_decide_it(
    lobby, design, clock
):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note="hi")
    now = clock.now()
    assert [a.role for a in role_requests_on_home(actor=ALICE, now=now).mine] == ["admin"]
    for decider in ("UOWNER", "UADMIN"):
        shown = role_requests_on_home(actor=actor(decider), now=now)
        assert [(a.request_id, a.requester, a.note) for a in shown.to_decide] == [
            (request.id, "UALICE", "hi")
        ]
    for bystander in ("UMGR", "UBOB"):
        assert role_requests_on_home(actor=actor(bystander), now=now).to_decide == []
    lobby.role_requests.approve(actor=OWNER, request_id=request.id)
    assert role_requests_on_home(actor=actor("UADMIN"), now=now).to_decide == []
    assert role_requests_on_home(actor=ALICE, now=now).mine == []


@pytest.mark.parametrize("how", ["removed", "left_workspace"])
def test_leaving_the_team_withdraws_a_pending_role_request(lobby, design, how):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    if how == "removed":
        lobby.removal.remove(actor=OWNER, user_id="UALICE", team_name=None)
    else:
        lobby.removal.left_workspace(workspace_id=ALICE.workspace_id, user_id="UALICE")
    assert RoleRequest.get_by_id(request.id).status == "cancelled"
    (withdrawn,) = payloads("role_request_decided")  # every copy loses its buttons
    assert (withdrawn["status"], withdrawn["decided_by"]) == ("cancelled", None)
    assert not payloads("role_request_answered")  # nobody left to tell
    with pytest.raises(RequestAlreadyDecided):
        lobby.role_requests.approve(actor=actor("UADMIN"), request_id=request.id)
    assert "role_request.cancelled" in [e.action for e in AuditEntry.select()]


def test_a_removal_leaves_other_peoples_role_requests_alone(lobby, design):
    request = lobby.role_requests.ask(actor=ALICE, role="admin", team_name=None, note=None)
    lobby.removal.remove(actor=OWNER, user_id="UMGR", team_name=None)
    assert RoleRequest.get_by_id(request.id).status == "pending"
