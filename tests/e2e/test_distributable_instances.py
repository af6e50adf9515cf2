"""Several instances of the distributable app (`python app.py` processes on one database)
finish each other's "Add to Slack" flows: one starts it, another finishes it with the
browser's cookie, and a state used once is refused by every instance."""

import signal

import pytest
from cryptography.fernet import Fernet

from storage.db import db, init_db
from storage.installations import Installation as InstallationRow
from storage.installations import OAuthState
from storage.models import Team
from tests.e2e.conftest import ADMIN, populate
from tests.e2e.test_distributable import get
from tests.e2e.test_runtime import AppProcess
from tests.support.database import close_database, database_url

KEY = Fernet.generate_key().decode()


@pytest.fixture(params=["sqlite", "postgres"])
def instances(request, slack, tmp_path):
    """Two distributable instances sharing one database, started one after the other."""
    populate(slack)
    url = database_url(request.param, tmp_path)
    started = []
    for _ in range(2):
        app = AppProcess(slack, url, socket_mode=False)
        del app.env["SLACK_BOT_TOKEN"]
        app.env.update(
            SLACK_CLIENT_ID=slack.oauth.client_id,
            SLACK_CLIENT_SECRET=slack.oauth.client_secret,
            LOBBY_ENCRYPTION_KEY=KEY,
            LOBBY_INSTANCE_ID=f"instance-{len(started) + 1}",
        )
        started.append(app)  # before it is up: a start that fails is still stopped
        app.start()
    init_db(url)
    yield started
    for app in started:
        if app.process is not None and app.process.poll() is None:
            app.stop(signal.SIGTERM)
    close_database()


def start_flow(instance) -> tuple[str, str]:
    """The browser asks `instance` to install, approves in Slack: (redirect URL, cookie)."""
    status, headers, _ = get(instance.url + "/slack/install")
    assert status == 302, status
    _, back, _ = get(headers["Location"])
    return back["Location"], headers["Set-Cookie"].split(";")[0]


def test_a_flow_started_by_one_instance_is_finished_by_another(instances, slack):
    first, second = instances
    slack.oauth.redirect_url = second.url + "/slack/oauth_redirect"
    redirect, cookie = start_flow(first)
    assert redirect.startswith(second.url)
    status, _, page = get(redirect, cookie)
    assert status == 200 and "Lobby is installed" in page
    with db.connection_context():
        assert InstallationRow.select().count() == 1 and OAuthState.select().count() == 0
    answer = first.requests().command("team create Design", user_id=ADMIN)
    assert answer.status == 200
    slack.wait_for(lambda: _teams() == 1, timeout=15)  # either instance's worker runs it


@pytest.mark.parametrize("again_on", [0, 1])
def test_a_state_used_once_is_refused_by_either_instance(instances, slack, again_on):
    first, second = instances
    slack.oauth.redirect_url = second.url + "/slack/oauth_redirect"
    redirect, cookie = start_flow(first)
    assert get(redirect, cookie)[0] == 200
    with db.connection_context():
        InstallationRow.delete().execute()  # so a second install would show
    state = redirect.split("state=")[1]
    code = slack.oauth.issue_code(slack, ADMIN)
    again = f"{instances[again_on].url}/slack/oauth_redirect?code={code}&state={state}"
    status, _, page = get(again, cookie)
    assert status >= 400 and "Nothing was stored" in page
    with db.connection_context():
        assert InstallationRow.select().count() == 0
    codes = [c for c in slack.calls_to("oauth.v2.access") if "code" in c.args]
    assert len(codes) == 1  # refused before Slack was asked: the code is still unused


def _teams() -> int:
    with db.connection_context():
        return Team.select().count()
