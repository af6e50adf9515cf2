"""Expiring what is due, from stored times, in the database: one conditional UPDATE of
the due rows, and the notices and audit entries built by INSERT … SELECT from them.
Which rows are due is `Invitation.is_due` in a workspace that has not uninstalled the
app (`Departure.still_here`), rendered into this SQL by peewee.

Running late, twice, or on several instances at once is harmless: a row moves from
pending to expired once, and only the rows that moved get their notices. The notice
payloads built here are the fields of notices.InvitationExpired and
notices.InvitationClosed (tests load them back through notices.load).
"""

from datetime import datetime

from peewee import SQL, PostgresqlDatabase

from bot.clock import Clock
from bot.home.refresh import refresh_homes
from bot.links.cards import refresh_cards
from bot.seats.use import lock_team
from bot.seats.waitlist import fill_freed_seats
from storage.db import db
from storage.installations import Departure
from storage.models import Invitation, Team
from storage.statuses import InvitationStatus

NOTICE_COLUMNS = "workspace_id, kind, payload, created_at, status, attempts, next_attempt_at"
AUDIT_COLUMNS = "workspace_id, team_id, team_name, action, target, details, created_at"


def expire_due_invitations(clock: Clock) -> int:
    """Expire every pending invitation past its time; tell each inviter once."""
    now = clock.now()
    sweep = _sweep_postgres if isinstance(db.obj, PostgresqlDatabase) else _sweep_sqlite
    with db.atomic():
        invitees = _due_invitees(now)
        expired_by_team = sweep(now)
        if expired_by_team:
            for team in Team.select().where(Team.id.in_(list(expired_by_team))):
                refresh_cards(team, now)
                refresh_homes(team, now, *invitees.get(team.id, ()))  # once per team
    for team in Team.select().where(Team.id.in_(list(expired_by_team))):
        _fill(team, now)
    return sum(expired_by_team.values())


def _fill(team: Team, now: datetime) -> None:
    """The expired invitations' seats go to the waitlist, one team at a time after the
    sweep committed: the sweep holds invitation rows, and taking team locks while
    holding them would invert the order every other path locks in."""
    with db.atomic():
        lock_team(team)
        fill_freed_seats(team, now)


def _due_invitees(now: datetime) -> dict[int, set[str]]:
    """Whose Homes show the invitations about to expire, per team."""
    due = Invitation.select(Invitation.team, Invitation.invitee_user_id).where(
        _due(now), Invitation.invitee_user_id.is_null(False)
    )
    invitees: dict[int, set[str]] = {}
    for team_id, user_id in due.tuples():
        invitees.setdefault(team_id, set()).add(user_id)
    return invitees


def _notices_from(source: str, json_object: str, param: str, cast: str = "") -> str:
    """SELECT the notices of expired invitations: one to the inviter, one to update the
    invitee's DM (user invitations only)."""
    expired = (
        f"{json_object}('invitation_id', i.id, 'team', t.name, 'inviter', i.inviter_user_id,"
        " 'invitee', i.invitee_user_id, 'email', i.invitee_email)"
    )
    closed = (
        f"{json_object}('invitation_id', i.id, 'generation', i.generation, 'team', t.name,"
        f" 'status', '{InvitationStatus.EXPIRED}', 'decided_by', NULL)"
    )
    return (
        f"SELECT i.workspace_id, 'invitation_expired', {expired}{cast}, {param}, 'pending', 0,"
        f" {param} FROM {source} JOIN team t ON t.id = i.team_id"
        f" UNION ALL SELECT i.workspace_id, 'invitation_closed', {closed}{cast}, {param},"
        f" 'pending', 0, {param} FROM {source} JOIN team t ON t.id = i.team_id"
        " WHERE i.invitee_user_id IS NOT NULL"
    )


def _audit_from(source: str, param: str) -> str:
    return (
        "SELECT i.workspace_id, i.team_id, t.name, 'invitation.expired',"
        " coalesce(i.invitee_user_id, i.invitee_email),"
        f" '{{\"invitation\": ' || i.id || '}}', {param}"
        f" FROM {source} JOIN team t ON t.id = i.team_id"
    )


def _due(now: datetime):
    """Due as the model defines it, in a workspace that has not uninstalled the app."""
    return Invitation.is_due(now) & Departure.still_here(Invitation.workspace_id)


def _expire(now: datetime):
    """The UPDATE that expires what is due."""
    return Invitation.update(
        status=InvitationStatus.EXPIRED, decided_at=Invitation.expires_at
    ).where(_due(now))


def _sweep_postgres(now: datetime) -> dict[int, int]:
    """One statement: the UPDATE … RETURNING feeds both inserts, so only rows this
    transaction moved get notices, whatever other instances do meanwhile. Returns
    how many expired per team."""
    moved, moved_params = (
        _expire(now)
        .returning(
            Invitation.id,
            Invitation.workspace_id,
            Invitation.team,
            Invitation.inviter_user_id,
            Invitation.invitee_user_id,
            Invitation.invitee_email,
            Invitation.generation,
        )
        .sql()
    )
    sql = (
        f"WITH i AS ({moved}),"
        f" n AS (INSERT INTO notice ({NOTICE_COLUMNS})"
        f" {_notices_from('i', 'json_build_object', '%s', '::text')}),"
        f" a AS (INSERT INTO audit_entry ({AUDIT_COLUMNS}) {_audit_from('i', '%s')})"
        " SELECT team_id, count(*) FROM i GROUP BY team_id"
    )
    return dict(db.execute_sql(sql, (*moved_params, *(now,) * 5)).fetchall())


def _sweep_sqlite(now: datetime) -> dict[int, int]:
    """SQLite's BEGIN IMMEDIATE holds the write lock for the whole transaction, so the
    due rows noted first are exactly the rows the UPDATE moves. Returns how many
    expired per team."""
    stamp = Invitation.expires_at.db_value(now)
    source = "expiring JOIN invitation i ON i.id = expiring.id"
    due, due_params = Invitation.select(Invitation.id, Invitation.team).where(_due(now)).sql()
    db.execute_sql(f"CREATE TEMP TABLE expiring AS {due}", due_params)
    try:
        _expire(now).where(Invitation.id.in_(SQL("(SELECT id FROM expiring)"))).execute()
        notices = _notices_from(source, "json_object", "?")
        db.execute_sql(f"INSERT INTO notice ({NOTICE_COLUMNS}) {notices}", (stamp,) * 4)
        db.execute_sql(
            f"INSERT INTO audit_entry ({AUDIT_COLUMNS}) {_audit_from(source, '?')}", (stamp,)
        )
        counts = "SELECT team_id, count(*) FROM expiring GROUP BY team_id"
        return dict(db.execute_sql(counts).fetchall())
    finally:
        db.execute_sql("DROP TABLE expiring")
