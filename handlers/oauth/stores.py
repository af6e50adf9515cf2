"""slack_sdk's InstallationStore and OAuthStateStore, kept in Lobby's database.

One installation per workspace (or Enterprise Grid org): a re-install or a rotated
token replaces it. Lobby installs a bot only; a user token, if Slack ever returns one,
is kept beside it. Tokens and refresh tokens are encrypted with `TokenCipher`.
"""

import json
import logging
import secrets
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.clock import Clock
from handlers.oauth.cipher import TokenCipher
from storage.db import connected, db
from storage.installations import Installation as InstallationRow
from storage.installations import OAuthState

log = logging.getLogger(__name__)
SECRET_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
STATE_SECONDS = 600  # Slack's flow must come back within 10 minutes


def _key(enterprise_id: str | None, team_id: str | None, is_enterprise_install=False):
    team = None if is_enterprise_install else team_id
    return enterprise_id or "", team or ""


class DatabaseInstallationStore(InstallationStore):
    def __init__(self, cipher: TokenCipher):
        self.cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        values = installation.to_dict_for_copying()
        sealed = {name: values.pop(name, None) for name in SECRET_FIELDS}
        details = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
        enterprise_key, team_key = _key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        installed_at = datetime.fromtimestamp(installation.installed_at, UTC).replace(tzinfo=None)
        with connected(db):
            InstallationRow.put(
                enterprise_key,
                team_key,
                installed_at=installed_at,
                details=json.dumps(details),
                secrets=self.cipher.seal(sealed),
            )

    def save_bot(self, bot: Bot) -> None:
        """Bolt saves the installation (bot included); a bot alone replaces its token."""
        found = self.find_installation(enterprise_id=bot.enterprise_id, team_id=bot.team_id)
        if found is None:
            return
        found.bot_token, found.bot_refresh_token = bot.bot_token, bot.bot_refresh_token
        found.bot_token_expires_at = bot.bot_token_expires_at
        self.save(found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        with connected(db):
            row = InstallationRow.of(*_key(enterprise_id, team_id, is_enterprise_install))
        if row is None:
            return None
        values = {**json.loads(row.details), **self.cipher.open(row.secrets)}
        if user_id is not None and values.get("user_id") != user_id:
            return None
        return Installation(**values)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = self.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if installation is None or installation.bot_token is None:
            return None
        return installation.to_bot()

    def lock(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Inside the caller's transaction: no other instance changes this installation."""
        InstallationRow.lock(*_key(enterprise_id, team_id))

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Without a user: the workspace's installation. With one: only that person's
        user token, if they installed it; the bot stays."""
        if user_id is None:
            self.delete_all(enterprise_id=enterprise_id, team_id=team_id)
            return
        found = self.find_installation(enterprise_id=enterprise_id, team_id=team_id)
        if found is not None and found.user_id == user_id and found.user_token:
            found.user_token = found.user_refresh_token = found.user_token_expires_at = None
            self.save(found)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Lobby is its bot: without the bot token the installation serves nothing."""
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        with db.connection_context():
            InstallationRow.remove(*_key(enterprise_id, team_id))

    def reseal_all(self) -> int:
        """Re-encrypt every installation under the first key (a key rotation's last step)."""
        with db.connection_context(), db.atomic():
            rows = list(InstallationRow.select())
            for row in rows:
                row.secrets = self.cipher.reseal(row.secrets)
                row.save()
        return len(rows)


class DatabaseOAuthStateStore(OAuthStateStore):
    """A state is issued once, consumed once, within STATE_SECONDS, by any instance."""

    def __init__(self, clock: Clock, expiration_seconds: int = STATE_SECONDS):
        self.clock = clock
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args, **kwargs) -> str:
        state = secrets.token_urlsafe(32)
        with db.connection_context():
            OAuthState.create(state=state, expires_at=self.clock.now() + self.expiration)
        return state

    def consume(self, state: str) -> bool:
        with db.connection_context():
            return OAuthState.consume(state, self.clock.now())
