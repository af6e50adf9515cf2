"""The invite modal's term: Permanent, a number of days, or until a date, checked by the
same rule as `for N days` / `until DATE`, with refusals beside the field."""

from datetime import timedelta

from storage.models import Invitation, Membership
from tests.e2e.conftest import ADMIN, ALICE
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_invite_modal import _option, open_modal


def days(value: str) -> dict:
    label = "Permanent" if value == "permanent" else f"{value} days"
    return {"selected_option": {"text": {"type": "plain_text", "text": label}, "value": value}}


def submit(running, view_id, **values):
    return running.requests.submit_view(
        view_id, {"people": {"people": {"selected_users": [ALICE]}}, **values}, user_id=ADMIN
    )


def test_a_term_of_days_from_the_modal_counts_from_joining(running):
    view_id = open_modal(running)
    assert submit(running, view_id, term={"term": days("30")}).status == 200
    running.delivered(lambda: Invitation.select().exists())
    assert Invitation.get().access_days == 30
    running.clock.advance(days=2)
    running.requests.click(invitation_dm(running, ALICE), "invitation_accept", user_id=ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    membership = Membership.get(Membership.user_id == ALICE)
    assert membership.ends_at == membership.joined_at + timedelta(days=30)
    assert "access ends" in running.reply_to(running.command("members"))


def test_until_a_date_from_the_modal(running):
    view_id = open_modal(running)
    last_day = (running.clock.now() + timedelta(days=10)).date()
    submit(running, view_id, until={"until": {"selected_date": last_day.isoformat()}})
    running.delivered(lambda: Invitation.select().exists())
    assert Invitation.get().access_until.date() == last_day
    assert Invitation.get().access_days is None


def test_refusals_are_field_errors_and_send_nothing(running):
    view_id = open_modal(running)
    owner = submit(
        running,
        view_id,
        roles={"roles": {"selected_options": [_option("owner")]}},
        term={"term": days("7")},
    )
    assert "Owner is never granted for a time" in owner.json["errors"]["term"]
    today = running.clock.now().date()
    for wrong in (today - timedelta(days=1), today + timedelta(days=366)):
        refused = submit(running, view_id, until={"until": {"selected_date": wrong.isoformat()}})
        assert "Pick a date from today to 365 days ahead" in refused.json["errors"]["until"]
    both = submit(
        running,
        view_id,
        term={"term": days("7")},
        until={"until": {"selected_date": today.isoformat()}},
    )
    assert both.json["errors"] == {"until": "Choose a number of days or a date, not both."}
    running.settled()
    assert Invitation.select().count() == 0
