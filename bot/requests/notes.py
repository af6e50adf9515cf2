"""Notes on requests: a team may require one on every join and role request."""

from bot.errors import NoteRequired
from bot.teams.membership import root_of
from storage.models import Team


def check_note(team: Team, note: str | None, role: str | None = None) -> None:
    """The one check of every request path (command, modal, card, link turned request);
    `role` for a role request."""
    if root_of(team).note_required and not (note or "").strip():
        raise NoteRequired(team=team.name, role=role)
