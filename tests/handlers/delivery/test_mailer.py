import smtplib
from datetime import datetime

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from config import parse_smtp_url
from handlers.delivery.mailer import Mailer, invitation_email
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


def mailer_for(url: str) -> Mailer:
    return Mailer(parse_smtp_url(url))


def body_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def test_an_invitation_arrives_with_everything_the_invitee_needs(server):
    url, inbox = server
    mailer = mailer_for(url)
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


def test_the_email_names_the_workspace_the_team_is_in():
    message = invitation(
        join_url=None, workspace="Acme\nLabs", workspace_url="https://acme-labs.slack.com/"
    )
    assert message["Subject"] == "You're invited to join Design in Acme Labs on Slack"
    body = body_of(message)
    assert "Ada Lovelace invited you to join Design in Acme Labs on Slack" in body
    assert "add you to the Acme Labs Slack workspace (acme-labs.slack.com)." in body


def test_without_a_join_url_the_invitee_is_told_to_ask_the_inviter(server):
    url, inbox = server
    mailer_for(url).send(invitation(join_url=None, personal_message=None))

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
    mailer_for(url).send(message)

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
    mailer_for(f"smtp://lobby:{PASSWORD}@127.0.0.1:{port}").send(invitation())
    assert len(inbox.envelopes) == 1


def test_wrong_credentials_raise_and_send_nothing(auth_server):
    port, inbox = auth_server
    mailer = mailer_for(f"smtp://lobby:wrong@127.0.0.1:{port}")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        mailer.send(invitation())
    assert inbox.envelopes == []


def test_no_credentials_against_a_server_requiring_them_raise(auth_server):
    port, inbox = auth_server
    with pytest.raises(smtplib.SMTPException):
        mailer_for(f"smtp://127.0.0.1:{port}").send(invitation())
    assert inbox.envelopes == []


def test_starttls_against_a_server_without_it_raises(server):
    url, inbox = server
    with pytest.raises(smtplib.SMTPException):
        mailer_for(url + "&starttls=1").send(invitation())
    assert inbox.envelopes == []


def test_an_unreachable_server_raises_oserror():
    with pytest.raises(OSError):
        mailer_for(f"smtp://127.0.0.1:{free_port()}").send(invitation())


def test_the_password_is_not_in_the_repr():
    mailer = mailer_for(f"smtps://lobby:{PASSWORD}@mail.example.com")
    assert PASSWORD not in repr(mailer)
    assert "lobby:***@mail.example.com" in repr(mailer)


def test_non_ascii_text_and_long_lines_arrive_intact(server):
    url, inbox = server
    long_line = "Très bien! " * 120
    mailer_for(url).send(invitation(team="Dézign ✨", personal_message=long_line))

    [received] = inbox.messages
    assert received["Subject"] == "You're invited to join Dézign ✨ on Slack"
    assert f"> {long_line.strip()}" in body_of(received)
