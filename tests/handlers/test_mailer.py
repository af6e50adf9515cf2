import smtplib
from datetime import datetime

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from handlers.mailer import Mailer, invitation_email
from tests.support.smtp import free_port, start_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PASSWORD = "s3cret-pw"
EXPIRES = datetime(2026, 11, 30, 14, 5)


def check_credentials(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"lobby"
    # handled=False: aiosmtpd then answers a failure with 535 itself.
    return AuthResult(success=ok and auth_data.password == PASSWORD.encode(), handled=False)


@pytest.fixture
def server():
    controller, inbox = start_server()
    yield f"smtp://127.0.0.1:{controller.port}?from=lobby@example.com", inbox
    controller.stop()


@pytest.fixture
def auth_server():
    controller, inbox = start_server(
        auth_require_tls=False, auth_required=True, authenticator=check_credentials
    )
    yield controller.port, inbox
    controller.stop()


def invitation(**overrides):
    fields = dict(
        to="new.person@example.org",
        sender="lobby@example.com",
        team="Design",
        inviter_name="Ada Lovelace",
        roles=["member", "reviewer"],
        personal_message="Welcome aboard!\nSee you Monday.",
        code="K7QX-29PM",
        join_url="https://join.slack.com/t/acme/shared_invite/zt-abc",
        expires_at=EXPIRES,
    )
    return invitation_email(**(fields | overrides))


def body_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def test_an_invitation_arrives_with_everything_the_invitee_needs(server):
    url, inbox = server
    mailer = Mailer.from_url(url)
    mailer.send(invitation(sender=mailer.sender))

    [envelope] = inbox.envelopes
    assert envelope.mail_from == "lobby@example.com"
    assert envelope.rcpt_tos == ["new.person@example.org"]
    [received] = inbox.messages
    assert received["To"].addresses[0].addr_spec == "new.person@example.org"
    assert received["From"].addresses[0].addr_spec == "lobby@example.com"
    assert received["Subject"] == "You're invited to join Design on Slack"
    assert received["Date"] and received["Message-ID"]
    assert received.get_content_type() == "text/plain"
    body = body_of(received)
    assert "Ada Lovelace invited you to join Design on Slack as Member, Reviewer." in body
    assert "> Welcome aboard!\n> See you Monday." in body
    assert "Your invite code: K7QX-29PM" in body
    assert "/invite join K7QX-29PM" in body
    assert "Join the Slack workspace: https://join.slack.com/t/acme/shared_invite/zt-abc" in body
    assert "will be waiting for you" in body
    assert "expires on Nov 30, 2026 at 14:05 UTC" in body
    assert "Ask Ada Lovelace" not in body


def test_without_a_join_url_the_invitee_is_told_to_ask_the_inviter(server):
    url, inbox = server
    Mailer.from_url(url).send(invitation(join_url=None, personal_message=None))

    body = body_of(inbox.messages[0])
    assert "Ask Ada Lovelace, who invited you, to add you to the Slack workspace" in body
    assert "Join the Slack workspace" not in body
    assert "wrote:" not in body
    assert "will be waiting for you" in body


def test_a_newline_in_the_team_or_inviter_name_cannot_add_a_header(server):
    url, inbox = server
    message = invitation(
        team="Design\r\nBcc: evil@example.net",
        inviter_name="Ada\nX-Injected: yes",
    )
    Mailer.from_url(url).send(message)

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["new.person@example.org"]
    [received] = inbox.messages
    assert received["Bcc"] is None and received["X-Injected"] is None
    assert received["Subject"] == "You're invited to join Design Bcc: evil@example.net on Slack"


@pytest.mark.parametrize(
    "to", ["a@example.org\r\nBcc: evil@example.net", "a@x.org, b@y.org", "a@::1", "nobody"]
)
def test_the_recipient_must_be_one_plain_address(to):
    with pytest.raises(ValueError):
        invitation(to=to)


def test_login_with_the_right_credentials_sends(auth_server):
    port, inbox = auth_server
    Mailer.from_url(f"smtp://lobby:{PASSWORD}@127.0.0.1:{port}").send(invitation())
    assert len(inbox.envelopes) == 1


def test_wrong_credentials_raise_and_send_nothing(auth_server):
    port, inbox = auth_server
    mailer = Mailer.from_url(f"smtp://lobby:wrong@127.0.0.1:{port}")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        mailer.send(invitation())
    assert inbox.envelopes == []


def test_no_credentials_against_a_server_requiring_them_raise(auth_server):
    port, inbox = auth_server
    with pytest.raises(smtplib.SMTPException):
        Mailer.from_url(f"smtp://127.0.0.1:{port}").send(invitation())
    assert inbox.envelopes == []


def test_starttls_against_a_server_without_it_raises(server):
    url, inbox = server
    with pytest.raises(smtplib.SMTPException):
        Mailer.from_url(url + "&starttls=1").send(invitation())
    assert inbox.envelopes == []


def test_an_unreachable_server_raises_oserror():
    with pytest.raises(OSError):
        Mailer.from_url(f"smtp://127.0.0.1:{free_port()}").send(invitation())


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
def test_from_url_parses_each_form(url, expected):
    mailer = Mailer.from_url(url)
    got = (mailer.host, mailer.port, mailer.implicit_tls, mailer.starttls, mailer.username)
    assert got + (mailer._password,) == expected


def test_the_sender_comes_from_the_url_or_the_host():
    assert Mailer.from_url("smtp://[::1]").sender == "lobby@[IPv6:::1]"
    assert Mailer.from_url("smtp://mail.example.com").sender == "lobby@mail.example.com"
    mailer = Mailer.from_url("smtps://u:p@mail.example.com?from=invites%40acme.test")
    assert mailer.sender == "invites@acme.test"


def test_the_password_is_not_in_the_repr():
    mailer = Mailer.from_url(f"smtps://lobby:{PASSWORD}@mail.example.com")
    assert PASSWORD not in repr(mailer)
    assert "lobby:***@mail.example.com" in repr(mailer)


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
def test_from_url_refuses_malformed_urls_without_revealing_the_password(url):
    with pytest.raises(ValueError) as refused:
        Mailer.from_url(url)
    message = str(refused.value)
    assert message.startswith("SMTP_URL ")
    assert "\n" not in message
    assert PASSWORD not in message


def test_non_ascii_text_and_long_lines_arrive_intact(server):
    url, inbox = server
    long_line = "Très bien! " * 120
    Mailer.from_url(url).send(invitation(team="Dézign ✨", personal_message=long_line))

    [received] = inbox.messages
    assert received["Subject"] == "You're invited to join Dézign ✨ on Slack"
    assert f"> {long_line.strip()}" in body_of(received)
