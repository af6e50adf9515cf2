"""Token rotation against the stand-in: a bot token near its end is renewed before use,
once across threads, and stored encrypted (SQLite and PostgreSQL)."""

import threading
from datetime import UTC

import pytest
from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation

from handlers.oauth.cipher import TokenCipher
from handlers.oauth.rotation import BotTokens
from handlers.oauth.stores import DatabaseInstallationStore
from storage.db import db
from storage.installations import Installation as InstallationRow

KEY = Fernet.generate_key().decode()


def epoch(clock) -> float:
    return clock.now().replace(tzinfo=UTC).timestamp()


@pytest.fixture
def tokens(database, slack, clock) -> BotTokens:
    """The stand-in's workspace installed with rotation on, Slack's time the app's."""
    slack.oauth.rotation, slack.oauth.clock = True, lambda: epoch(clock)
    client = WebClient(base_url=slack.api_url)
    secret = {"client_id": slack.oauth.client_id, "client_secret": slack.oauth.client_secret}
    granted = client.oauth_v2_access(code=slack.oauth.issue_code(slack, "U0ADMIN1"), **secret)
    store = DatabaseInstallationStore(TokenCipher((KEY,)))
    store.save(
        Installation(
            app_id=granted["app_id"],
            team_id=slack.team_id,
            bot_token=granted["access_token"],
            bot_refresh_token=granted["refresh_token"],
            bot_token_expires_at=int(epoch(clock)) + granted["expires_in"],
            bot_user_id=granted["bot_user_id"],
            bot_scopes=granted["scope"],
            user_id="U0ADMIN1",
            installed_at=epoch(clock),
        )
    )
    db.close()  # each thread below opens its own connection
    return BotTokens(store, client=client, clock=clock, **secret)


def refreshes(slack) -> list:
    return [
        c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"
    ]


def test_a_token_far_from_its_end_is_used_as_it_is(tokens, slack, clock):
    first = tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token
    clock.advance(hours=9, minutes=59)
    assert tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token == first
    assert refreshes(slack) == []


def test_a_token_within_two_hours_of_its_end_is_renewed_and_stored_encrypted(tokens, slack, clock):
    first = tokens.bot(enterprise_id=None, team_id=slack.team_id)
    clock.advance(hours=10, minutes=1)
    renewed = tokens.bot(enterprise_id=None, team_id=slack.team_id)
    assert renewed.bot_token == slack.token != first.bot_token
    assert renewed.bot_token_expires_at == int(epoch(clock)) + 43_200
    assert tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token == slack.token
    assert len(refreshes(slack)) == 1
    with db.connection_context():
        row = InstallationRow.get()
    assert renewed.bot_token not in row.secrets and renewed.bot_refresh_token not in row.secrets
    assert TokenCipher((KEY,)).open(row.secrets)["bot_refresh_token"] == (renewed.bot_refresh_token)
    clock.advance(hours=2)
    with pytest.raises(SlackApiError) as expired:
        WebClient(token=first.bot_token, base_url=slack.api_url).auth_test()
    assert expired.value.response["error"] == "token_expired"


def test_threads_renewing_at_once_trade_the_single_use_refresh_token_once(tokens, slack, clock):
    clock.advance(hours=11)
    slack.oauth.refresh_latency = 0.3  # the others reach the renewal meanwhile
    go, seen, failed = threading.Barrier(8), [], []

    def use() -> None:
        go.wait()
        try:
            seen.append(tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token)
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            failed.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failed == []
    assert seen == [slack.token] * 8
    assert len(refreshes(slack)) == 1


def test_a_renewal_slack_refuses_keeps_the_token_until_the_next_use_renews_it(tokens, slack, clock):
    first = tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token
    clock.advance(hours=11)
    secret, slack.oauth.client_secret = slack.oauth.client_secret, "rotated-in-slack"
    assert tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token == first
    assert WebClient(token=first, base_url=slack.api_url).auth_test()["ok"]  # still valid
    slack.oauth.client_secret = secret
    assert tokens.bot(enterprise_id=None, team_id=slack.team_id).bot_token == slack.token != first
