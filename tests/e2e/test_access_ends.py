"""Issue 15 end to end: access that ends, from the command to the removal."""

import copy
import json
from datetime import UTC

from storage.models import Invitation, Membership, Notice
from tests.e2e.conftest import ADMIN, ALICE, BOB
from tests.e2e.test_home import open_home
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_requests import copy_for

DESIGN = "C0DESIGN1"


def set_up(running):
    running.slack.add_channel(DESIGN, "design")
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"team link Design <#{DESIGN}|design>"))
    running.settled()


def join_for(running, user_id, term):
    reply = running.reply_to(running.command(f"<@{user_id}> {term}"))
    assert "Invited" in reply or "invited" in reply, reply
    running.requests.click(invitation_dm(running, user_id), "invitation_accept", user_id=user_id)
    running.delivered(lambda: Membership.select().where(Membership.user_id == user_id).exists())
    running.settled()


def dms_containing(running, user_id, text):
    return [m for m in running.slack.messages_to(user_id) if text in (m.text or "")]


def test_a_member_for_a_time_is_warned_extended_once_and_listed(running):
    set_up(running)
    join_for(running, ALICE, "for 10 days")
    assert "access ends" in running.reply_to(running.command("members"))
    running.clock.advance(days=7, hours=1)
    running.app.lobby.access.warn_ending()
    running.app.lobby.access.warn_ending()  # a second run, or instance, warns nobody again
    running.settled()
    assert len(dms_containing(running, ALICE, "Your access to *Design* ends")) == 1
    warning = dms_containing(running, ADMIN, "access to *Design* ends")
    assert len(warning) == 1
    stale = copy.deepcopy(warning[0])
    ends_before = Membership.get(Membership.user_id == ALICE).ends_at
    running.requests.click(warning[0], "access_extend", user_id=ADMIN)
    running.delivered(lambda: Membership.get(Membership.user_id == ALICE).ends_at != ends_before)
    running.settled()
    assert "now ends" in running.slack.message(warning[0].channel, warning[0].ts).text
    running.requests.click(stale, "access_make_permanent", user_id=ADMIN)
    url = running.requests.last_payload["response_url"]
    answer = running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload
    assert "was changed meanwhile" in answer["text"]
    assert Membership.get(Membership.user_id == ALICE).ends_at is not None
    reply = running.reply_to(running.command(f"extend <@{ALICE}> permanent"))
    assert "is now permanent" in reply
    assert Membership.get(Membership.user_id == ALICE).ends_at is None


def test_at_the_end_the_member_is_removed_and_everyone_told(running):
    set_up(running)
    join_for(running, ALICE, "until " + running.clock.now().date().isoformat())
    assert ALICE in running.slack.channel_members(DESIGN)
    running.clock.advance(days=1)
    assert running.app.lobby.access.end_due() == 1
    running.settled()
    assert ALICE not in running.slack.channel_members(DESIGN)
    assert dms_containing(running, ALICE, "Your access to *Design* has ended")
    assert dms_containing(running, ADMIN, f"<@{ALICE}>'s access to *Design* ended")
    assert not Membership.select().where(Membership.user_id == ALICE).exists()


def test_refusals_name_the_word_and_send_nothing(running):
    set_up(running)
    owner = running.reply_to(running.command(f"<@{ALICE}> as owner for 7 days"))
    assert "Owner is never granted for a time" in owner
    past = running.reply_to(running.command(f"<@{ALICE}> until 2000-01-01"))
    assert "2000-01-01" in past and "YYYY-MM-DD" in past
    too_long = running.reply_to(running.command(f"<@{ALICE}> for 400 days"))
    assert "“400”" in too_long and "from 1 to 365" in too_long
    assert Invitation.select().count() == 0
    assert not Notice.select().where(Notice.kind == "invitation_sent").exists()


def test_an_approver_chooses_how_long_on_their_copy(running):
    set_up(running)
    running.reply_to(running.command("request Design", user_id=BOB))
    admin_copy = copy_for(running, ADMIN)
    assert "30 days" in json.dumps(admin_copy.args["blocks"])
    running.requests.click(
        admin_copy, "request_approve", user_id=ADMIN, selected={"request_access": "30"}
    )
    running.delivered(lambda: Membership.select().where(Membership.user_id == BOB).exists())
    membership = Membership.get(Membership.user_id == BOB)
    assert (membership.ends_at - membership.joined_at).days == 30


def test_the_home_tab_shows_the_members_own_end(running):
    set_up(running)
    join_for(running, ALICE, "for 30 days")
    ends = Membership.get(Membership.user_id == ALICE).ends_at
    shown = json.dumps(open_home(running, ALICE))
    assert f"your access ends <!date^{int(ends.replace(tzinfo=UTC).timestamp())}^" in shown
    assert "your access ends" not in json.dumps(open_home(running, ADMIN))
