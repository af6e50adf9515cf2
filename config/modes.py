"""The two ways Lobby runs: in one workspace with a bot token from the environment, or
as a distributable app installed with "Add to Slack" (OAuth) in many workspaces."""

from cryptography.fernet import Fernet

from config.errors import SettingsError

SINGLE = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
DISTRIBUTABLE = (
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "LOBBY_ENCRYPTION_KEY",
)
OAUTH_ONLY = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "LOBBY_ENCRYPTION_KEY")
WHICH = (
    "set either SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (one workspace), or "
    "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET and LOBBY_ENCRYPTION_KEY "
    "without SLACK_BOT_TOKEN (installed in many workspaces)"
)


def distributable(env: dict[str, str]) -> bool:
    """True for the OAuth app; SettingsError when the settings name both modes or neither."""
    has_token = "SLACK_BOT_TOKEN" in env
    oauth = [name for name in OAUTH_ONLY if name in env]
    if has_token and oauth:
        raise SettingsError(f"{', '.join(oauth)} and SLACK_BOT_TOKEN are both set: {WHICH}")
    if has_token:
        return False
    if not oauth:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set: the Bot User OAuth Token (xoxb-…) from your Slack "
            "app's OAuth & Permissions page, for one workspace; or, for an app installed in "
            "many workspaces, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET and "
            "LOBBY_ENCRYPTION_KEY; see README"
        )
    missing = [name for name in DISTRIBUTABLE if name not in env]
    if missing:
        raise SettingsError(f"{', '.join(missing)} not set: {WHICH}")
    if "SLACK_APP_TOKEN" in env:
        raise SettingsError(
            "SLACK_APP_TOKEN is set: the app installed in many workspaces serves HTTP "
            "(Slack does not distribute Socket Mode apps); unset it"
        )
    if "SLACK_JOIN_URL" in env:
        raise SettingsError(
            "SLACK_JOIN_URL is set: it is one workspace's join link, and the app installed "
            "in many workspaces names each invitee's own workspace in its emails; unset it"
        )
    return True


def encryption_keys(env: dict[str, str]) -> tuple[str, ...]:
    """LOBBY_ENCRYPTION_KEY: Fernet keys, comma-separated; the first encrypts, every one
    decrypts (put a new key first to rotate; see the README)."""
    keys = tuple(key.strip() for key in env["LOBBY_ENCRYPTION_KEY"].split(",") if key.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                "LOBBY_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes; "
                "make one with Fernet.generate_key()), comma-separated"
            ) from None
    if not keys:
        raise SettingsError("LOBBY_ENCRYPTION_KEY is not set")
    return keys
