"""`/invite stats` end to end: an admin sees the figures, a member is refused."""

from storage.models import Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_links import code_in


def test_stats_counts_what_happened_and_only_admins_see_it(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}> <@{BOB}>"))
    dm = invitation_dm(running, ALICE)
    running.clock.advance(hours=3)
    running.requests.click(dm, "invitation_accept", user_id=ALICE)
    code = code_in(running.reply_to(running.command("link")))
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=CAROL))
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())

    stats = running.reply_to(running.command("stats"))
    assert "Invite analytics: Design" in stats
    assert "*Joins:* 2 (by invitation 1 · by link 1 · by request 0)" in stats
    assert "*Invitations sent:* 2 · accepted 1 · expired 0 · acceptance rate 50%" in stats
    assert "to accept an invitation: 3 h · to decide a join request: n/a" in stats
    assert "*Link:* 1 joined since it was last reset" in stats
    assert f"(accepted invitations): 1. <@{ADMIN}> 1" in stats

    refused = running.reply_to(running.command("stats Design", user_id=ALICE))
    assert refused == "You don't have permission to view stats on *Design*."
