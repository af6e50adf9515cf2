"""Start-up on an existing database: a database made by the migrations up to 0011 (before
access that ends, link pause and domains, sponsor review, role requests, notes and the
waitlist), with a team, its Owner, a member and a pending join request in it, is brought
up to date by `init_db`, as `python app.py` does, and keeps its rows."""

from datetime import datetime, timedelta

import pytest
from playhouse.db_url import connect
from playhouse.migrations import Runner

from bot.service import Lobby
from storage.db import MIGRATIONS_DIR, init_db
from storage.models import JoinRequest, Membership, RoleRequest, Team, WaitlistEntry
from tests.conftest import actor
from tests.support.clock import ManualClock
from tests.support.database import close_database, database_url

BEFORE_THIS_ROUND = "0011_installations"
THEN = datetime(2026, 11, 1, 9, 0)
ROWS_OF_THEN = [
    (
        "INSERT INTO team (workspace_id, name, name_key, description, created_at, created_by, "
        "invite_policy, link_policy, invitation_expiry_days, request_expiry_days, "
        "request_cooldown_days, default_role, daily_invite_limit, digest_enabled, plan, "
        "cards_show_full) "
        "VALUES ('T0LOBBY', 'Design', 'design', '', %s, 'UOWNER', 'managers', 'open', 7, 14, "
        "7, 'member', 100, %s, 'enterprise', %s)",
        (THEN, False, False),
    ),
    *(
        (
            "INSERT INTO membership (workspace_id, team_id, user_id, joined_at, joined_via, "
            "added_by) SELECT 'T0LOBBY', id, %s, %s, 'invitation', 'UOWNER' FROM team",
            (user_id, THEN),
        )
        for user_id in ("UOWNER", "UALICE")
    ),
    *(
        (
            "INSERT INTO member_role (workspace_id, membership_id, role) "
            "SELECT 'T0LOBBY', id, %s FROM membership WHERE user_id = %s",
            (role, user_id),
        )
        for user_id, role in (("UOWNER", "owner"), ("UALICE", "member"))
    ),
    (
        "INSERT INTO join_request (workspace_id, team_id, requester_user_id, status, "
        "created_at, expires_at) SELECT 'T0LOBBY', id, 'UBOB', 'pending', %s, %s FROM team",
        (THEN, THEN + timedelta(days=14)),
    ),
]


def make_old_database(url: str) -> None:
    """The schema up to BEFORE_THIS_ROUND, with rows as the app of then wrote them."""
    database = connect(url)
    with database.connection_context():
        Runner(database, directory=str(MIGRATIONS_DIR)).up(target=BEFORE_THIS_ROUND)
        for sql, params in ROWS_OF_THEN:
            database.execute_sql(sql.replace("%s", database.param), params)
    database.close()


@pytest.fixture(params=["sqlite", "postgres"])
def old_database_url(request, tmp_path):
    url = database_url(request.param, tmp_path)
    make_old_database(url)
    yield url
    close_database()


def test_start_up_brings_an_existing_database_up_to_date_and_keeps_its_rows(old_database_url):
    database = init_db(old_database_url)
    database.connect(reuse_if_open=True)
    migrations = Runner(database, directory=str(MIGRATIONS_DIR)).status()
    applied = {row.name for row in migrations if row.applied}
    assert {"0020_access_that_ends", "0040_sponsor_review", "0043_waitlist"} <= applied

    team = Team.get(Team.name == "Design")
    assert (team.note_required, team.link_joins_per_hour, team.link_domains) == (False, 25, None)
    assert [m.ends_at for m in Membership.select()] == [None, None]  # permanent, as before
    assert JoinRequest.get().requester_user_id == "UBOB"

    lobby = Lobby(clock=ManualClock(THEN + timedelta(days=1)))
    request = lobby.role_requests.ask(
        actor=actor("UALICE"), role="manager", team_name=None, note=None
    )
    assert RoleRequest.get_by_id(request.id).status == "pending"
    assert WaitlistEntry.select().count() == 0
