"""Invite analytics: each figure of `stats` against a history built by hand, step by step."""

from datetime import timedelta

import pytest

from bot.errors import NotAllowed, NoTeamsYet
from bot.invitations.expiry import expire_due_invitations
from bot.stats.service import TopInviter
from storage.models import Invitation, InviteCode, JoinRequest, Membership, Team
from storage.statuses import InvitationStatus
from tests.bot.test_home import counting_queries
from tests.conftest import actor

ADMIN = actor("UADMIN")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def design(lobby, directory):
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    lobby.seats.set_limit(actor=ADMIN, team_name=None, plan="unlimited", seats=None)
    return team


@pytest.fixture
def at(clock):
    """Set the clock to a moment counted from the start of the history."""
    start = clock.now()

    def move(offset: timedelta) -> None:
        clock.current = start + offset

    return move


def invite(lobby, directory, *users, who=ADMIN, roles=()):
    lobby.invitations.invite(
        actor=who,
        team_name=None,
        user_ids=list(users),
        emails=[],
        roles=list(roles),
        message=None,
        directory=directory,
    )
    return {user: Invitation.get(Invitation.invitee_user_id == user).id for user in users}


def accept(lobby, user_id):
    invitation = Invitation.get(Invitation.invitee_user_id == user_id)
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)


def ask(lobby, user_id) -> int:
    return lobby.requests.ask(actor=actor(user_id), team_name=None, note=None).id


def link_join(lobby, user_id):
    code = InviteCode.get(InviteCode.retired_at.is_null()).code
    lobby.links.join_with_code(actor=actor(user_id), code=code)


def build_history(lobby, directory, at, clock):
    """Now is day 40; the window is (day 10, day 40]. Each part sets the clock to the
    moment of each step, and says what the step should count."""
    at(timedelta(0))  # before the window: two managers come in, invited and accepted
    invite(lobby, directory, "UMGR1", "UMGR2", roles=["manager"])
    accept(lobby, "UMGR1")
    accept(lobby, "UMGR2")
    window_edge(lobby, directory, at)
    invitations_in_window(lobby, directory, at, clock)
    requests_in_window(lobby, at)
    links_in_window(lobby, at)
    at(39 * DAY)
    invite(lobby, directory, "UD1")  # pending and live
    ask(lobby, "URQ5")  # pending
    at(40 * DAY)


def window_edge(lobby, directory, at):
    since = 10 * DAY
    at(since)  # exactly at the window's start: none of these are in it
    invite(lobby, directory, "UEDGE")
    link_join(lobby, "UL0")
    ask(lobby, "URQ0")
    at(since + timedelta(seconds=1))
    link_join(lobby, "UL1")  # link join 1
    at(since + HOUR)
    accept(lobby, "UEDGE")  # invitation join 1 (sent before the window: not in "sent")
    lobby.requests.approve(actor=ADMIN, request_id=JoinRequest.get().id)  # request join 1


def invitations_in_window(lobby, directory, at, clock):
    at(11 * DAY)
    invite(lobby, directory, "UA1", "UA2", "UA3")
    invite(lobby, directory, "UB1", "UB2", who=actor("UMGR1"))
    invite(lobby, directory, "UC1", who=actor("UMGR2"))
    at(11 * DAY + HOUR)
    lobby.invitations.decline(actor=actor("UA3"), invitation_id=invite_id("UA3"))
    for hours, user in ((2, "UA1"), (4, "UA2"), (6, "UB1"), (8, "UB2")):  # median 5 h
        at(11 * DAY + hours * HOUR)
        accept(lobby, user)  # invitation joins 2-5
    at(12 * DAY)
    invite(lobby, directory, "UC2", who=actor("UMGR2"))
    lobby.invitation_admin.cancel(actor=ADMIN, invitation_id=invite_id("UC2"))
    at(19 * DAY)
    assert expire_due_invitations(clock) == 1  # UC1, expired by the sweep
    at(20 * DAY)
    invite(lobby, directory, "UB3", who=actor("UMGR1"))  # due on day 27, never swept


def requests_in_window(lobby, at):
    for day, user, decide, hours in ((13, "URQ1", "approve", 1), (13, "URQ2", "deny", 3)):
        at(day * DAY)
        request_id = ask(lobby, user)
        at(day * DAY + hours * HOUR)
        getattr(lobby.requests, decide)(actor=ADMIN, request_id=request_id)
    at(14 * DAY)
    request_id = ask(lobby, "URQ3")
    at(14 * DAY + 2 * HOUR)  # decisions after 1, 3 and 2 hours: median 2 h
    lobby.requests.approve(actor=ADMIN, request_id=request_id)  # request joins 2-3
    at(15 * DAY)
    ask(lobby, "URQ4")  # expires on day 29: an expiry is no decision
    at(30 * DAY)
    lobby.requests.expire_due()


def links_in_window(lobby, at):
    at(20 * DAY - timedelta(seconds=1))
    link_join(lobby, "UL2")  # link join 2, with the old code
    at(20 * DAY)
    lobby.links.reset(actor=ADMIN, team_name=None)
    at(21 * DAY)
    link_join(lobby, "UL3")  # link join 3, the first since the reset
    at(22 * DAY)
    link_join(lobby, "UL4")  # link join 4
    at(23 * DAY)
    lobby.removal.remove(actor=ADMIN, user_id="UL4", team_name=None)  # left: still joined


def invite_id(user_id: str) -> int:
    return Invitation.get(Invitation.invitee_user_id == user_id).id


def test_every_figure_of_a_hand_built_history(lobby, directory, design, at, clock):
    build_history(lobby, directory, at, clock)
    stats = lobby.stats.show(actor=ADMIN, team_name=None)
    assert stats.team == "Design" and stats.since == clock.now() - 30 * DAY
    assert stats.joins == {"invitation": 5, "link": 4, "request": 3}
    # UA1-3, UB1-3, UC1-2 and UD1 were sent in the window; UB3 is due but not yet swept.
    assert (stats.sent, stats.accepted, stats.expired) == (9, 4, 2)
    assert stats.acceptance_rate == 4 / 9
    assert stats.median_to_accept == 5 * HOUR
    assert stats.median_to_decide == 2 * HOUR
    assert stats.link_reset_at == clock.now() - 20 * DAY and stats.link_joins == 2
    # A tie is broken by user id; UMGR2's invitations were none accepted.
    assert stats.top_inviters == [TopInviter("UADMIN", 2), TopInviter("UMGR1", 2)]


def test_an_empty_window_says_so_instead_of_dividing_by_zero(lobby, design, clock):
    clock.advance(days=31)
    stats = lobby.stats.show(actor=ADMIN, team_name="design")
    assert stats.joins == {"invitation": 0, "link": 0, "request": 0}
    assert (stats.sent, stats.accepted, stats.expired) == (0, 0, 0)
    assert stats.acceptance_rate is None
    assert stats.median_to_accept is None and stats.median_to_decide is None
    assert stats.link_joins == 0 and stats.link_reset_at == design.created_at
    assert stats.top_inviters == []


def test_the_median_of_an_odd_count_is_the_middle_and_of_an_even_count_the_mean(
    lobby, directory, design, clock
):
    invite(lobby, directory, "UA", "UB", "UC", "UD")
    for hours, user in ((1, "UA"), (10, "UB"), (2, "UC")):
        clock.advance(hours=hours)
        accept(lobby, user)  # after 1, 11 and 13 hours
    assert lobby.stats.show(actor=ADMIN, team_name=None).median_to_accept == 11 * HOUR
    clock.advance(hours=2)
    accept(lobby, "UD")  # 15 hours: the median of 1, 11, 13, 15 is 12
    assert lobby.stats.show(actor=ADMIN, team_name=None).median_to_accept == 12 * HOUR


def test_top_inviters_are_five_most_first_ties_by_user_id(lobby, design, clock):
    now = clock.now()
    accepted = {"UF": 1, "UE": 2, "UD": 2, "UC": 3, "UB": 2, "UA": 1, "UZ": 4}
    rows = [
        dict(
            workspace_id=design.workspace_id,
            team=design.id,
            invitee_user_id=f"{inviter}{n}",
            inviter_user_id=inviter,
            roles="member",
            status=InvitationStatus.ACCEPTED,
            token_hash=f"{inviter}{n}",
            created_at=now - DAY,
            decided_at=now,
            expires_at=now + 6 * DAY,
        )
        for inviter, count in accepted.items()
        for n in range(count)
    ]
    Invitation.insert_many(rows).execute()
    top = lobby.stats.show(actor=ADMIN, team_name=None).top_inviters
    assert top == [
        TopInviter("UZ", 4),
        TopInviter("UC", 3),
        TopInviter("UB", 2),
        TopInviter("UD", 2),
        TopInviter("UE", 2),
    ]


@pytest.mark.parametrize("role", ["manager", "member", "viewer"])
def test_only_admins_see_stats(lobby, directory, design, role):
    invite(lobby, directory, "UBOB", roles=[role])
    accept(lobby, "UBOB")
    with pytest.raises(NotAllowed) as refused:
        lobby.stats.show(actor=actor("UBOB"), team_name=None)
    assert refused.value.action == "view_stats" and refused.value.team == "Design"
    with pytest.raises(NotAllowed):
        lobby.stats.show(actor=actor("USTRANGER"), team_name=None)


def test_an_admin_and_a_custom_role_with_manage_settings_see_stats(lobby, directory, design):
    lobby.roles.create(actor=ADMIN, team_name=None, name="analyst", permissions=["manage_settings"])
    invite(lobby, directory, "UADM", roles=["admin"])
    invite(lobby, directory, "UANA", roles=["analyst"])
    accept(lobby, "UADM")
    accept(lobby, "UANA")
    for user in ("UADM", "UANA"):
        assert lobby.stats.show(actor=actor(user), team_name=None).accepted == 2


def test_a_sub_team_shows_its_root_teams_figures(lobby, directory, design):
    invite(lobby, directory, "UA")
    accept(lobby, "UA")
    lobby.teams.create_sub_team(actor=ADMIN, name="Web", parent_name="Design")
    stats = lobby.stats.show(actor=ADMIN, team_name="web")
    assert (stats.team, stats.asked_for) == ("Design", "Web")
    assert stats.joins["invitation"] == 1


def test_another_workspace_sees_nothing_of_this_one(lobby, design):
    with pytest.raises(NoTeamsYet):
        lobby.stats.show(actor=actor("UADMIN", workspace_id="T0OTHER"), team_name=None)


def crowd(lobby, directory, design, clock, size: int, start: int) -> None:
    """`size` more of each: accepted, expired and pending invitations, approved and
    denied requests, and link joins, with their audit rows, in the window."""
    users = [f"U{start + n:06d}" for n in range(size)]
    Team.update(link_joins_per_hour=0).execute()  # no hourly limit for this crowd
    for user in users:
        clock.advance(minutes=1)
        link_join(lobby, f"{user}L")
        ask(lobby, f"{user}R")
    requests = JoinRequest.select().where(JoinRequest.requester_user_id.endswith("R"))
    for n, request in enumerate(r for r in requests if r.status == "pending"):
        decide = lobby.requests.approve if n % 2 else lobby.requests.deny
        decide(actor=ADMIN, request_id=request.id)
    invite(lobby, directory, *(f"{user}I" for user in users))
    for user in users[: size // 2]:
        accept(lobby, f"{user}I")


def test_stats_takes_the_same_queries_for_a_small_history_and_one_eleven_times_bigger(
    lobby, directory, design, clock
):
    crowd(lobby, directory, design, clock, 4, 0)
    with counting_queries() as small:
        before = lobby.stats.show(actor=ADMIN, team_name=None)
    crowd(lobby, directory, design, clock, 40, 100)
    with counting_queries() as big:
        after = lobby.stats.show(actor=ADMIN, team_name=None)
    assert (before.sent, after.sent) == (4, 44)  # the crowd is in the window
    assert before.joins == {"invitation": 2, "link": 4, "request": 2}
    assert after.joins == {"invitation": 22, "link": 44, "request": 22}
    assert big.count == small.count <= 10


def test_a_seat_given_from_the_waitlist_counts_as_a_link_join(lobby, design, clock):
    code = lobby.links.show(actor=ADMIN, team_name=None).code
    lobby.links.join_with_code(actor=actor("UFIRST"), code=code)
    lobby.seats.set_limit(actor=ADMIN, team_name=None, plan=None, seats=2)
    lobby.waitlist.join(actor=actor("UWAITS"), team_name=None)
    lobby.removal.remove(actor=ADMIN, user_id="UFIRST", team_name=None)
    assert Membership.find(design, "UWAITS").joined_via == "waitlist"

    assert lobby.stats.show(actor=ADMIN, team_name=None).joins == {
        "invitation": 0,
        "link": 2,
        "request": 0,
    }
