import pytest

from config import SettingsError, load_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


def test_defaults_are_sqlite_http_on_3000_and_slacks_api():
    settings = load_settings(BASE)
    assert settings.database_url == "sqlite:///lobby.db"
    assert settings.port == 3000 and not settings.socket_mode
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.team_defaults.invitation_expiry_days == 7


def test_an_app_token_selects_socket_mode_without_a_signing_secret():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode and settings.signing_secret is None


def test_the_api_url_gets_its_trailing_slash():
    assert load_settings({**BASE, "SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == (
        "http://127.0.0.1:9/api/"
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("LOBBY_DEFAULT_INVITE_POLICY", "everyone"),
        ("LOBBY_DEFAULT_INVITATION_EXPIRY_DAYS", "0"),
        ("SLACK_API_URL", "ftp://x"),
    ],
)
def test_malformed_settings_are_named(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({**BASE, name: value})


def test_a_dotenv_file_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=s\n")
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings().bot_token == "xoxb-from-file"


@pytest.mark.parametrize(
    "env, said",
    [
        (
            {},
            "SLACK_BOT_TOKEN is not set: the Bot User OAuth Token (xoxb-…) from your Slack app's"
            " OAuth & Permissions page",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET is not set: the Signing Secret from"
            " your Slack app's Basic Information page",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "x"},
            "SLACK_APP_TOKEN must start with"
            " xapp-: an App-Level Token (xapp-…) with connections:write",
        ),
    ],
)
def test_a_missing_slack_setting_says_where_its_value_comes_from(env, said):
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    assert said in str(raised.value) and "\n" not in str(raised.value)


KEY = "x1UJ1pV8z2hQ0sA8m5JkqJ0cH0A2Kk3c3lVw0yX9Q2E="  # a Fernet key: 32 bytes, url-safe base64
OAUTH = {
    "SLACK_CLIENT_ID": "1.2",
    "SLACK_CLIENT_SECRET": "s3cr3t",
    "SLACK_SIGNING_SECRET": "secret",
    "LOBBY_ENCRYPTION_KEY": KEY,
}


def test_a_bot_token_is_the_single_workspace_app():
    settings = load_settings(BASE)
    assert not settings.distributable and settings.encryption_keys == ()


def test_client_id_secret_and_key_without_a_bot_token_is_the_distributable_app():
    settings = load_settings(OAUTH)
    assert settings.distributable and settings.bot_token is None
    assert (settings.client_id, settings.client_secret) == ("1.2", "s3cr3t")
    assert settings.encryption_keys == (KEY,) and settings.retention_days == 30


def test_both_modes_at_once_say_what_each_needs():
    with pytest.raises(SettingsError) as both:
        load_settings({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"})
    assert "both set" in str(both.value) and "LOBBY_ENCRYPTION_KEY" in str(both.value)
    assert "\n" not in str(both.value)


def test_neither_mode_says_what_each_needs():
    with pytest.raises(SettingsError) as neither:
        load_settings({"SLACK_SIGNING_SECRET": "secret"})
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        assert name in str(neither.value)


@pytest.mark.parametrize(
    "name", ["SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET", "LOBBY_ENCRYPTION_KEY"]
)
def test_the_distributable_app_names_a_missing_setting(name):
    with pytest.raises(SettingsError, match=f"^{name} not set"):
        load_settings({key: value for key, value in OAUTH.items() if key != name})


@pytest.mark.parametrize("key", ["not-a-key", KEY[:-4], f"{KEY},short"])
def test_a_malformed_encryption_key_is_named(key):
    with pytest.raises(SettingsError, match="^LOBBY_ENCRYPTION_KEY must be Fernet keys"):
        load_settings({**OAUTH, "LOBBY_ENCRYPTION_KEY": key})


def test_a_second_key_is_kept_for_decrypting_during_a_rotation():
    old = "b" * 43 + "="
    assert load_settings({**OAUTH, "LOBBY_ENCRYPTION_KEY": f"{KEY}, {old}"}).encryption_keys == (
        KEY,
        old,
    )


def test_the_distributable_app_refuses_one_workspaces_join_link():
    with pytest.raises(SettingsError, match="^SLACK_JOIN_URL is set"):
        load_settings({**OAUTH, "SLACK_JOIN_URL": "https://join.slack.com/t/acme/x"})


def test_the_distributable_app_refuses_socket_mode():
    with pytest.raises(SettingsError, match="^SLACK_APP_TOKEN is set"):
        load_settings({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"})
