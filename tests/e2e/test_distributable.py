"""The distributable app end to end: "Add to Slack" through the stand-in, two workspaces
behind one Slack URL kept apart, forged and reused states, uninstall, token rotation."""

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from waitress.server import create_server

from app import create_web, create_worker
from bot.outbox import notices
from config import Settings, parse_smtp_url
from handlers.health import HealthCheck
from handlers.oauth.cipher import TokenCipher
from handlers.web import wsgi_app
from storage import intake
from storage.db import db
from storage.installations import Departure
from storage.installations import Installation as InstallationRow
from storage.models import AuditEntry, Invitation, Notice, Team
from tests.e2e.conftest import SIGNING_SECRET, serve_until_closed
from tests.support.clock import ManualClock
from tests.support.database import close_database, database_url
from tests.support.outbox import unsettled_count
from tests.support.slack_requests import SlackRequests

KEY = Fernet.generate_key().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


BROWSER = urllib.request.build_opener(_NoRedirect)


def get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        answer = BROWSER.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        answer = error
    return answer.status, dict(answer.headers), answer.read().decode()


@dataclass
class Deployment:
    url: str
    clock: ManualClock
    slack: object

    def install(self, workspace, user_id="U0ADMIN1", *, cookie=True) -> tuple[int, str]:
        """A person in `workspace` clicks Add to Slack, approves, and comes back."""
        status, headers, _ = get(self.url + "/slack/install")
        assert status == 302, status
        self.slack.oauth.installing = (workspace, user_id)
        _, back, _ = get(headers["Location"])
        jar = headers["Set-Cookie"].split(";")[0] if cookie else None
        status, _, page = get(back["Location"], jar)
        return status, page

    def requests(self, workspace) -> SlackRequests:
        return SlackRequests(self.url, SIGNING_SECRET, workspace)

    def settled(self) -> None:
        """Every request run, every notice delivered, and Slack quiet (App Homes follow)."""
        self.slack.wait_for(lambda: intake.backlog_size()[0] == 0 and unsettled_count() == 0)
        seen = -1
        while seen != (seen := sum(len(w.calls) for w in self.slack.workspaces())):
            time.sleep(0.25)


@pytest.fixture(params=["sqlite", "postgres"])
def deploy(request, slack, tmp_path):
    url = database_url(request.param, tmp_path)
    started = []

    def start(smtp_url: str | None = None) -> Deployment:
        settings = Settings(
            bot_token=None,
            signing_secret=SIGNING_SECRET,
            app_token=None,
            database_url=url,
            slack_api_url=slack.api_url,
            port=0,
            smtp=parse_smtp_url(smtp_url) if smtp_url else None,
            join_url=None,
            client_id=slack.oauth.client_id,
            client_secret=slack.oauth.client_secret,
            encryption_keys=(KEY,),
        )
        clock = ManualClock(datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        web = create_web(settings, clock=clock)
        worker = create_worker(settings, clock=clock, jobs=False)
        health = HealthCheck(clock, worker_alive=lambda: True, max_backlog=100)
        server = create_server(wsgi_app(web.bolt, health, web.gate), host="127.0.0.1", port=0)
        threading.Thread(target=serve_until_closed, args=(server,), daemon=True).start()
        worker.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        slack.oauth.redirect_url = base + "/slack/oauth_redirect"
        started.append((web, worker, server))
        return Deployment(base, clock, slack)

    yield start
    for web, worker, server in started:
        server.closing = True
        server.close()
        web.writer.close()
        worker.stop(timeout=10)
    close_database()


def people(workspace, prefix=""):
    workspace.add_user("U0ADMIN1", "admin", email=f"admin@{prefix}example.com", is_admin=True)
    workspace.add_user("U0ALICE1", "alice", email=f"alice@{prefix}example.com")


def test_add_to_slack_installs_and_commands_then_work(deploy, slack):
    people(slack)
    app = deploy()
    status, page = app.install(slack)
    assert status == 200 and "Lobby is installed" in page
    row = InstallationRow.get()
    assert slack.token not in row.secrets + row.details  # encrypted at rest
    assert app.requests(slack).command("team create Design", user_id="U0ADMIN1").status == 200
    app.settled()
    assert Team.select().where(Team.workspace_id == slack.team_id).count() == 1


def test_two_workspaces_with_the_same_names_stay_apart(deploy, slack):
    other = slack.add_workspace("T0OTHER", "other")
    people(slack)
    people(other, prefix="other.")
    app = deploy()
    assert app.install(slack)[0] == 200 and app.install(other)[0] == 200
    for workspace in (slack, other):
        app.requests(workspace).command("team create Design", user_id="U0ADMIN1")
    app.settled()
    app.requests(other).command("<@U0ALICE1|alice> to Design", user_id="U0ADMIN1")
    app.settled()
    # The DM went to alice of the other workspace only, with that workspace's token.
    assert other.wait_for(lambda: other.messages_to("U0ALICE1"))
    assert not slack.messages_to("U0ALICE1")
    assert {c.method for c in slack.calls} >= {"auth.test"}
    assert Team.select().count() == 2


def test_a_forged_state_or_a_missing_cookie_stores_nothing(deploy, slack):
    app = deploy()
    code = slack.oauth.issue_code(slack, "U0ADMIN1")
    status, _, page = get(f"{app.url}/slack/oauth_redirect?code={code}&state=forged")
    assert status >= 400 and "Lobby was not installed" in page
    status, page = app.install(slack, cookie=False)
    assert status >= 400 and "Nothing was stored" in page
    assert InstallationRow.select().count() == 0


def test_a_reused_state_is_refused(deploy, slack):
    app = deploy()
    status, headers, _ = get(app.url + "/slack/install")
    _, back, _ = get(headers["Location"])
    jar = headers["Set-Cookie"].split(";")[0]
    assert get(back["Location"], jar)[0] == 200
    InstallationRow.delete().execute()
    state = back["Location"].split("state=")[1]
    code = slack.oauth.issue_code(slack, "U0ADMIN1")
    again = f"{app.url}/slack/oauth_redirect?code={code}&state={state}"
    assert get(again, jar)[0] >= 400 and InstallationRow.select().count() == 0


def test_uninstall_deletes_the_installation_drops_notices_and_a_reinstall_finds_the_data(
    deploy, slack
):
    people(slack)
    app = deploy()
    app.install(slack)
    app.requests(slack).command("team create Design", user_id="U0ADMIN1")
    app.settled()
    later = app.clock.now() + timedelta(days=1)  # a notice not yet due when it uninstalls
    with db.connection_context(), db.atomic():
        notices.record(
            slack.team_id,
            notices.Welcome(team="Design", user="U0ALICE1", roles=[], channel_ids=[]),
            later,
        )
    app.requests(slack).event({"type": "app_uninstalled"})
    assert InstallationRow.select().count() == 0
    assert Departure.get().workspace_id == slack.team_id
    assert Notice.get(Notice.status == "failed").last_error == "the workspace uninstalled Lobby"
    assert AuditEntry.get(AuditEntry.action == "app_uninstalled")
    assert (
        app.requests(slack).command("list", user_id="U0ADMIN1").status == 200
    )  # Bolt answers: not installed
    assert app.install(slack)[0] == 200
    assert Departure.select().count() == 0 and Team.select().count() == 1


def refreshes(slack) -> list:
    return [
        c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"
    ]


def test_with_token_rotation_a_token_is_renewed_before_use_by_requests_and_the_outbox(
    deploy, slack
):
    people(slack)
    slack.add_user("U0BOB001", "bob", email="bob@example.com")
    slack.oauth.rotation = True
    app = deploy()
    slack.oauth.clock = lambda: app.clock.now().replace(tzinfo=UTC).timestamp()
    assert app.install(slack)[0] == 200
    first = slack.token
    app.requests(slack).command("team create Design", user_id="U0ADMIN1")
    app.settled()
    app.clock.advance(hours=12)  # the token has ended; Slack now answers token_expired
    with db.connection_context(), db.atomic():  # a notice of a job: no request, no Bolt
        welcome = notices.Welcome(team="Design", user="U0ALICE1", roles=[], channel_ids=[])
        notices.record(slack.team_id, welcome, app.clock.now())
    assert slack.wait_for(lambda: slack.messages_to("U0ALICE1"))
    app.settled()
    second = slack.token
    assert second != first and len(refreshes(slack)) == 1  # the outbox renewed it itself
    app.clock.advance(hours=12)
    answer = app.requests(slack).command("<@U0BOB001|bob> to Design", user_id="U0ADMIN1")
    assert answer.status == 200
    app.settled()
    assert slack.wait_for(lambda: slack.messages_to("U0BOB001"))  # the DM, with the new token
    assert slack.token not in (first, second) and len(refreshes(slack)) == 2
    assert [c.method for c in slack.calls if c.error == "token_expired"] == []
    for old in (first, second):
        with pytest.raises(SlackApiError) as refused:
            WebClient(token=old, base_url=slack.api_url).auth_test()
        assert refused.value.response["error"] == "token_expired"
    row = InstallationRow.get()
    stored = TokenCipher((KEY,)).open(row.secrets)
    latest_refresh = refreshes(slack)[-1].response["refresh_token"]
    assert (stored["bot_token"], stored["bot_refresh_token"]) == (slack.token, latest_refresh)
    assert slack.token not in row.secrets + row.details
    assert latest_refresh not in row.secrets + row.details


def joined(app, workspace, user_id: str, email: str) -> None:
    workspace.add_user(user_id, user_id.lower(), email=email)
    event = {"type": "team_join", "user": {"id": user_id, "profile": {"email": email}}}
    app.requests(workspace).event(event)
    app.settled()


def test_email_invitations_their_mail_and_their_claims_stay_in_their_own_workspace(
    deploy, slack, smtp
):
    smtp_url, inbox = smtp
    other = slack.add_workspace("T0OTHER", "other")
    people(slack)
    people(other)  # the same people, with the same emails
    other.add_user("U0DAVE01", "dave", email="dave@example.com")  # in the other one only
    app = deploy(smtp_url=smtp_url)
    for workspace in (slack, other):
        assert app.install(workspace)[0] == 200
        app.requests(workspace).command("team create Design", user_id="U0ADMIN1")
    app.settled()
    for workspace in (slack, other):
        app.requests(workspace).command("carol@example.com to Design", user_id="U0ADMIN1")
    app.requests(slack).command("dave@example.com to Design", user_id="U0ADMIN1")
    app.settled()
    # Each workspace's own token looked each address up: dave of the other one is not here.

    def looked_up(workspace) -> list[str]:
        return sorted(c.args["email"] for c in workspace.calls_to("users.lookupByEmail"))

    assert looked_up(slack) == ["carol@example.com", "dave@example.com"]
    assert looked_up(other) == ["carol@example.com"]
    assert not other.messages_to("U0DAVE01")
    mails = slack.wait_for(lambda: len(inbox.messages) == 3 and inbox.messages)
    subjects = sorted((str(m["To"]), str(m["Subject"])) for m in mails)
    assert subjects == [
        ("carol@example.com", "You're invited to join Design in Lobby Test on Slack"),
        ("carol@example.com", "You're invited to join Design in Other on Slack"),
        ("dave@example.com", "You're invited to join Design in Lobby Test on Slack"),
    ]
    from_other = next(m for m in mails if "Other" in str(m["Subject"]))
    assert "the Other Slack workspace (other.slack.com)" in from_other.get_body().get_content()
    # Carol appears in the other workspace: its invitation is offered there, not this one's.
    joined(app, other, "U0CAROL1", "carol@example.com")
    assert offered_to("U0CAROL1") == {other.team_id}
    assert other.messages_to("U0CAROL1") and not slack.messages_to("U0CAROL1")
    joined(app, slack, "U0CAROL1", "carol@example.com")
    assert offered_to("U0CAROL1") == {slack.team_id, other.team_id}
    assert slack.wait_for(lambda: slack.messages_to("U0CAROL1"))


def offered_to(user_id: str) -> set[str]:
    """The workspaces whose email invitation was offered to `user_id`."""
    offered = Invitation.select().where(Invitation.invitee_user_id == user_id)
    return {invitation.workspace_id for invitation in offered}
