"""Links that protect themselves, end to end: the pause, the admins' DM, resume and reset."""

import copy

from storage.models import Membership, Team
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_links import code_in, set_up


def pause_dm(running):
    return running.delivered(
        lambda: next((m for m in running.slack.messages_to(ADMIN) if "is paused" in m.text), None)
    )


def member(user_id: str) -> bool:
    return Membership.select().where(Membership.user_id == user_id).exists()


def paused_after_one_join(running) -> str:
    set_up(running)
    Team.update(link_joins_per_hour=1).execute()
    code = code_in(running.reply_to(running.command("link")))
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=ALICE))
    refused = running.reply_to(running.command(f"join {code}", user_id=BOB))
    assert "This link to *Design* is paused; ask <@" in refused
    return code


def test_the_join_over_the_limit_pauses_and_resume_in_the_dm_opens_it(running):
    code = paused_after_one_join(running)
    dm = pause_dm(running)
    actions = [e["action_id"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["link_resume", "link_reset"]
    assert "Paused" in running.reply_to(running.command("link"))
    running.requests.click(dm, "link_resume", user_id=ADMIN)
    running.delivered(lambda: "resumed it" in (running.slack.message(dm.channel, dm.ts).text))
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=BOB))
    running.settled()
    assert member(BOB)


def test_admins_get_one_dm_however_many_are_refused(running):
    code = paused_after_one_join(running)
    running.reply_to(running.command(f"join {code}", user_id=CAROL))
    running.settled()
    dms = [m for m in running.slack.messages_to(ADMIN) if "is paused" in m.text]
    assert len(dms) == 1 and not member(BOB) and not member(CAROL)


def test_link_resume_from_the_command(running):
    set_up(running)
    refused = running.reply_to(running.command("link resume"))
    assert "isn't paused" in refused
    Team.update(link_joins_per_hour=1).execute()
    code = code_in(running.reply_to(running.command("link")))
    running.reply_to(running.command(f"join {code}", user_id=ALICE))
    running.reply_to(running.command(f"join {code}", user_id=BOB))
    assert "don't have permission" in running.reply_to(
        running.command("link resume", user_id=ALICE)
    )
    resumed = running.reply_to(running.command("link resume Design"))
    assert "works again" in resumed and "pauses itself after 1 joins" in resumed
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=BOB))


def test_reset_link_in_the_dm_kills_the_code_and_a_second_click_changes_nothing(running):
    old = paused_after_one_join(running)
    dm = pause_dm(running)
    stale = copy.deepcopy(dm)  # as a second click sees it, before the update arrives
    running.requests.click(dm, "link_reset", user_id=ADMIN)
    running.delivered(lambda: "reset it" in running.slack.message(dm.channel, dm.ts).text)
    new = code_in(running.reply_to(running.command("link")))
    assert new != old
    running.requests.click(stale, "link_reset", user_id=ADMIN)
    running.settled()
    assert code_in(running.reply_to(running.command("link"))) == new
    assert "was reset" in running.reply_to(running.command(f"join {old}", user_id=BOB))
    assert "Welcome" in running.reply_to(running.command(f"join {new}", user_id=BOB))
