"""The end_access job on two instances at once, after downtime: each ending member is
removed once, told once, and their sponsor review opened once (SQLite and PostgreSQL)."""

import multiprocessing
import time
from collections import Counter
from datetime import timedelta

import pytest

from bot.service import Lobby
from bot.teams.access_term import AccessTerm
from storage.db import init_db
from storage.models import AuditEntry, Invitation, Membership, SponsorReview
from tests.conftest import actor
from tests.support.clock import ManualClock
from tests.support.outbox import payloads

OWNER = actor("UOWNER")
ENDING = [f"UEND{i}" for i in range(6)]


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def join(lobby, directory, user_id, *, by=OWNER, role="member", term=None):
    lobby.invitations.invite(
        actor=by, team_name="Design", user_ids=[user_id], emails=[], roles=[role],
        message=None, directory=directory, term=term,
    )  # fmt: skip
    invitation = Invitation.get(
        Invitation.invitee_user_id == user_id, Invitation.status == "pending"
    )
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)


def _end_in_a_process(url: str, now, go, results) -> None:
    init_db(url)
    lobby = Lobby(clock=ManualClock(now))
    go.wait(timeout=60)  # both instances are connected: now they race
    try:
        results.put(lobby.access.end_due())
    except Exception as error:  # noqa: BLE001 - reported to the parent test
        results.put(repr(error))


def test_two_instances_after_downtime_end_each_member_once(
    lobby, directory, design, clock, database, db_url
):
    for days, user_id in enumerate(ENDING, start=3):
        join(lobby, directory, user_id, role="manager", term=AccessTerm(days=days))
    join(lobby, directory, "UKEPT", by=actor("UEND0"))  # brought in by one who will end
    join(lobby, directory, "UPERMANENT")
    down_until = clock.now() + timedelta(days=40)  # the app was down well past every end
    database.close()
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Event()
    instances = [
        context.Process(target=_end_in_a_process, args=(db_url, down_until, go, results))
        for _ in range(2)
    ]
    for instance in instances:
        instance.start()
    time.sleep(3)  # let both connect and wait at the start line
    go.set()
    ended = [results.get(timeout=60) for _ in instances]
    for instance in instances:
        instance.join(timeout=30)
    database.connect(reuse_if_open=True)
    assert sum(ended) == len(ENDING), ended
    remaining = {m.user_id for m in Membership.select()}
    assert remaining == {"UOWNER", "UKEPT", "UPERMANENT"}
    assert Counter(p["user"] for p in payloads("access_ended")) == Counter(ENDING)
    audited = AuditEntry.select().where(AuditEntry.action == "access.ended")
    assert sorted(entry.target for entry in audited) == ENDING
    assert [r.departed_user_id for r in SponsorReview.select()] == ["UEND0"]
    assert len(payloads("sponsor_review")) == 1  # the Owner's one copy
