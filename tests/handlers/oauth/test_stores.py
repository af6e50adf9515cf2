"""The installation and OAuth state stores, on SQLite and PostgreSQL."""

import time

import pytest
from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Installation

from handlers.oauth.cipher import TokenCipher
from handlers.oauth.stores import DatabaseInstallationStore, DatabaseOAuthStateStore
from storage.installations import Installation as InstallationRow

KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
BOT_TOKEN = "xoxb-T0ONE-very-secret-bot-token"
REFRESH_TOKEN = "xoxe-1-very-secret-refresh-token"


def installation(team_id="T0ONE", token=BOT_TOKEN, **extra) -> Installation:
    return Installation(
        app_id="A0LOBBY",
        team_id=team_id,
        team_name="Acme",
        bot_token=token,
        bot_id="B0LOBBY",
        bot_user_id="U0LOBBYBOT",
        bot_scopes="chat:write,commands",
        bot_refresh_token=REFRESH_TOKEN,
        bot_token_expires_in=43_200,
        user_id="U0INSTALLER",
        installed_at=time.time(),
        **extra,
    )


@pytest.fixture
def store(database):
    return DatabaseInstallationStore(TokenCipher((KEY,)))


def test_a_saved_installation_is_found_with_its_tokens(store):
    saved = installation()
    store.save(saved)
    found = store.find_installation(enterprise_id=None, team_id="T0ONE")
    assert (found.bot_token, found.bot_refresh_token) == (BOT_TOKEN, REFRESH_TOKEN)
    assert found.bot_scopes == ["chat:write", "commands"] and found.team_name == "Acme"
    assert found.bot_token_expires_at == saved.bot_token_expires_at
    bot = store.find_bot(enterprise_id=None, team_id="T0ONE")
    assert (bot.bot_token, bot.bot_user_id) == (BOT_TOKEN, "U0LOBBYBOT")


def test_another_workspace_finds_nothing(store):
    store.save(installation())
    assert store.find_bot(enterprise_id=None, team_id="T0TWO") is None
    assert store.find_installation(enterprise_id="E0ORG", team_id="T0ONE") is None


def test_a_reinstall_or_rotated_token_replaces_the_workspaces_installation(store):
    store.save(installation())
    store.save(installation(token="xoxb-T0ONE-rotated"))
    assert InstallationRow.select().count() == 1
    assert store.find_bot(enterprise_id=None, team_id="T0ONE").bot_token == "xoxb-T0ONE-rotated"


def test_deleting_a_workspace_leaves_the_others(store):
    store.save(installation())
    store.save(installation(team_id="T0TWO", token="xoxb-T0TWO"))
    store.delete_all(enterprise_id=None, team_id="T0ONE")
    assert store.find_bot(enterprise_id=None, team_id="T0ONE") is None
    assert store.find_bot(enterprise_id=None, team_id="T0TWO").bot_token == "xoxb-T0TWO"
    store.delete_bot(enterprise_id=None, team_id="T0TWO")
    assert store.find_installation(enterprise_id=None, team_id="T0TWO") is None


def test_a_revoked_user_token_leaves_the_bot(store):
    store.save(installation(user_token="xoxp-user"))
    store.delete_installation(enterprise_id=None, team_id="T0ONE", user_id="U0INSTALLER")
    found = store.find_installation(enterprise_id=None, team_id="T0ONE")
    assert found.user_token is None and found.bot_token == BOT_TOKEN


def test_tokens_are_unreadable_without_the_key(store):
    store.save(installation())
    row = InstallationRow.get()
    assert BOT_TOKEN not in row.secrets + row.details and REFRESH_TOKEN not in row.secrets
    with pytest.raises(InvalidToken):
        TokenCipher((OLD_KEY,)).open(row.secrets)


def test_a_new_key_first_still_reads_rows_of_the_old_and_reseal_moves_them(database):
    DatabaseInstallationStore(TokenCipher((OLD_KEY,))).save(installation())
    rotated = DatabaseInstallationStore(TokenCipher((KEY, OLD_KEY)))
    assert rotated.find_bot(enterprise_id=None, team_id="T0ONE").bot_token == BOT_TOKEN
    assert rotated.reseal_all() == 1
    new_only = DatabaseInstallationStore(TokenCipher((KEY,)))
    assert new_only.find_bot(enterprise_id=None, team_id="T0ONE").bot_token == BOT_TOKEN


def test_token_bytes_never_reach_the_sqlite_file(tmp_path):
    from tests.support.database import close_database, open_database

    path = tmp_path / "tokens.db"
    open_database(f"sqlite:///{path}")
    try:
        DatabaseInstallationStore(TokenCipher((KEY,))).save(installation())
    finally:
        close_database()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("tokens.db*"))
    assert b"U0LOBBYBOT" in stored  # the row is there
    assert b"very-secret" not in stored and BOT_TOKEN.encode() not in stored


def test_a_state_is_consumed_once(database, clock):
    states = DatabaseOAuthStateStore(clock)
    state = states.issue()
    assert states.consume(state) and not states.consume(state)


def test_a_state_from_another_instance_is_consumed_here(database, clock):
    state = DatabaseOAuthStateStore(clock).issue()
    assert DatabaseOAuthStateStore(clock).consume(state)


def test_a_forged_state_is_refused(database, clock):
    assert not DatabaseOAuthStateStore(clock).consume("forged")


def test_a_state_expires_after_ten_minutes(database, clock):
    states = DatabaseOAuthStateStore(clock)
    fresh, stale = states.issue(), states.issue()
    clock.advance(minutes=9, seconds=59)
    assert states.consume(fresh)
    clock.advance(seconds=1)
    assert not states.consume(stale)
