"""The App Home's data: your teams, invitations and requests; what admins decide; paging."""

import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bot.errors import NotAllowed
from bot.home import service as home
from storage.models import Invitation, JoinRequest, MemberRole, Membership, Notice
from tests.conftest import actor

OWNER = actor("UOWNER")
ADMIN = actor("UADMIN")
MANAGER = actor("UMGR")
ALICE = actor("UALICE")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    for user_id, role in (("UADMIN", "admin"), ("UMGR", "manager")):
        invite(lobby, directory, "Design", user_id, role)
        invitation = Invitation.get(Invitation.invitee_user_id == user_id)
        lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)
    Notice.delete().execute()
    return team


def invite(lobby, directory, team_name, user_id, role="member"):
    lobby.invitations.invite(
        actor=OWNER,
        team_name=team_name,
        user_ids=[user_id],
        emails=[],
        roles=[role],
        message=None,
        directory=directory,
    )


def crowd(team, count, now, start=0):
    """`count` members, pending invitations and pending requests, written directly."""
    base = dict(workspace_id=team.workspace_id, team=team)
    numbers = range(start, start + count)
    Membership.insert_many(
        [
            dict(base, user_id=f"UMEM{i:04d}", joined_at=now - timedelta(days=i % 10))
            | dict(joined_via="invitation", added_by="UOWNER")
            for i in numbers
        ]
    ).execute()
    members = Membership.select().where(Membership.user_id.startswith("UMEM"))
    for membership in members.where(Membership.id.not_in(MemberRole.select(MemberRole.membership))):
        MemberRole.create(workspace_id=team.workspace_id, membership=membership, role="member")
    Invitation.insert_many(
        [
            dict(base, invitee_user_id=f"UINV{i:04d}", inviter_user_id="UOWNER", roles="member")
            | dict(token_hash=f"hash-{team.id}-{i}", created_at=now - timedelta(minutes=i))
            | dict(expires_at=now + timedelta(days=7))
            for i in numbers
        ]
    ).execute()
    JoinRequest.insert_many(
        [
            dict(base, requester_user_id=f"UREQ{i:04d}", note=f"note {i}")
            | dict(created_at=now - timedelta(minutes=count - i))
            | dict(expires_at=now + timedelta(days=14))
            for i in numbers
        ]
    ).execute()


class QueryCounter(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


@contextmanager
def counting_queries():
    logger = logging.getLogger("peewee")
    counter, level = QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def test_a_newcomer_has_no_teams_and_nothing_to_decide(lobby, design, clock):
    shown = home.home_for(actor=ALICE, now=clock.now())
    assert (shown.teams, shown.invitations, shown.requests, shown.admin_teams) == ([], [], [], [])


def test_a_person_sees_their_pending_invitations_and_requests(lobby, design, directory, clock):
    lobby.teams.create(actor=OWNER, name="Ops", directory=directory)
    invite(lobby, directory, "Design", "UALICE", "viewer")
    lobby.requests.ask(actor=ALICE, team_name="Ops", note="let me in")
    shown = home.home_for(actor=ALICE, now=clock.now())
    [invitation] = shown.invitations
    stored = Invitation.get(Invitation.invitee_user_id == "UALICE")
    assert invitation == home.MyInvitation(
        stored.id, 1, "Design", "UOWNER", ["viewer"], stored.expires_at
    )
    assert shown.requests == [home.MyRequest(JoinRequest.get().id, "Ops", clock.now())]
    clock.advance(days=8)  # the invitation expired, though no job has marked it so
    assert home.home_for(actor=ALICE, now=clock.now()).invitations == []


def test_members_see_their_teams_and_roles_but_no_admin_lists(lobby, design, clock):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=ADMIN, request_id=request.id, role="viewer")
    shown = home.home_for(actor=ALICE, now=clock.now())
    assert shown.teams == [home.TeamRoles("Design", ["viewer"], [])]
    assert shown.admin_teams == []


def test_a_member_for_a_time_sees_when_their_access_ends(lobby, design, clock):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=ADMIN, request_id=request.id, days=30)
    shown = home.home_for(actor=ALICE, now=clock.now())
    ends = clock.now() + timedelta(days=30)
    assert shown.teams == [home.TeamRoles("Design", ["member"], [], ends)]
    assert home.home_for(actor=ADMIN, now=clock.now()).teams[0].ends_at is None


def test_approvers_see_seats_requests_invitations_and_recent_joins(lobby, design, clock):
    crowd(design, 12, clock.now())
    [team] = home.home_for(actor=ADMIN, now=clock.now()).admin_teams
    assert team.team == "Design"
    assert (team.seats.members, team.seats.pending_invitations, team.seats.limit) == (15, 12, None)
    assert team.requests.total == 12 and len(team.requests.shown) == home.SHOWN
    assert [r.requester for r in team.requests.shown] == [f"UREQ{i:04d}" for i in range(5)]
    assert team.requests.shown[0].note == "note 0" and team.requests.more == 7
    assert team.invitations.total == 12
    assert [i.invitee_user_id for i in team.invitations.shown] == [f"UINV{i:04d}" for i in range(5)]
    # joined within 7 days: the three of the fixture, and UMEM i for i % 10 < 7.
    assert team.recent_joins.total == 3 + sum(1 for i in range(12) if i % 10 < 7)
    assert len(team.recent_joins.shown) == home.SHOWN


def test_seat_use_matches_the_seat_service(lobby, design, clock):
    from bot.seats.use import seat_use

    crowd(design, 7, clock.now())
    design.plan = "starter"
    design.save()
    [team] = home.home_for(actor=OWNER, now=clock.now()).admin_teams
    assert team.seats == seat_use(design, clock.now())


def test_recent_joins_are_the_last_seven_days_newest_first(lobby, design, clock):
    clock.advance(days=8)
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=ADMIN, request_id=request.id)
    [team] = home.home_for(actor=OWNER, now=clock.now()).admin_teams
    assert team.recent_joins == home.Capped([home.RecentJoin("UALICE", clock.now(), "request")], 1)


def test_approvers_are_offered_only_the_roles_they_may_give(lobby, design, clock):
    [managed] = home.home_for(actor=MANAGER, now=clock.now()).admin_teams
    assert managed.grantable_roles == ["member", "viewer"]
    [owned] = home.home_for(actor=OWNER, now=clock.now()).admin_teams
    assert "owner" in owned.grantable_roles and "admin" in owned.grantable_roles


def test_who_may_not_invite_sees_requests_but_no_invitations(lobby, design, clock):
    design.invite_policy = "admins"
    design.save()
    crowd(design, 3, clock.now())
    [team] = home.home_for(actor=MANAGER, now=clock.now()).admin_teams
    assert team.invitations is None and team.requests.total == 3
    assert team.seats.pending_invitations == 3  # seats still count every held seat


def test_home_takes_the_same_queries_for_5_or_500_of_everything(lobby, design, clock):
    crowd(design, 5, clock.now())
    with counting_queries() as for_5:
        home.home_for(actor=OWNER, now=clock.now())
    crowd(design, 495, clock.now(), start=5)
    with counting_queries() as for_500:
        [team] = home.home_for(actor=OWNER, now=clock.now()).admin_teams
    assert team.requests.total == team.invitations.total == 500
    assert for_5.count == for_500.count <= 10


def test_home_takes_the_same_queries_for_one_team_or_many(lobby, design, clock, directory):
    with counting_queries() as one:
        home.home_for(actor=OWNER, now=clock.now())
    for name in ("Ops", "Web", "Data", "Sales"):
        lobby.teams.create(actor=OWNER, name=name, directory=directory)
    with counting_queries() as five:
        shown = home.home_for(actor=OWNER, now=clock.now())
    assert len(shown.admin_teams) == 5 and one.count == five.count


def test_another_workspace_sees_none_of_it(lobby, design, clock):
    crowd(design, 3, clock.now())
    elsewhere = home.home_for(actor=actor("UOWNER", "T0OTHER"), now=clock.now())
    assert (elsewhere.teams, elsewhere.admin_teams) == ([], [])
    invited = home.home_for(actor=actor("UINV0001", "T0OTHER"), now=clock.now())
    assert invited.invitations == []


def test_show_all_pages_through_pending_requests_twenty_at_a_time(lobby, design, clock):
    crowd(design, 45, clock.now())
    page = home.all_pending_requests(actor=MANAGER, team_name="Design", page=3, now=clock.now())
    assert (page.kind, page.team, page.page, page.pages, page.total) == (
        "requests",
        "Design",
        3,
        3,
        45,
    )
    assert [r.requester for r in page.rows] == [f"UREQ{i:04d}" for i in range(40, 45)]
    assert page.grantable_roles == ["member", "viewer"] and page.default_role == "member"
    beyond = home.all_pending_requests(actor=MANAGER, team_name="Design", page=9, now=clock.now())
    assert beyond.page == 3


def test_show_all_pages_through_pending_invitations(lobby, design, clock):
    crowd(design, 25, clock.now())
    page = home.all_pending(
        actor=ADMIN, kind="invitations", team_name="design", page=1, now=clock.now()
    )
    assert (page.kind, page.pages, page.total, len(page.rows)) == ("invitations", 2, 25, 20)
    assert page.rows[0].invitee_user_id == "UINV0000"


def test_show_all_refuses_who_may_not_see_the_list(lobby, design, clock):
    request = lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.requests.approve(actor=ADMIN, request_id=request.id)
    for who in (ALICE, actor("UBOB")):
        for kind in ("requests", "invitations"):
            with pytest.raises(NotAllowed):
                home.all_pending(actor=who, kind=kind, team_name="Design", page=1, now=clock.now())
    design.invite_policy = "admins"
    design.save()
    with pytest.raises(NotAllowed):
        home.all_pending_invitations(actor=MANAGER, team_name="Design", page=1, now=clock.now())
    home.all_pending_requests(actor=MANAGER, team_name="Design", page=1, now=clock.now())


def test_sub_teams_are_listed_under_their_root_and_share_its_lists(lobby, design, clock):
    lobby.teams.create_sub_team(actor=OWNER, name="Web", parent_name="Design")
    crowd(design, 2, clock.now())
    shown = home.home_for(actor=MANAGER, now=clock.now())
    assert shown.teams == [home.TeamRoles("Design", ["manager"], ["Web"])]
    assert [team.team for team in shown.admin_teams] == ["Design"]
    page = home.all_pending_requests(actor=MANAGER, team_name="Web", page=1, now=clock.now())
    assert (page.team, page.total) == ("Design", 2)


def test_the_home_offers_the_teams_one_may_ask_to_join(lobby, directory, clock):
    from bot.home.service import home_for
    from tests.conftest import actor

    directory.admins.add("UOWNER")
    lobby.teams.create(actor=actor("UOWNER"), name="Design", directory=directory)
    lobby.teams.create(actor=actor("UOWNER"), name="Ops", directory=directory)
    lobby.requests.ask(actor=actor("UNEW"), team_name="Ops", note=None)
    home = home_for(actor=actor("UNEW"), now=clock.now())
    assert [name for _, name in home.askable] == ["Design"]
    assert home_for(actor=actor("UOWNER"), now=clock.now()).askable == []
