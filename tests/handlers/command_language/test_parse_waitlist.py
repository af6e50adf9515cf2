"""The command language for the waitlist: `waitlist [TEAM]`, `waitlist join|leave [TEAM]`."""

import pytest

from bot.vocabulary import RESERVED_TEAM_NAMES
from handlers.command_language import (
    CommandError,
    JoinWaitlist,
    LeaveWaitlist,
    ShowWaitlist,
    parse,
)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("waitlist", ShowWaitlist(None)),
        ("waitlist Design", ShowWaitlist("Design")),
        ("Waitlist JOIN", JoinWaitlist(None)),
        ("waitlist join Design", JoinWaitlist("Design")),
        ("waitlist leave", LeaveWaitlist(None)),
        ("waitlist leave design-team", LeaveWaitlist("design-team")),
    ],
)
def test_the_waitlist_forms(text, command):
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("waitlist join Design now", "“now”"),
        ("waitlist Design extra", "“extra”"),
        ("waitlist leave <@U0ALICE1>", "waitlist leave [TEAM]"),
    ],
)
def test_extra_words_are_named_with_the_form(text, named):
    with pytest.raises(CommandError) as refused:
        parse(text)
    assert named in refused.value.message


def test_waitlist_and_leave_cannot_be_team_names():
    assert {"waitlist", "leave", "join"} <= RESERVED_TEAM_NAMES
