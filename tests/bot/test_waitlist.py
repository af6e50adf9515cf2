"""The waitlist: joining it when a team is full, refusals, and every way a freed seat
reaches the longest-waiting person (once per seat, under concurrency too)."""

import threading
from datetime import timedelta

import pytest

from bot.errors import (
    AlreadyMember,
    AlreadyWaiting,
    InvitationWaiting,
    LinkJoinsDisabled,
    NoSeatsLeft,
    NotAllowed,
    NotWaiting,
    OutsideLinkDomains,
    RequestPending,
    SeatsAvailable,
    TeamDeleted,
)
from bot.invitations.expiry import expire_due_invitations
from storage.db import db
from storage.models import AuditEntry, Invitation, JoinRequest, Membership, Team, WaitlistEntry
from tests.conftest import actor
from tests.support.outbox import payloads

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def set_seats(lobby, seats=None, plan=None):
    return lobby.seats.set_limit(actor=OWNER, team_name=None, plan=plan, seats=seats)


def join_by_link(lobby, *users):
    code = lobby.links.show(actor=OWNER, team_name=None).code
    for user_id in users:
        lobby.links.join_with_code(actor=actor(user_id), code=code)


def full_team(lobby, *members, seats=None):
    """The Owner and `members` fill every seat."""
    join_by_link(lobby, *members)
    set_seats(lobby, seats=seats or len(members) + 1)


def wait(lobby, clock, *users):
    """Each joins the waitlist a minute after the one before."""
    for user_id in users:
        lobby.waitlist.join(actor=actor(user_id), team_name=None)
        clock.advance(minutes=1)


def invite(lobby, directory, user_id):
    lobby.invitations.invite(
        actor=OWNER,
        team_name=None,
        user_ids=[user_id],
        emails=[],
        roles=[],
        message=None,
        directory=directory,
    )
    return Invitation.get(Invitation.invitee_user_id == user_id)


def members(design):
    return {m.user_id for m in Membership.select().where(Membership.team == design)}


def waiting(design):
    return [entry.user_id for entry in WaitlistEntry.queue(design)]


def set_link_policy(design, policy):
    Team.update(link_policy=policy).where(Team.id == design.id).execute()


# Joining the waitlist


def test_a_link_join_refused_for_seats_offers_the_waitlist(lobby, design):
    full_team(lobby, "UA")
    code = lobby.links.show(actor=OWNER, team_name=None).code
    with pytest.raises(NoSeatsLeft) as refused:
        lobby.links.join_with_code(actor=actor("UW"), code=code)
    assert refused.value.waitlist_team_id == design.id
    with pytest.raises(NoSeatsLeft) as from_card:
        lobby.links.join_from_card(actor=actor("UW"), team_id=design.id)
    assert from_card.value.waitlist_team_id == design.id


def test_an_invitation_refused_for_seats_offers_no_waitlist(lobby, directory, design):
    full_team(lobby, "UA")
    with pytest.raises(NoSeatsLeft) as refused:
        invite(lobby, directory, "UX")
    assert refused.value.waitlist_team_id is None


def test_joining_puts_people_in_the_queue_in_order_and_audits_it(lobby, design, clock):
    full_team(lobby, "UA")
    place = lobby.waitlist.join(actor=actor("UW1"), team_name=None)
    assert (place.team, place.position, place.since) == ("Design", 1, clock.now())
    clock.advance(minutes=1)
    second = lobby.waitlist.join_by_team_id(actor=actor("UW2"), team_id=design.id)
    assert second.position == 2
    assert waiting(design) == ["UW1", "UW2"]
    joined = AuditEntry.select().where(AuditEntry.action == "waitlist.joined")
    assert [entry.target for entry in joined.order_by(AuditEntry.id)] == ["UW1", "UW2"]


def test_a_second_join_says_where_they_stand_and_changes_nothing(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2")
    with pytest.raises(AlreadyWaiting) as refused:
        lobby.waitlist.join(actor=actor("UW2"), team_name=None)
    assert (refused.value.position, refused.value.team) == (2, "Design")
    assert WaitlistEntry.select().count() == 2


def test_a_team_with_a_free_seat_has_no_waitlist(lobby, design):
    set_seats(lobby, seats=2)
    with pytest.raises(SeatsAvailable):
        lobby.waitlist.join(actor=actor("UW"), team_name=None)
    assert WaitlistEntry.select().count() == 0


def test_members_invitees_and_requesters_are_refused_clearly(lobby, directory, design):
    set_seats(lobby, seats=3)
    invite(lobby, directory, "UINVITED")
    lobby.requests.ask(actor=actor("UASKING"), team_name=None, note=None)
    join_by_link(lobby, "UA")
    for user_id, refusal in [
        ("UA", AlreadyMember),
        ("UINVITED", InvitationWaiting),
        ("UASKING", RequestPending),
    ]:
        with pytest.raises(refusal):
            lobby.waitlist.join(actor=actor(user_id), team_name=None)
    assert WaitlistEntry.select().count() == 0


def test_with_link_joins_disabled_there_is_no_waitlist(lobby, design):
    full_team(lobby, "UA")
    set_link_policy(design, "disabled")
    with pytest.raises(LinkJoinsDisabled):
        lobby.waitlist.join(actor=actor("UW"), team_name=None)
    assert WaitlistEntry.select().count() == 0


def test_with_link_domains_only_people_inside_them_wait_unless_all_ask(lobby, directory, design):
    directory.emails.update({"ann@acme.com": "UANN", "eve@evil.com": "UEVE"})
    full_team(lobby, "UA")
    lobby.links.set_domains(actor=OWNER, team_name=None, domains=["acme.com"])
    with pytest.raises(OutsideLinkDomains):
        lobby.waitlist.join(actor=actor("UEVE"), team_name=None, directory=directory)
    assert WaitlistEntry.select().count() == 0
    lobby.waitlist.join(actor=actor("UANN"), team_name=None, directory=directory)
    set_link_policy(design, "approval")  # a freed seat only sends a request: anyone may wait
    lobby.waitlist.join(actor=actor("UEVE"), team_name=None, directory=directory)
    assert waiting(design) == ["UANN", "UEVE"]


def test_buttons_of_a_deleted_team_say_so(lobby, design):
    full_team(lobby, "UA")
    lobby.removal.delete_team(actor=OWNER, team_name="Design")
    with pytest.raises(TeamDeleted):
        lobby.waitlist.join_by_team_id(actor=actor("UW"), team_id=design.id)
    with pytest.raises(TeamDeleted):
        lobby.waitlist.leave_by_team_id(actor=actor("UW"), team_id=design.id)


def test_leaving_takes_them_off_once(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2")
    assert lobby.waitlist.leave(actor=actor("UW1"), team_name=None) == "Design"
    with pytest.raises(NotWaiting):
        lobby.waitlist.leave_by_team_id(actor=actor("UW1"), team_id=design.id)
    assert waiting(design) == ["UW2"]
    assert AuditEntry.select().where(AuditEntry.action == "waitlist.left").count() == 1
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert members(design) == {"UOWNER", "UW2"}


def test_admins_and_approvers_see_the_queue_others_do_not(lobby, directory, design, clock):
    set_seats(lobby, seats=3)
    invite(lobby, directory, "UMGR")
    Invitation.update(roles="manager").execute()
    lobby.invitations.accept(actor=actor("UMGR"), invitation_id=Invitation.get().id)
    join_by_link(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2")
    queue = lobby.waitlist.show(actor=OWNER, team_name=None)
    assert [(w.position, w.user_id) for w in queue.waiters] == [(1, "UW1"), (2, "UW2")]
    assert lobby.waitlist.show(actor=actor("UMGR"), team_name=None).waiters == queue.waiters
    with pytest.raises(NotAllowed):
        lobby.waitlist.show(actor=actor("UA"), team_name=None)


# A freed seat goes to the longest waiting


def assert_admitted(design, user_id, rest):
    assert user_id in members(design)
    assert Membership.find(design, user_id).joined_via == "waitlist"
    assert waiting(design) == rest
    told = [p for p in payloads("waitlist_promoted") if p["user"] == user_id]
    assert [(p["outcome"], p["roles"]) for p in told] == [("admitted", ["member"])]
    promoted = AuditEntry.select().where(AuditEntry.action == "waitlist.admitted")
    assert user_id in [entry.target for entry in promoted]


def test_a_removal_admits_the_longest_waiting(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert members(design) == {"UOWNER", "UW1"}
    assert_admitted(design, "UW1", ["UW2"])
    assert [p["user"] for p in payloads("welcome")][-1] == "UW1"


def test_leaving_the_workspace_frees_a_seat_and_the_queue_place(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2", "UW3")
    lobby.removal.left_workspace(workspace_id=OWNER.workspace_id, user_id="UW1")
    assert waiting(design) == ["UW2", "UW3"]
    lobby.removal.left_workspace(workspace_id=OWNER.workspace_id, user_id="UA")
    assert_admitted(design, "UW2", ["UW3"])


def test_access_ending_admits_the_longest_waiting(lobby, design, clock):
    full_team(lobby, "UA")
    Membership.update(ends_at=clock.now()).where(Membership.user_id == "UA").execute()
    wait(lobby, clock, "UW1", "UW2")
    assert lobby.access.end_due() == 1
    assert "UA" not in members(design)
    assert_admitted(design, "UW1", ["UW2"])


def test_a_higher_limit_admits_one_per_new_seat_in_order(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2", "UW3")
    set_seats(lobby, seats=4)
    assert members(design) == {"UOWNER", "UA", "UW1", "UW2"}
    assert waiting(design) == ["UW3"]
    set_seats(lobby, plan="enterprise")
    assert_admitted(design, "UW3", [])


def test_a_cancelled_invitation_admits_the_longest_waiting(lobby, directory, design, clock):
    set_seats(lobby, seats=2)
    invitation = invite(lobby, directory, "UX")
    wait(lobby, clock, "UW1", "UW2")
    lobby.invitation_admin.cancel(actor=OWNER, invitation_id=invitation.id)
    assert_admitted(design, "UW1", ["UW2"])


def test_a_declined_invitation_admits_the_longest_waiting(lobby, directory, design, clock):
    set_seats(lobby, seats=2)
    invitation = invite(lobby, directory, "UX")
    wait(lobby, clock, "UW1", "UW2")
    lobby.invitations.decline(actor=actor("UX"), invitation_id=invitation.id)
    assert_admitted(design, "UW1", ["UW2"])


def test_an_expired_invitation_admits_the_longest_waiting(lobby, directory, design, clock):
    set_seats(lobby, seats=2)
    invite(lobby, directory, "UX")
    wait(lobby, clock, "UW1", "UW2")
    clock.advance(days=7)
    assert expire_due_invitations(clock) == 1
    assert_admitted(design, "UW1", ["UW2"])
    assert expire_due_invitations(clock) == 0
    assert waiting(design) == ["UW2"]


def test_a_waiter_who_got_in_another_way_is_passed_over(lobby, directory, design, clock):
    set_seats(lobby, seats=3)
    join_by_link(lobby, "UA")
    invitation = invite(lobby, directory, "UW1")
    lobby.waitlist.join(actor=actor("UW2"), team_name=None)
    earlier = clock.now() - timedelta(minutes=1)
    WaitlistEntry.create(
        workspace_id=OWNER.workspace_id, team=design, user_id="UW1", joined_at=earlier
    )  # waited first, then was invited
    lobby.invitations.accept(actor=actor("UW1"), invitation_id=invitation.id)
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert members(design) == {"UOWNER", "UW1", "UW2"}
    assert waiting(design) == []
    assert [p["user"] for p in payloads("waitlist_promoted")] == ["UW2"]


def test_with_link_joins_disabled_a_freed_seat_admits_nobody(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1")
    set_link_policy(design, "disabled")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert members(design) == {"UOWNER"}
    assert waiting(design) == ["UW1"]


def test_under_approval_a_freed_seat_sends_the_request_and_keeps_the_seat(lobby, design, clock):
    full_team(lobby, "UA", "UB")
    wait(lobby, clock, "UW1", "UW2")
    set_link_policy(design, "approval")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    request = JoinRequest.get(JoinRequest.requester_user_id == "UW1")
    assert [p["requester"] for p in payloads("request_for_approval")] == ["UW1"]
    told = payloads("waitlist_promoted")
    assert [(p["user"], p["outcome"]) for p in told] == [("UW1", "requested")]
    assert waiting(design) == ["UW2"]
    lobby.waitlist.join(actor=actor("UW3"), team_name=None)  # a promised seat is not free
    assert waiting(design) == ["UW2", "UW3"]
    lobby.requests.deny(actor=OWNER, request_id=request.id)  # the promise goes to the next
    assert [p["requester"] for p in payloads("request_for_approval")] == ["UW1", "UW2"]
    assert waiting(design) == ["UW3"]


def test_under_approval_an_expired_request_passes_the_seat_on(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1", "UW2")
    set_link_policy(design, "approval")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    clock.advance(days=14)
    assert lobby.requests.expire_due() == 1
    assert [p["requester"] for p in payloads("request_for_approval")] == ["UW1", "UW2"]
    assert lobby.requests.expire_due() == 0
    assert waiting(design) == []


def test_under_approval_an_approved_waiter_takes_the_promised_seat(lobby, design, clock):
    full_team(lobby, "UA")
    wait(lobby, clock, "UW1")
    set_link_policy(design, "approval")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    request = JoinRequest.get(JoinRequest.requester_user_id == "UW1")
    lobby.requests.approve(actor=OWNER, request_id=request.id)
    assert members(design) == {"UOWNER", "UW1"}


def test_seats_freed_at_once_admit_exactly_one_waiter_each_in_order(lobby, design, clock):
    full_team(lobby, "UA", "UB", "UC", "UD")
    wait(lobby, clock, "UW1", "UW2", "UW3", "UW4", "UW5")
    db.close()
    start = threading.Barrier(3)
    errors = []

    def remove(user_id):
        with db.connection_context():
            start.wait()
            try:
                lobby.removal.remove(actor=OWNER, user_id=user_id, team_name=None)
            except Exception as error:  # noqa: BLE001 - reported to the test
                errors.append(error)

    threads = [threading.Thread(target=remove, args=(u,)) for u in ("UA", "UB", "UC")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.connect(reuse_if_open=True)
    assert errors == []
    assert members(design) == {"UOWNER", "UD", "UW1", "UW2", "UW3"}
    assert waiting(design) == ["UW4", "UW5"]
    assert sorted(p["user"] for p in payloads("waitlist_promoted")) == ["UW1", "UW2", "UW3"]


def test_a_double_click_on_join_the_waitlist_queues_them_once(lobby, design):
    full_team(lobby, "UA")
    db.close()
    start = threading.Barrier(2)
    outcomes = []

    def join():
        with db.connection_context():
            start.wait()
            try:
                lobby.waitlist.join_by_team_id(actor=actor("UW"), team_id=design.id)
                outcomes.append("joined")
            except AlreadyWaiting:
                outcomes.append("already")

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.connect(reuse_if_open=True)
    assert sorted(outcomes) == ["already", "joined"]
    assert waiting(design) == ["UW"]
