"""Issue 4 end to end: ask to join, approve or deny with the buttons the app sent."""

import copy
import json

from storage.models import JoinRequest, Membership, Team
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_invite_journey import invitation_dm

LOUNGE = "C0LOUNGE1"


def set_up(running):
    """Design, owned by ADMIN, with BOB as a second admin."""
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{BOB}> as admin"))
    running.requests.click(invitation_dm(running, BOB), "invitation_accept", user_id=BOB)
    running.delivered(lambda: Membership.select().where(Membership.user_id == BOB).exists())
    running.settled()


def copies(running):
    return running.delivered(
        lambda: [
            c
            for c in running.slack.calls_to("chat.postMessage")
            if "request_approve" in json.dumps(c.args.get("blocks"))
        ]
    )


def copy_for(running, user_id):
    return next(c for c in copies(running) if c.args["channel"] == user_id)


def last_response(running):
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload


def test_approving_with_a_chosen_role_admits_and_updates_every_copy(running):
    set_up(running)
    reply = running.reply_to(running.command("request Design I draw", user_id=ALICE))
    assert "Your request to join *Design* is with its admins" in reply
    running.delivered(lambda: len(copies(running)) == 2)
    bob_copy = copy_for(running, BOB)
    assert "I draw" in json.dumps(bob_copy.args["blocks"])
    owner_copy = copy.deepcopy(running.slack.message(*_where(copy_for(running, ADMIN))))

    choice = {"request_role": "viewer"}
    running.requests.click(bob_copy, "request_approve", user_id=BOB, selected=choice)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    updates = [u for u in running.slack.calls_to("chat.update") if "request" in u.args["text"]]
    assert len(updates) == 2, [u.args["text"] for u in running.slack.calls_to("chat.update")]
    assert all(f"approved by <@{BOB}> as Viewer" in u.args["text"] for u in updates)
    running.delivered(
        lambda: [m for m in running.slack.messages_to(ALICE) if "approved your request" in m.text]
    )

    running.requests.click(owner_copy, "request_deny", user_id=ADMIN)  # a stale copy
    assert f"already approved by <@{BOB}> as Viewer" in last_response(running)["text"]
    assert JoinRequest.get().status == "approved"


def test_deny_asks_for_a_reason_and_tells_the_requester(running):
    set_up(running)
    running.reply_to(running.command("request", user_id=ALICE))
    running.requests.click(copy_for(running, ADMIN), "request_deny", user_id=ADMIN)
    view_id = running.delivered(lambda: list(running.slack.views))[0]
    running.requests.submit_view(
        view_id, {"reason": {"reason": {"value": "Design is full this quarter"}}}, user_id=ADMIN
    )
    told = running.delivered(
        lambda: [m for m in running.slack.messages_to(ALICE) if "denied your request" in m.text]
    )
    assert "Design is full this quarter" in told[0].text
    updates = running.delivered(
        lambda: [u for u in running.slack.calls_to("chat.update") if "request" in u.args["text"]]
    )
    assert f"denied by <@{ADMIN}>" in updates[0].args["text"]
    again = running.reply_to(running.command("request", user_id=ALICE))
    assert "was denied" in again and "You can ask again" in again


def test_someone_without_approve_requests_changes_nothing(running):
    set_up(running)
    running.reply_to(running.command("request", user_id=ALICE))
    running.requests.click(copy_for(running, ADMIN), "request_approve", user_id=CAROL)
    assert "don't have permission to approve requests" in last_response(running)["text"]
    assert JoinRequest.get().status == "pending"


def test_asking_twice_says_it_is_pending_and_members_are_told_they_are_in(running):
    set_up(running)
    running.reply_to(running.command("request", user_id=ALICE))
    assert "still waiting" in running.reply_to(running.command("request", user_id=ALICE))
    assert "already a member" in running.reply_to(running.command("request", user_id=BOB))


def test_requests_lists_pending_ones_with_approve_and_deny(running):
    set_up(running)
    running.reply_to(running.command("request", user_id=ALICE))
    running.command("requests")
    listing = last_response(running)
    assert f"<@{ALICE}> asks to join" in json.dumps(listing)
    from tests.e2e.test_lifecycle import _as_message

    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": listing["blocks"]}
    running.requests.click(_as_message(running, message), "request_approve", user_id=ADMIN)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())


def test_the_request_button_on_a_join_card(running):
    set_up(running)
    running.slack.add_channel(LOUNGE, "lounge", bot_is_member=True)
    running.reply_to(running.command("card", channel_id=LOUNGE))
    card = running.slack.messages_to(LOUNGE)[-1]
    running.requests.click(card, "card_request", user_id=ALICE)
    assert "is with its admins" in last_response(running)["text"]
    assert JoinRequest.get().requester_user_id == ALICE


def test_invite_alone_opens_the_request_modal_for_people_who_may_not_invite(running):
    set_up(running)
    running.command("", user_id=ALICE)
    view_id = running.delivered(lambda: list(running.slack.views))[0]
    assert running.slack.views[view_id]["callback_id"] == "request_modal"
    running.requests.submit_view(view_id, {"note": {"note": {"value": "hello"}}}, user_id=ALICE)
    running.delivered(
        lambda: [m for m in running.slack.messages_to(ALICE) if "is with its admins" in m.text]
    )
    assert JoinRequest.get().note == "hello"


def test_the_approval_link_policy_turns_a_code_join_into_a_request(running):
    set_up(running)
    Team.update(link_policy="approval").execute()
    code = running.reply_to(running.command("link")).split("`")[1]
    reply = running.reply_to(running.command(f"join {code}", user_id=ALICE))
    assert "is with its admins" in reply
    assert not Membership.select().where(Membership.user_id == ALICE).exists()
    copies(running)


def _where(call):
    return call.response["channel"], call.response["ts"]
