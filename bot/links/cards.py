"""Join cards: what they show, and re-rendering them when that changes."""

from dataclasses import dataclass
from datetime import datetime

from bot.outbox.claims import card_subject, messages_about, notices
from bot.seats.use import seat_limit, seat_use, seats_line
from bot.teams.membership import root_of
from storage.models import InviteCode, Team


@dataclass(frozen=True)
class CardFacts:
    """What a join card shows."""

    team_id: int
    team: str
    code: str
    joinable: bool  # link joins are open and a seat is free: the card carries Join
    seats_line: str | None = None  # shown when the team is full
    paused: bool = False  # the hourly join limit paused the link
    waitlist: bool = False  # full, and link joins not disabled: the card offers the waitlist


def card_facts(team: Team, now: datetime) -> CardFacts:
    root = root_of(team)
    use = seat_use(root, now)
    code = InviteCode.current(root)
    paused = code.paused_at is not None
    return CardFacts(
        team_id=root.id,
        team=root.name,
        code=code.code,
        joinable=root.link_policy == "open" and not use.full and not paused,
        seats_line=seats_line(use) if use.full else None,
        paused=paused,
        waitlist=use.full and root.link_policy != "disabled",
    )


def render_cards(team: Team, now: datetime) -> None:
    """Record a re-render of every join card of the team, if it has any."""
    root = root_of(team)
    if not messages_about(card_subject(root.id)):
        return
    facts = card_facts(root, now)
    notice = notices.RenderJoinCards(
        team_id=facts.team_id,
        team=facts.team,
        code=facts.code,
        joinable=facts.joinable,
        seats_line=facts.seats_line,
        paused=facts.paused,
        waitlist=facts.waitlist,
    )
    notices.record(root.workspace_id, notice, now)


def refresh_cards(team: Team, now: datetime) -> None:
    """Re-render the cards when the team becomes full or stops being full (Block Kit has
    no disabled button, so a full team's cards lose their Join button). A team with
    no card skips the seat count, which grows with its pending invitations."""
    root = Team.get_by_id(root_of(team).id)
    if not root.cards_show_full and seat_limit(root, now)[1] is None:
        return  # never full, and its cards say so already
    if not messages_about(card_subject(root.id)):
        return
    full = seat_use(root, now).full
    if full == root.cards_show_full:
        return
    _note_cards_show_full(root, full)
    render_cards(root, now)


def card_posted(team: Team, now: datetime) -> None:
    """A new card shows whether the team is full now: refresh_cards starts from that."""
    root = root_of(team)
    _note_cards_show_full(root, seat_use(root, now).full)


def _note_cards_show_full(root: Team, full: bool) -> None:
    Team.update(cards_show_full=full).where(Team.id == root.id).execute()
