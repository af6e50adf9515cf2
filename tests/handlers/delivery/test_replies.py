"""A run's reply goes where the person acted; a click is never answered by a new DM."""

import json

import pytest
from slack_sdk import WebClient

from bot.home.refresh import queue_homes
from bot.outbox import notices as n
from handlers.delivery.outbox_worker import OutboxWorker
from handlers.intake.runs import Reply, where_acted
from storage.db import db

WORKSPACE = "T0LOBBY"


@pytest.fixture
def worker(database, clock, slack):
    slack.add_user("UIVY", "ivy")
    slack.add_user("UADA", "ada")
    return OutboxWorker(WebClient(token=slack.token, base_url=slack.api_url), clock)


def deliver(worker, clock, *notices):
    with db.atomic():
        for notice in notices:
            n.record(WORKSPACE, notice, clock.now())
    with db.connection_context():
        worker.deliver_due()


def dms(slack, user):
    return [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_a_click_in_the_home_is_answered_at_the_top_of_a_republished_home(worker, slack, clock):
    home_click = {"type": "block_actions", "view": {"type": "home", "id": "V1"}}
    reply = Reply(
        user="UIVY", message={"text": "Already decided by ada."}, **where_acted(home_click)
    )
    deliver(worker, clock, reply)
    (published,) = slack.calls_to("views.publish")
    view = published.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["blocks"][0]["text"]["text"] == "Already decided by ada."
    assert not dms(slack, "UIVY")


def test_a_home_answer_and_refreshes_in_one_run_publish_that_home_once(worker, slack, clock):
    note = Reply(user="UIVY", message={"text": "Already accepted."}, clicked=True, in_home=True)
    with db.atomic():
        queue_homes(WORKSPACE, ["UIVY", "UADA"], clock.now())
        n.record(WORKSPACE, note, clock.now())
        queue_homes(WORKSPACE, ["UIVY"], clock.now())
    with db.connection_context():
        while worker.deliver_due():
            pass
    published = [c.args["user_id"] for c in slack.calls_to("views.publish")]
    assert sorted(published) == ["UADA", "UIVY"]
    assert "Already accepted." in json.dumps([c.args for c in slack.calls_to("views.publish")])


def test_a_click_whose_response_url_expired_gets_an_ephemeral_answer_not_a_dm(worker, slack, clock):
    slack.add_channel("C0CARDS01", "cards", bot_is_member=True, members=["UIVY"])
    click = {"type": "block_actions", "channel": {"id": "C0CARDS01"}}
    expired = slack.api_url.rstrip("/").rsplit("/", 1)[0] + "/expired-response-url"
    reply = Reply(
        user="UIVY",
        message={"text": "Already a member."},
        response_url=expired,
        **where_acted(click),
    )
    deliver(worker, clock, reply)
    (ephemeral,) = slack.calls_to("chat.postEphemeral")
    assert ephemeral.args["user"] == "UIVY" and ephemeral.args["channel"] == "C0CARDS01"
    assert not dms(slack, "UIVY")


def test_a_clicks_answer_with_nowhere_in_place_is_dropped_rather_than_dmed(worker, slack, clock):
    deliver(worker, clock, Reply(user="UIVY", message={"text": "Too late."}, clicked=True))
    assert not dms(slack, "UIVY")


def test_a_modal_submissions_answer_still_goes_by_dm(worker, slack, clock):
    submission = {"type": "view_submission", "view": {"type": "modal", "id": "V2"}}
    deliver(
        worker, clock, Reply(user="UIVY", message={"text": "Saved."}, **where_acted(submission))
    )
    assert dms(slack, "UIVY")
