"""Token rotation: with it on, Slack's bot tokens end after 12 hours and a refresh token
(single use) trades for a new pair through `oauth.v2.access` (grant_type=refresh_token).

Every path that needs a workspace's token (Bolt's requests, the runs, the outbox, the
jobs' notices) asks `BotTokens.bot`: a token within RENEW_BEFORE of its end is renewed
first, once across threads and instances, and stored (encrypted) before it is used.
"""

import logging
from datetime import UTC, timedelta
from urllib.error import URLError

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot

from bot.clock import Clock
from handlers.oauth.stores import DatabaseInstallationStore
from storage.db import connected, db

log = logging.getLogger(__name__)
RENEW_BEFORE = timedelta(minutes=120)  # as Bolt's own default


class BotTokens:
    """A workspace's bot, with a token that is not about to end.

    The exchange is slack_sdk's TokenRotator's call made here, because TokenRotator
    decides and dates by the system time and Lobby's times come from its clock."""

    def __init__(
        self,
        store: DatabaseInstallationStore,
        *,
        client_id: str,
        client_secret: str,
        client: WebClient,
        clock: Clock,
    ):
        self.store = store
        self.client_id, self.client_secret = client_id, client_secret
        self.client = client  # no token: oauth.v2.access authenticates the app itself
        self.clock = clock

    def bot(self, *, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """None when the workspace has no installation (never installed, or uninstalled)."""
        found = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if not self._ending(found):
            return found
        with connected(db), db.atomic():
            self.store.lock(enterprise_id=enterprise_id, team_id=team_id)
            # Another thread or instance may have renewed it while this one waited.
            found = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if not self._ending(found):
                return found
            try:
                renewed = self._renewed(found)
            except (SlackApiError, URLError, OSError) as error:
                # Until its end the token still works; the next use tries again.
                log.warning("could not renew the bot token of %s: %r", team_id, error)
                return found
            self.store.save_bot(renewed)
        log.info("renewed the bot token of %s", team_id or enterprise_id)
        return renewed

    def _ending(self, bot: Bot | None) -> bool:
        if bot is None or not bot.bot_refresh_token or bot.bot_token_expires_at is None:
            return False
        return bot.bot_token_expires_at <= self._now() + RENEW_BEFORE.total_seconds()

    def _renewed(self, bot: Bot) -> Bot:
        answer = self.client.oauth_v2_access(
            client_id=self.client_id,
            client_secret=self.client_secret,
            grant_type="refresh_token",
            refresh_token=bot.bot_refresh_token,
        )
        renewed = Bot(**bot.to_dict_for_copying())
        renewed.bot_token = answer["access_token"]
        renewed.bot_refresh_token = answer["refresh_token"]
        renewed.bot_token_expires_at = int(self._now()) + int(answer["expires_in"])
        return renewed

    def _now(self) -> float:
        return self.clock.now().replace(tzinfo=UTC).timestamp()


class WorkspaceAuthorize(Authorize):
    """Bolt's authorize for the distributable app: the workspace's bot from `BotTokens`,
    checked with auth.test as Bolt's own InstallationStoreAuthorize does."""

    def __init__(self, tokens: BotTokens):
        self.tokens = tokens

    def __call__(self, *, context, enterprise_id, team_id, user_id, **_actor):
        bot = self.tokens.bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        try:
            checked = context.client.auth_test(token=bot.bot_token)
        except SlackApiError:
            return None
        return AuthorizeResult.from_auth_test_response(
            auth_test_response=checked, bot_token=bot.bot_token, bot_scopes=bot.bot_scopes
        )
