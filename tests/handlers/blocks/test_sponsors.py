"""The sponsor review DM: valid Block Kit whatever the number of rows, decided rows say by
whom, and the team's name is escaped."""

from bot.teams.sponsors import ReviewRow, ReviewState
from handlers.blocks import sponsors
from handlers.blocks.teams import members_list
from tests.support.blockkit import assert_valid_message_blocks


def review(rows, how="removed"):
    return ReviewState(
        review_id=1, team="a<b", departed="UALICE", how=how, removed_by="UOWNER", rows=rows
    )


def buttons(message):
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_long_review_stays_under_slacks_block_limit_and_says_how_many_wait():
    rows = [ReviewRow(i, f"U{i:03}", None, None) for i in range(60)]
    rows += [ReviewRow(100 + i, f"UD{i:03}", "keep", "UOWNER") for i in range(60)]
    message = sponsors.sponsor_review(review(rows))
    assert_valid_message_blocks(message["blocks"])
    assert len(message["blocks"]) <= 50
    assert len(buttons(message)) == 2 * sponsors.ROWS_SHOWN
    text = str(message["blocks"])
    assert "38 more to review" in text and "…and 20 more decided." in text
    assert "a&lt;b" in message["text"] and "by <@UOWNER>" in message["text"]


def test_decided_rows_lose_their_buttons_and_say_who_decided():
    rows = [ReviewRow(1, "UBOB", "remove", "UOWNER"), ReviewRow(2, "UCAROL", "keep", "UADMIN")]
    message = sponsors.sponsor_review(review(rows, how="access_ended"))
    assert buttons(message) == []
    text = str(message["blocks"])
    assert "<@UBOB> — removed by <@UOWNER>" in text and "<@UCAROL> — kept by <@UADMIN>" in text
    assert "Every member they brought in has been reviewed." in text
    assert "<@UALICE>'s access to" in message["text"]


def test_the_members_list_says_who_brought_each_person_in():
    message = members_list(
        "Design",
        {"UO": ["owner"], "UA": ["member"], "UB": ["member"], "UC": ["viewer"]},
        {},
        {
            "UO": ("creator", "UO"),
            "UA": ("invitation", "UO"),
            "UB": ("request", "UA"),
            "UC": ("link", None),
        },
    )
    text = message["text"]
    assert "<@UO> — Owner · created the team" in text
    assert "<@UA> — Member · invited by <@UO>" in text
    assert "<@UB> — Member · approved by <@UA>" in text
    assert "<@UC> — Viewer · joined by link" in text
