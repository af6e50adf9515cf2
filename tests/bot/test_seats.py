"""Seats and plans: limits, what uses seats, refusals, and atomic checks."""

import json
import multiprocessing
import time

import pytest

from bot.errors import CannotGrantRole, NoSeatsLeft, NotAllowed
from bot.links.cards import card_facts
from bot.service import Lobby
from storage.db import init_db
from storage.models import Invitation, JoinRequest, Membership, Notice, Team
from tests.conftest import actor
from tests.support.clock import ManualClock

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def invite(lobby, directory, *users, emails=()):
    return lobby.invitations.invite(
        actor=OWNER,
        team_name="Design",
        user_ids=list(users),
        emails=list(emails),
        roles=[],
        message=None,
        directory=directory,
    )


def card_renders():
    query = Notice.select().where(Notice.kind == "render_join_cards").order_by(Notice.id)
    return [json.loads(n.payload) for n in query]


def set_seats(lobby, seats=None, plan=None):
    return lobby.seats.set_limit(actor=OWNER, team_name=None, plan=plan, seats=seats)


def test_a_trial_is_unlimited_for_14_days_then_starter(lobby, design, clock):
    use = lobby.seats.show(actor=OWNER, team_name=None)
    assert (use.plan, use.limit, use.members) == ("trial", None, 1)
    clock.advance(days=14)
    use = lobby.seats.show(actor=OWNER, team_name=None)
    assert (use.plan, use.limit) == ("starter", 5)


@pytest.mark.parametrize(
    "plan, seats, limit",
    [
        ("starter", None, 5),
        ("professional", None, 25),
        ("enterprise", None, None),
        ("unlimited", None, None),
        (None, 12, 12),
    ],
)
def test_plans_and_custom_limits(lobby, design, plan, seats, limit):
    use = set_seats(lobby, seats=seats, plan=plan)
    assert use.limit == limit


def test_only_owners_set_seats(lobby, directory, design):
    invite(lobby, directory, "UADMIN")
    Invitation.update(roles="admin").execute()
    lobby.invitations.accept(actor=actor("UADMIN"), invitation_id=Invitation.get().id)
    with pytest.raises(NotAllowed):
        lobby.seats.set_limit(actor=actor("UADMIN"), team_name=None, plan="enterprise", seats=None)


def test_members_and_pending_invitations_use_seats(lobby, directory, design, clock):
    set_seats(lobby, seats=4)
    invite(lobby, directory, "UA", "UB")
    use = lobby.seats.show(actor=OWNER, team_name=None)
    assert (use.members, use.pending_invitations, use.free) == (1, 2, 1)
    lobby.invitation_admin.cancel(actor=OWNER, invitation_id=Invitation.get().id)
    assert lobby.seats.show(actor=OWNER, team_name=None).free == 2
    clock.advance(days=8)  # the other expires: its seat is free, even before any job runs
    assert lobby.seats.show(actor=OWNER, team_name=None).free == 3


def test_inviting_more_than_the_free_seats_sends_none(lobby, directory, design):
    set_seats(lobby, seats=3)
    with pytest.raises(NoSeatsLeft) as refused:
        invite(lobby, directory, "UA", "UB", "UC")
    assert (refused.value.requested, refused.value.free) == (3, 2)
    assert refused.value.owners == ["UOWNER"]
    assert Invitation.select().count() == 0
    invite(lobby, directory, "UA", "UB")
    assert Invitation.select().count() == 2


def test_accepting_uses_the_seat_the_invitation_held(lobby, directory, design):
    set_seats(lobby, seats=2)
    invite(lobby, directory, "UA")
    lobby.invitations.accept(actor=actor("UA"), invitation_id=Invitation.get().id)
    assert Membership.select().count() == 2


def test_after_a_downgrade_accepting_is_refused_only_above_the_limit(lobby, directory, design):
    set_seats(lobby, seats=3)
    invite(lobby, directory, "UA", "UB")
    set_seats(lobby, seats=2)  # 3 used of 2: nobody is removed
    assert Membership.select().count() == 1
    first = Invitation.get(Invitation.invitee_user_id == "UA")
    with pytest.raises(NoSeatsLeft):
        lobby.invitations.accept(actor=actor("UA"), invitation_id=first.id)
    assert Invitation.get_by_id(first.id).status == "pending"
    lobby.invitation_admin.cancel(
        actor=OWNER, invitation_id=Invitation.get(Invitation.invitee_user_id == "UB").id
    )
    lobby.invitations.accept(actor=actor("UA"), invitation_id=first.id)


def test_an_accept_refused_for_seats_tells_the_owners(lobby, directory, design):
    set_seats(lobby, seats=3)
    invite(lobby, directory, "UA", "UB")
    set_seats(lobby, seats=2)
    first = Invitation.get(Invitation.invitee_user_id == "UA")
    with pytest.raises(NoSeatsLeft):
        lobby.invitations.accept(actor=actor("UA"), invitation_id=first.id)
    told = [json.loads(n.payload) for n in Notice.select().where(Notice.kind == "seats_full")]
    assert [(t["recipient"], t["used"], t["limit"]) for t in told] == [("UOWNER", 2, 2)]


def test_link_joins_and_approvals_are_refused_when_full_and_owners_told_once(lobby, design):
    set_seats(lobby, seats=1)
    code = lobby.links.show(actor=OWNER, team_name=None).code
    for user_id in ("UA", "UB"):
        with pytest.raises(NoSeatsLeft) as refused:
            lobby.links.join_with_code(actor=actor(user_id), code=code)
        assert (refused.value.used, refused.value.limit) == (1, 1)
    assert Notice.select().where(Notice.kind == "seats_full").count() == 1
    request = lobby.requests.ask(actor=actor("UC"), team_name=None, note=None)
    with pytest.raises(NoSeatsLeft):
        lobby.requests.approve(actor=OWNER, request_id=request.id)
    assert JoinRequest.get_by_id(request.id).status == "pending"
    assert Membership.select().count() == 1


def test_a_full_team_re_renders_its_cards_without_join_and_back(lobby, directory, design):
    lobby.links.remember_card(actor=OWNER, team_id=design.id, channel="C1", ts="1.1")
    set_seats(lobby, seats=2)
    invite(lobby, directory, "UA")
    renders = [
        json.loads(n.payload) for n in Notice.select().where(Notice.kind == "render_join_cards")
    ]
    assert renders[-1]["joinable"] is False and renders[-1]["seats_line"] == "2 of 2 seats used"
    assert renders[-1]["waitlist"] is True  # the full card offers the waitlist instead
    lobby.invitation_admin.cancel(actor=OWNER, invitation_id=Invitation.get().id)
    renders = [
        json.loads(n.payload) for n in Notice.select().where(Notice.kind == "render_join_cards")
    ]
    assert renders[-1]["joinable"] is True and len(renders) == 2
    assert renders[-1]["waitlist"] is False


def test_a_full_card_offers_no_waitlist_when_link_joins_are_disabled(lobby, design):
    Team.update(link_policy="disabled").where(Team.id == design.id).execute()
    set_seats(lobby, seats=1)
    facts = card_facts(Team.get_by_id(design.id), lobby.clock.now())
    assert facts.seats_line == "1 of 1 seats used" and not facts.waitlist


def test_no_escalation_still_applies_to_seats(lobby, directory, design):
    invite(lobby, directory, "UMGR")
    Invitation.update(roles="manager").execute()
    lobby.invitations.accept(actor=actor("UMGR"), invitation_id=Invitation.get().id)
    with pytest.raises(CannotGrantRole):
        lobby.invitations.invite(
            actor=actor("UMGR"),
            team_name=None,
            user_ids=["UX"],
            emails=[],
            roles=["owner"],
            message=None,
            directory=directory,
        )


def _join_in_a_process(url: str, code: str, user_id: str, go, results) -> None:
    init_db(url)
    lobby = Lobby(clock=ManualClock())
    go.wait(timeout=60)  # every process is connected: now they race
    try:
        lobby.links.join_with_code(actor=actor(user_id), code=code)
        results.put("joined")
    except NoSeatsLeft:
        results.put("refused")
    except Exception as error:  # noqa: BLE001 - reported to the parent test
        results.put(repr(error))


def test_simultaneous_joins_from_separate_processes_admit_exactly_the_free_seats(
    lobby, design, database, db_url
):
    set_seats(lobby, seats=4)  # the Owner holds one: three are free
    code = lobby.links.show(actor=OWNER, team_name=None).code
    database.close()
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Event()
    processes = [
        context.Process(target=_join_in_a_process, args=(db_url, code, f"U{i:03}", go, results))
        for i in range(10)
    ]
    for process in processes:
        process.start()
    time.sleep(3)  # let them all connect and wait at the start line
    go.set()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    database.connect(reuse_if_open=True)
    assert outcomes == ["joined"] * 3 + ["refused"] * 7
    assert Membership.select().count() == 4
