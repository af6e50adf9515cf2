"""The command language for access that ends: `for N days`, `until DATE`, `extend`."""

from datetime import date

import pytest

from bot.teams.access_term import AccessTerm
from handlers.command_language import CommandError, ExtendAccess, Invite, UserTarget, parse

ALICE = UserTarget("U0ALICE1", None)


def test_any_invite_form_takes_for_n_days_or_until_a_date():
    assert parse("<@U0ALICE1> as member for 30 days to Design") == Invite(
        (ALICE,), "Design", ("member",), None, AccessTerm(days=30)
    )
    assert parse("a@x.com until 2026-12-31").term == AccessTerm(until=date(2026, 12, 31))
    assert parse("<@U0ALICE1> for 1 day").term == AccessTerm(days=1)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("<@U0ALICE1> for 0 days", "“0”"),
        ("<@U0ALICE1> for 366 days", "“366”"),
        ("<@U0ALICE1> for 3", "“3” needs more"),
        ("<@U0ALICE1> until 2026-02-30", "“2026-02-30”"),
        ("<@U0ALICE1> until tomorrow", "“tomorrow”"),
        ("<@U0ALICE1> for 3 days until 2026-12-01", "not both"),
    ],
)
def test_a_bad_end_names_the_word_and_the_form(text, named):
    with pytest.raises(CommandError) as refused:
        parse(text)
    assert named in refused.value.message


def test_extend_takes_days_a_date_or_permanent():
    assert parse("extend <@U0ALICE1> in Design 30 days") == ExtendAccess(
        ALICE, AccessTerm(days=30), "Design"
    )
    assert parse("extend <@U0ALICE1> permanent") == ExtendAccess(ALICE, AccessTerm())
    assert parse("extend <@U0ALICE1> until 2027-01-01").term == AccessTerm(until=date(2027, 1, 1))
    with pytest.raises(CommandError, match="permanent"):
        parse("extend <@U0ALICE1>")
