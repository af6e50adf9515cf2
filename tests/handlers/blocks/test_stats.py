"""The `stats` message: Block Kit Slack accepts, and figures worded as people say them."""

from datetime import datetime, timedelta

import pytest

from bot.errors import NotAllowed
from bot.stats.service import TeamStats, TopInviter
from handlers.blocks.refusals import describe
from handlers.blocks.stats import duration, stats_message
from tests.support.blockkit import assert_valid_message_blocks

NOW = datetime(2026, 11, 23, 9, 0, 0)


def team_stats(**changes) -> TeamStats:
    figures = dict(
        team="Design",
        asked_for="Design",
        since=NOW - timedelta(days=30),
        joins={"invitation": 5, "link": 4, "request": 3},
        sent=9,
        accepted=4,
        expired=2,
        median_to_accept=timedelta(hours=5),
        median_to_decide=timedelta(hours=2, minutes=30),
        link_reset_at=NOW - timedelta(days=20),
        link_joins=2,
        top_inviters=[TopInviter("UADMIN", 2), TopInviter("UMGR1", 2)],
    )
    return TeamStats(**(figures | changes))


def text_of(message: dict) -> str:
    parts = [message["blocks"][0]["text"]["text"]]
    for block in message["blocks"][1:]:
        elements = block.get("elements") or [block["text"]]
        parts += [element["text"] for element in elements]
    return "\n".join(parts)


def test_every_figure_is_shown_in_a_valid_message():
    message = stats_message(team_stats())
    assert_valid_message_blocks(message["blocks"])
    text = text_of(message)
    assert "Invite analytics: Design" in text
    assert "*Joins:* 12 (by invitation 5 · by link 4 · by request 3)" in text
    assert "*Invitations sent:* 9 · accepted 4 · expired 2 · acceptance rate 44%" in text
    assert "to accept an invitation: 5 h · to decide a join request: 2 h 30 min" in text
    assert "*Link:* 2 joined since it was last reset, <!date^" in text
    assert "(accepted invitations): 1. <@UADMIN> 2 · 2. <@UMGR1> 2" in text
    assert "The last 30 days, since <!date^" in text
    assert "sub-team" not in text


def test_nothing_sent_reads_n_a_not_a_division_by_zero():
    quiet = team_stats(
        joins={"invitation": 0, "link": 0, "request": 0},
        sent=0,
        accepted=0,
        expired=0,
        median_to_accept=None,
        median_to_decide=None,
        link_reset_at=None,
        link_joins=0,
        top_inviters=[],
    )
    text = text_of(stats_message(quiet))
    assert "acceptance rate n/a" in text
    assert "to accept an invitation: n/a · to decide a join request: n/a" in text
    assert "*Link:* no invite code yet" in text
    assert "*Top inviters:* no accepted invitations yet" in text


def test_a_sub_team_says_whose_figures_these_are():
    text = text_of(stats_message(team_stats(asked_for="Web")))
    assert "*Web* is a sub-team of *Design*: its members and invitations are *Design*'s." in text


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=7, seconds=50), "7 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=23, minutes=59), "23 h 59 min"),
        (timedelta(days=1, minutes=30), "1 d"),
        (timedelta(days=2, hours=5), "2 d 5 h"),
    ],
)
def test_durations_are_worded_to_the_minute(span, said):
    assert duration(span) == said


def test_the_refusal_names_stats_and_the_team():
    refusal = describe(NotAllowed(action="view_stats", team="Design"))
    assert refusal == "You don't have permission to view stats on *Design*."
