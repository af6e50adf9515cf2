"""Sponsor review: the admins' DM listing the members a departed member brought in, each
with Keep and Remove until someone decides it."""

from bot.teams.sponsors import ACCESS_ENDED, KEEP, LEFT_WORKSPACE, ReviewRow, ReviewState
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import actions, button, context, message, section

KEEP_SPONSORED = "sponsor_keep"
REMOVE_SPONSORED = "sponsor_remove"
ROWS_SHOWN = 22  # waiting rows with buttons: two blocks each, under Slack's 50 per message
DECIDED_SHOWN = 40


def departed(review: ReviewState) -> str:
    who, team = md.user(review.departed), md.team(review.team)
    if review.how == LEFT_WORKSPACE:
        return f"{who} left the Slack workspace, and so {team}."
    if review.how == ACCESS_ENDED:
        return f"{who}'s access to {team} ended."
    by = f" by {md.user(review.removed_by)}" if review.removed_by else ""
    return f"{who} was removed from {team}{by}."


def sponsor_review(review: ReviewState) -> dict:
    """Every copy of the review, as it stands: waiting rows with Keep / Remove, decided
    rows saying who decided what."""
    waiting = [row for row in review.rows if row.decision is None]
    decided = [row for row in review.rows if row.decision is not None]
    text = (
        f"{departed(review)} They brought in the members below: keep or remove each. "
        "Nobody is removed until someone clicks Remove."
    )
    blocks = [section(text)]
    for row in waiting[:ROWS_SHOWN]:
        blocks.append(section(f"{md.user(row.user_id)} — brought in by {md.user(review.departed)}"))
        blocks.append(
            actions(
                f"sponsor:{row.row_id}",
                [
                    button("Keep", KEEP_SPONSORED, str(row.row_id)),
                    button("Remove", REMOVE_SPONSORED, str(row.row_id), "danger"),
                ],
            )
        )
    if len(waiting) > ROWS_SHOWN:
        more = len(waiting) - ROWS_SHOWN
        blocks.append(context(f"{more} more to review: they appear here as these are decided."))
    if decided:
        lines = [_decided(row) for row in decided[:DECIDED_SHOWN]]
        if len(decided) > DECIDED_SHOWN:
            lines.append(f"…and {len(decided) - DECIDED_SHOWN} more decided.")
        blocks.append(section("\n".join(lines)))
    if not waiting:
        blocks.append(context("Every member they brought in has been reviewed."))
    return {"text": text, "blocks": blocks}


def _decided(row: ReviewRow) -> str:
    done = "kept" if row.decision == KEEP else "removed"
    return f"• {md.user(row.user_id)} — {done} by {md.user(row.decided_by)}"


def review_gone() -> dict:
    return message("This review is no longer open: its team was deleted.")
