"""Join requests: asking, deciding (first decision wins), cooldown, expiry, reminders."""

from datetime import timedelta

import pytest

from bot.errors import (
    AlreadyMember,
    CannotGrantRole,
    NotAllowed,
    RequestAlreadyDecided,
    RequestCooldown,
    RequestPending,
)
from storage.models import Invitation, JoinRequest, Membership, Notice
from tests.conftest import actor
from tests.support.outbox import payloads
from tests.support.races import race

OWNER = actor("UOWNER")
ALICE = actor("UALICE")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    for user_id, role in (("UADMIN", "admin"), ("UMGR", "manager")):
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


def test_asking_notifies_every_approver_with_the_roles_they_may_give(lobby, design):
    lobby.requests.ask(actor=ALICE, team_name="Design", note="I design things")
    copies = {p["recipient"]: p for p in payloads("request_for_approval")}
    assert set(copies) == {"UOWNER", "UADMIN", "UMGR"}
    assert copies["UMGR"]["roles"] == ["member", "viewer"]
    assert "owner" not in copies["UADMIN"]["roles"] and "owner" in copies["UOWNER"]["roles"]
    assert copies["UOWNER"]["note"] == "I design things"
    assert copies["UOWNER"]["seats"] == [3, 0, None]  # members, held, no limit (trial)


def test_a_notification_channel_gets_the_request_instead(lobby, design):
    design.notification_channel = "C0ADMINS"
    design.save()
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    assert [p["recipient"] for p in payloads("request_for_approval")] == ["C0ADMINS"]


def test_the_first_word_of_a_request_is_a_team_only_when_it_names_one(lobby, design):
    lobby.requests.ask_in_words(actor=ALICE, text="design please let me in")
    assert JoinRequest.get().note == "please let me in"
    lobby.requests.ask_in_words(actor=actor("UBOB"), text="pretty please")
    assert JoinRequest.get(JoinRequest.requester_user_id == "UBOB").note == "pretty please"


def test_one_pending_request_per_person_and_members_are_told_they_are_in(lobby, design):
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    with pytest.raises(RequestPending):
        lobby.requests.ask(actor=ALICE, team_name=None, note="again")
    with pytest.raises(AlreadyMember):
        lobby.requests.ask(actor=actor("UADMIN"), team_name=None, note=None)
    assert JoinRequest.select().count() == 1


def test_approve_admits_the_requester_and_updates_every_copy(lobby, design):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=actor("UADMIN"), request_id=request.id, role="manager")
    assert Membership.find(design, "UALICE") is not None
    assert payloads("request_decided")[0]["status"] == "approved"
    assert payloads("request_decided")[0]["decided_by"] == "UADMIN"
    assert payloads("request_answered")[0]["status"] == "approved"
    assert payloads("welcome")[0]["roles"] == ["manager"]


def test_a_stale_click_changes_nothing_and_says_who_decided(lobby, design):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=actor("UADMIN"), request_id=request.id)
    before = Notice.select().count()
    with pytest.raises(RequestAlreadyDecided) as refused:
        lobby.requests.deny(actor=actor("UOWNER"), request_id=request.id)
    assert refused.value.status == "approved" and refused.value.decided_by == "UADMIN"
    assert refused.value.roles == ["member"]
    assert Notice.select().count() == before


def test_no_escalation_when_approving(lobby, design):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    with pytest.raises(CannotGrantRole):
        lobby.requests.approve(actor=actor("UMGR"), request_id=request.id, role="admin")
    assert JoinRequest.get_by_id(request.id).status == "pending"


def test_someone_without_approve_requests_changes_nothing(lobby, design):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    with pytest.raises(NotAllowed):
        lobby.requests.approve(actor=actor("UBOB"), request_id=request.id)
    with pytest.raises(NotAllowed):
        lobby.requests.pending(actor=actor("UBOB"), team_name=None)
    assert JoinRequest.get_by_id(request.id).status == "pending"


def test_deny_gives_the_reason_and_a_cooldown_follows(lobby, design, clock):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.deny(actor=actor("UMGR"), request_id=request.id, reason="team is full")
    assert payloads("request_answered")[0]["reason"] == "team is full"
    clock.advance(days=6)
    with pytest.raises(RequestCooldown) as refused:
        lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    denied_at = JoinRequest.get_by_id(request.id).decided_at
    assert refused.value.until == denied_at + timedelta(days=7)
    clock.advance(days=1)
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)


def test_two_approvers_deciding_at_once_one_decision_stands(lobby, design, database):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    results = race(
        {
            "UADMIN": lambda: lobby.requests.approve(actor=actor("UADMIN"), request_id=request.id),
            "UOWNER": lambda: lobby.requests.deny(actor=actor("UOWNER"), request_id=request.id),
        },
        RequestAlreadyDecided,
    )
    assert sorted(results.values()) == ["decided", "refused"]
    assert len(payloads("request_decided")) == 1
    final = JoinRequest.get_by_id(request.id).status
    assert (final == "approved") == (Membership.find(design, "UALICE") is not None)


def test_pending_requests_expire_and_the_requester_is_told_once(lobby, design, clock):
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    clock.advance(days=14)
    assert lobby.requests.expire_due() == 1
    assert lobby.requests.expire_due() == 0
    assert [p["status"] for p in payloads("request_answered")] == ["expired"]
    assert JoinRequest.get().status == "expired"


def test_approvers_get_one_reminder_a_day_for_requests_waiting_over_a_day(lobby, design, clock):
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    assert lobby.requests.remind_approvers() == 0
    clock.advance(hours=25)
    assert lobby.requests.remind_approvers() == 3
    assert lobby.requests.remind_approvers() == 0
    assert payloads("request_reminder")[0]["requesters"] == ["UALICE"]
    clock.advance(days=1)
    assert lobby.requests.remind_approvers() == 3


def test_the_approval_link_policy_turns_a_link_join_into_a_request(lobby, design):
    design.link_policy = "approval"
    design.save()
    code = lobby.links.show(actor=OWNER, team_name=None).code
    joined = lobby.links.join_with_code(actor=ALICE, code=code)
    assert joined.requested and Membership.find(design, "UALICE") is None
    assert JoinRequest.get().requester_user_id == "UALICE"
