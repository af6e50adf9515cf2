"""SMTP_URL: parsed and checked by config, so the mailer gets a server it can use."""

import pytest

from config import SettingsError, load_settings, parse_smtp_url

PASSWORD = "s3cret-pw"
BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example.com", ("mail.example.com", 25, False, False, None, None)),
        ("smtp://mail.example.com:2525/", ("mail.example.com", 2525, False, False, None, None)),
        (
            "smtp://mail.example.com:587?starttls=1",
            ("mail.example.com", 587, False, True, None, None),
        ),
        ("smtps://mail.example.com", ("mail.example.com", 465, True, False, None, None)),
        (
            "smtps://me%40corp:p%40ss%3Aw%2Frd@Mail.Example.com:1465",
            ("mail.example.com", 1465, True, False, "me@corp", "p@ss:w/rd"),
        ),
        ("smtp://[::1]:2525", ("::1", 2525, False, False, None, None)),
    ],
)
def test_smtp_url_parses_each_form(url, expected):
    server = parse_smtp_url(url)
    got = (server.host, server.port, server.implicit_tls, server.starttls, server.username)
    assert got + (server.password,) == expected


def test_the_sender_comes_from_the_url_or_the_host():
    assert parse_smtp_url("smtp://[::1]").sender == "lobby@[IPv6:::1]"
    assert parse_smtp_url("smtp://mail.example.com").sender == "lobby@mail.example.com"
    server = parse_smtp_url("smtps://u:p@mail.example.com?from=invites%40acme.test")
    assert server.sender == "invites@acme.test"


@pytest.mark.parametrize(
    "url",
    [
        f"http://lobby:{PASSWORD}@mail.example.com",
        f"lobby:{PASSWORD}@mail.example.com",
        f"smtp://lobby:{PASSWORD}@",
        f"smtp://lobby:{PASSWORD}@:25",
        f"smtp://lobby:{PASSWORD}@mail.example.com:abc",
        f"smtp://lobby:{PASSWORD}@mail.example.com:0",
        f"smtp://lobby:{PASSWORD}@mail.example.com:70000",
        f"smtp://lobby:{PASSWORD}@mail.example.com:",
        f"smtp://lobby:{PASSWORD}@[::1",
        f"smtp://lobby:{PASSWORD}#x@mail.example.com",
        f"smtp://lobby:{PASSWORD}/x@mail.example.com",
        f"smtp://lobby:{PASSWORD}@mail.example.com/inbox",
        f"smtp://lobby:{PASSWORD}@mail.example.com?from=not-an-address",
        f"smtp://lobby:{PASSWORD}@mail.example.com?starttls=maybe",
        f"smtp://lobby:{PASSWORD}@mail.example.com?form=lobby@example.com",
        f"smtps://lobby:{PASSWORD}@mail.example.com?starttls=1",
        f"smtp://:{PASSWORD}@mail.example.com",
        "smtp://lobby@mail.example.com",
        "smtp://mail example.com",
        "",
    ],
)
def test_smtp_url_refuses_malformed_urls_without_revealing_the_password(url):
    with pytest.raises(SettingsError) as refused:
        parse_smtp_url(url)
    message = str(refused.value)
    assert message.startswith("SMTP_URL ")
    assert "\n" not in message
    assert PASSWORD not in message


def test_the_password_is_not_in_the_servers_repr():
    server = parse_smtp_url(f"smtps://lobby:{PASSWORD}@mail.example.com")
    assert PASSWORD not in repr(server)
    assert "lobby:***@mail.example.com" in repr(server)


def test_a_malformed_smtp_url_stops_the_settings():
    with pytest.raises(SettingsError, match="SMTP_URL has no host"):
        load_settings({**BASE, "SMTP_URL": f"smtp://lobby:{PASSWORD}@"})
    assert load_settings({**BASE, "SMTP_URL": "smtp://mail.example.com"}).smtp.port == 25
