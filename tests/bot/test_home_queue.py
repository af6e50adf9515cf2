"""App Home publishes are queued once per person: a person whose Home is already queued is
not queued again, and a change made once it is claimed queues it anew."""

from datetime import timedelta

from bot.home.refresh import queue_homes, unqueue_home
from bot.outbox import claims
from storage.db import db
from storage.models import Notice

WORKSPACE = "T0LOBBY"


def queue(clock, *users):
    with db.atomic():
        queue_homes(WORKSPACE, users, clock.now())


def homes():
    query = Notice.select().where(Notice.kind == "publish_home").order_by(Notice.id)
    return [(row.status, row.payload) for row in query]


def test_a_home_already_queued_is_not_queued_again(database, clock):
    queue(clock, "UIVY", "UADA")
    queue(clock, "UIVY")
    queue(clock, "UADA", "UIVY")
    assert [status for status, _ in homes()] == ["pending", "pending"]


def test_a_change_after_the_home_was_claimed_queues_it_again(database, clock):
    queue(clock, "UIVY")
    (claimed,) = claims.claim_due(clock.now(), "lobby")
    queue(clock, "UIVY")  # its publish may already have read the state: this one follows
    assert [status for status, _ in homes()] == ["sending", "pending"]
    claims.mark_sent(claimed, clock.now())
    queue(clock, "UIVY")
    assert [status for status, _ in homes()] == ["sent", "pending"]


def test_a_paced_home_takes_its_place_back_unless_a_newer_one_stands_for_it(database, clock):
    queue(clock, "UIVY", "UADA")
    ivy, ada = sorted(claims.claim_due(clock.now(), "lobby"), key=lambda c: c.notice.user)[::-1]
    queue(clock, "UIVY")
    later = clock.now() + timedelta(seconds=5)
    claims.put_back(ivy, later)  # a newer one of UIVY is queued: this one goes
    claims.put_back(ada, later)  # none newer: queued again, and coalesces again
    queue(clock, "UADA", "UIVY")
    assert [status for status, _ in homes()] == ["pending", "pending"]
    assert Notice.get_by_id(ada.notice_id).attempts == 0


def test_a_home_published_with_an_answer_drops_the_queued_one(database, clock):
    queue(clock, "UIVY", "UADA")
    unqueue_home(WORKSPACE, "UIVY")
    assert [payload for _, payload in homes()] == ['{"user": "UADA"}']
