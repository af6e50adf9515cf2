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
            " OAuth & Permissions page; see README",
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
