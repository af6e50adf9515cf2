"""Inviting at once: one invitation per person, seats held, and on an unlimited plan
invitations of different people decided side by side (PostgreSQL's locks)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.seats.use import lock_team, lock_team_for_inviting
from storage.db import db
from storage.models import Invitation, Team
from tests.bot.test_seats import OWNER, set_seats
from tests.conftest import actor

HELD = 0.5  # how long a locked-out transaction is watched to stay blocked


def invite_at_once(lobby, directory, invitations: list[tuple[str, str]]) -> list[str]:
    """Each (inviter, invitee) in its own thread and connection, all at once: the
    invitee's outcome (invited, already_invited) or the refusal's class name."""
    db.close()
    start = threading.Barrier(len(invitations))

    def send(pair):
        inviter, invitee = pair
        with db.connection_context():
            start.wait()
            try:
                result = lobby.invitations.invite(
                    actor=actor(inviter),
                    team_name="Design",
                    user_ids=[invitee],
                    emails=[],
                    roles=[],
                    message=None,
                    directory=directory,
                )
            except Exception as refusal:  # noqa: BLE001 - the test counts them
                return type(refusal).__name__
            return result.outcomes[0].status

    with ThreadPoolExecutor(len(invitations)) as pool:
        outcomes = list(pool.map(send, invitations))
    db.connect(reuse_if_open=True)
    return outcomes


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


@pytest.fixture
def admins(lobby, directory, design):
    """Six admins of Design besides its Owner."""
    names = [f"UADM{n}" for n in range(6)]
    for name in names:
        lobby.invitations.invite(
            actor=OWNER,
            team_name="Design",
            user_ids=[name],
            emails=[],
            roles=["admin"],
            message=None,
            directory=directory,
        )
        invitation = Invitation.get(Invitation.invitee_user_id == name)
        lobby.invitations.accept(actor=actor(name), invitation_id=invitation.id)
    return names


def test_racing_invitations_of_one_person_make_one(lobby, directory, admins):
    outcomes = invite_at_once(lobby, directory, [(admin, "UALICE") for admin in admins])
    assert sorted(outcomes) == ["already_invited"] * 5 + ["invited"]
    assert Invitation.select().where(Invitation.invitee_user_id == "UALICE").count() == 1


def test_racing_invitations_on_a_limited_plan_take_only_the_free_seats(lobby, directory, admins):
    set_seats(lobby, seats=10)  # the Owner and six admins hold 7: three are free
    pairs = [(admins[n % 6], f"UNEW{n}") for n in range(8)]
    outcomes = invite_at_once(lobby, directory, pairs)
    assert sorted(outcomes) == ["NoSeatsLeft"] * 5 + ["invited"] * 3
    assert Invitation.select().where(Invitation.invitee_user_id.startswith("UNEW")).count() == 3


class Holder:
    """A transaction in a thread of its own that takes a lock and holds it until let go."""

    def __init__(self, take):
        self.taken, self.go = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(take,))
        self.thread.start()
        assert self.taken.wait(10), "the lock was not taken"

    def _hold(self, take):
        with db.connection_context(), db.atomic():
            take()
            self.taken.set()
            self.go.wait(10)

    def release(self):
        self.go.set()
        self.thread.join(10)


def blocked_by(holder: Holder, take) -> bool:
    """Whether `take`, in another transaction, waits until the holder lets go."""
    other = Holder.__new__(Holder)
    other.taken, other.go = threading.Event(), threading.Event()
    other.go.set()
    other.thread = threading.Thread(target=other._hold, args=(take,))
    other.thread.start()
    blocked = not other.taken.wait(HELD)
    holder.release()
    assert other.taken.wait(10), "the lock was never taken"
    other.thread.join(10)
    return blocked


@pytest.fixture
def on_postgres(db_url):
    if not db_url.startswith("postgres"):
        pytest.skip("SQLite serialises every writer: there is nothing side by side")


def test_an_unlimited_team_invites_different_people_side_by_side(
    lobby,
    design,
    clock,
    on_postgres,
):
    db.close()
    now = clock.now()
    holder = Holder(lambda: lock_team_for_inviting(design, ["UA"], now))
    assert not blocked_by(holder, lambda: lock_team_for_inviting(design, ["UB"], now))
    holder = Holder(lambda: lock_team_for_inviting(design, ["UA"], now))
    assert blocked_by(holder, lambda: lock_team_for_inviting(design, ["UA", "UC"], now))
    holder = Holder(lambda: lock_team_for_inviting(design, ["UA"], now))
    assert blocked_by(holder, lambda: lock_team(design))  # admissions, plan changes, removals
    db.connect(reuse_if_open=True)


def test_a_limited_team_invites_one_at_a_time(lobby, design, clock, on_postgres):
    set_seats(lobby, seats=10)
    team = Team.get_by_id(design.id)
    db.close()
    now = clock.now()
    holder = Holder(lambda: lock_team_for_inviting(team, ["UA"], now))
    assert blocked_by(holder, lambda: lock_team_for_inviting(team, ["UB"], now))
    db.connect(reuse_if_open=True)


def test_a_plan_limited_meanwhile_is_read_again_under_the_lock(
    lobby,
    design,
    clock,
    on_postgres,
):
    stale = Team.get_by_id(design.id)  # read while the plan was unlimited
    set_seats(lobby, seats=10)
    db.close()
    now = clock.now()
    holder = Holder(lambda: lock_team_for_inviting(stale, ["UA"], now))
    assert blocked_by(holder, lambda: lock_team_for_inviting(stale, ["UB"], now))
    db.connect(reuse_if_open=True)
