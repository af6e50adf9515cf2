"""Access that ends: for N days or until a date, warned once, extended, removed at the end."""

from datetime import date, timedelta

import pytest

from bot.errors import AccessAlreadyChanged, InvalidAccessEnd, NotAllowed, OwnerNotForATime
from bot.jobs.scheduler import job_table, run_job
from bot.ports import ChannelFacts
from bot.teams.access_term import AccessTerm
from bot.teams.service import ChannelRef
from storage.models import AuditEntry, Invitation, JoinRequest, Membership, SyncGrant
from tests.conftest import actor
from tests.support.outbox import payloads

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    directory.channels["C1"] = ChannelFacts("C1", "design", is_private=False, bot_is_member=True)
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    lobby.teams.link(
        actor=OWNER, team_name="Design", channels=[ChannelRef("C1")], usergroups=[],
        directory=directory,
    )  # fmt: skip
    return team


def invite(lobby, directory, user_id, term=None, role="member", by=OWNER):
    lobby.invitations.invite(
        actor=by,
        team_name="Design",
        user_ids=[user_id],
        emails=[],
        roles=[role],
        message=None,
        directory=directory,
        term=term,
    )
    return Invitation.get(Invitation.invitee_user_id == user_id, Invitation.status == "pending")


def join(lobby, directory, user_id, term=None, role="member"):
    invitation = invite(lobby, directory, user_id, term, role)
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)
    return Membership.get(Membership.user_id == user_id)


def test_for_n_days_counts_from_joining_not_from_inviting(lobby, directory, design, clock):
    invite(lobby, directory, "UA", AccessTerm(days=10))
    clock.advance(days=2)
    lobby.invitations.accept(actor=actor("UA"), invitation_id=Invitation.get().id)
    assert Membership.get(Membership.user_id == "UA").ends_at == clock.now() + timedelta(days=10)
    assert lobby.teams.member_list(actor=OWNER, team_name=None).ends == {
        "UA": clock.now() + timedelta(days=10)
    }


def test_until_a_date_lasts_through_that_day_utc(lobby, directory, design, clock):
    last_day = clock.now().date() + timedelta(days=20)
    membership = join(lobby, directory, "UA", AccessTerm(until=last_day))
    assert membership.ends_at.date() == last_day + timedelta(days=1)
    assert membership.ends_at.time().hour == 0


def test_a_plain_invitation_is_permanent(lobby, directory, design):
    assert join(lobby, directory, "UA").ends_at is None


@pytest.mark.parametrize(
    ("term", "word"),
    [
        (AccessTerm(days=0), "0"),
        (AccessTerm(days=366), "366"),
        (AccessTerm(until=date(2026, 11, 22)), "2026-11-22"),  # the day before the clock's
        (AccessTerm(until=date(2027, 11, 24)), "2027-11-24"),  # 366 days ahead
    ],
)
def test_an_end_out_of_range_is_refused_naming_the_word(lobby, directory, design, term, word):
    with pytest.raises(InvalidAccessEnd) as refused:
        invite(lobby, directory, "UA", term)
    assert refused.value.word == word
    assert Invitation.select().count() == 0


def test_owner_is_never_granted_for_a_time(lobby, directory, design):
    with pytest.raises(OwnerNotForATime):
        invite(lobby, directory, "UA", AccessTerm(days=7), role="owner")
    join(lobby, directory, "UB", AccessTerm(days=7))
    with pytest.raises(OwnerNotForATime):
        lobby.access.extend(actor=OWNER, team_name=None, user_id="UOWNER", term=AccessTerm(days=7))


def test_an_approver_grants_access_for_a_chosen_number_of_days(lobby, design, clock):
    request = lobby.requests.ask(actor=actor("UA"), team_name="Design", note=None)
    lobby.requests.approve(actor=OWNER, request_id=request.id, days=30)
    assert Membership.get(Membership.user_id == "UA").ends_at == clock.now() + timedelta(days=30)
    request = lobby.requests.ask(actor=actor("UB"), team_name="Design", note=None)
    with pytest.raises(OwnerNotForATime):
        lobby.requests.approve(actor=OWNER, request_id=request.id, role="owner", days=7)
    assert JoinRequest.get_by_id(request.id).status == "pending"


def test_member_and_admins_are_warned_once_three_days_before(lobby, directory, design, clock):
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UA", AccessTerm(days=10))
    clock.advance(days=6)
    assert lobby.access.warn_ending() == 0
    clock.advance(days=1, hours=1)
    assert lobby.access.warn_ending() == 1
    assert lobby.access.warn_ending() == 0
    assert [p["user"] for p in payloads("access_ending_soon")] == ["UA"]
    admins = sorted(p["recipient"] for p in payloads("access_ending_for_admin"))
    assert admins == ["UADMIN", "UOWNER"]


def test_extending_moves_the_end_and_warns_again_before_the_new_one(
    lobby, directory, design, clock
):
    membership = join(lobby, directory, "UA", AccessTerm(days=10))
    clock.advance(days=8)
    lobby.access.warn_ending()
    extended = lobby.access.extend(
        actor=OWNER, team_name=None, user_id="UA", term=AccessTerm(days=30)
    )
    assert extended.ends_at == membership.ends_at + timedelta(days=30)
    assert AuditEntry.get(AuditEntry.action == "access.extended").target == "UA"
    clock.advance(days=29)
    assert lobby.access.warn_ending() == 1
    assert len(payloads("access_ending_soon")) == 2
    assert (
        lobby.access.extend(actor=OWNER, team_name=None, user_id="UA", term=AccessTerm()).ends_at
        is None
    )


def test_a_stale_extend_button_changes_nothing(lobby, directory, design):
    membership = join(lobby, directory, "UA", AccessTerm(days=10))
    seen = membership.ends_at
    lobby.access.extend_by_team_id(
        actor=OWNER, team_id=design.id, user_id="UA", term=AccessTerm(days=30), seen=seen
    )
    with pytest.raises(AccessAlreadyChanged):
        lobby.access.extend_by_team_id(
            actor=OWNER, team_id=design.id, user_id="UA", term=AccessTerm(days=30), seen=seen
        )
    assert Membership.get(Membership.user_id == "UA").ends_at == seen + timedelta(days=30)


def test_only_those_who_manage_members_extend(lobby, directory, design):
    join(lobby, directory, "UM", role="manager")
    join(lobby, directory, "UA", AccessTerm(days=10))
    with pytest.raises(NotAllowed):
        lobby.access.extend(
            actor=actor("UM"), team_name=None, user_id="UA", term=AccessTerm(days=30)
        )


def test_at_the_end_the_member_is_removed_as_remove_does(lobby, directory, design, clock):
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UA", AccessTerm(days=7))
    SyncGrant.create(
        workspace_id="T0LOBBY", user_id="UA", kind="channel", resource_id="C1",
        granted_at=clock.now(),
    )  # fmt: skip
    clock.advance(days=7)
    assert lobby.access.end_due() == 1
    assert lobby.access.end_due() == 0
    assert not Membership.select().where(Membership.user_id == "UA").exists()
    assert [p["channel_id"] for p in payloads("remove_from_channel")] == ["C1"]
    assert [p["user"] for p in payloads("access_ended")] == ["UA"]
    assert sorted(p["recipient"] for p in payloads("access_ended_news")) == ["UADMIN", "UOWNER"]
    assert AuditEntry.get(AuditEntry.action == "access.ended").target == "UA"
    assert payloads("removed") == []
    assert lobby.seats.show(actor=OWNER, team_name=None).members == 2


def test_the_scheduler_catches_up_after_downtime_and_ends_each_once(
    lobby, directory, design, clock
):
    join(lobby, directory, "UA", AccessTerm(days=3))
    join(lobby, directory, "UB", AccessTerm(days=5))
    clock.advance(days=40)  # the app was down
    jobs = job_table(lobby)
    assert run_job("end_access", jobs["end_access"][0]) == 2
    assert run_job("end_access", jobs["end_access"][0]) == 0
    assert len(payloads("access_ended")) == 2


def test_a_time_bound_member_is_not_made_owner_until_permanent(lobby, directory, design):
    join(lobby, directory, "UA", AccessTerm(days=10))
    with pytest.raises(OwnerNotForATime):
        lobby.roles.set_roles(actor=OWNER, team_name=None, user_id="UA", roles=["owner"])
    with pytest.raises(OwnerNotForATime):
        lobby.roles.transfer(actor=OWNER, team_name="Design", user_id="UA")
    lobby.access.extend(actor=OWNER, team_name=None, user_id="UA", term=AccessTerm())
    lobby.roles.transfer(actor=OWNER, team_name="Design", user_id="UA")


def test_the_invite_forms_early_check_applies_the_same_term_rule(lobby, design, clock):
    check = lobby.invitations.check_invite
    assert check(actor=OWNER, team_name=None, roles=["member"], term=AccessTerm(days=30))
    with pytest.raises(OwnerNotForATime):
        check(actor=OWNER, team_name=None, roles=["owner"], term=AccessTerm(days=7))
    with pytest.raises(InvalidAccessEnd):
        check(actor=OWNER, team_name=None, roles=[], term=AccessTerm(until=date(2026, 11, 22)))
    assert check(actor=OWNER, team_name=None, roles=["owner"], term=None)
