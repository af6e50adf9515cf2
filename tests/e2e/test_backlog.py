"""A bounded backlog: past the limit a command is refused at once, and nothing changes."""

import json
from urllib.error import HTTPError
from urllib.request import urlopen

from handlers.intake.listen import BUSY
from storage import intake
from storage.models import Invitation
from tests.e2e.conftest import ALICE, BOB, CAROL


def test_a_full_backlog_answers_busy_and_takes_nothing(start_app):
    running = start_app(max_backlog=2, run_worker=False)  # nothing runs: the backlog stays
    assert running.command("team create Design").text == ""
    assert running.command(f"<@{ALICE}>").text == ""
    refused = running.command(f"<@{BOB}>")
    assert refused.json["text"] == BUSY
    assert intake.backlog_size()[0] == 2
    try:
        urlopen(running.url + "/healthz")
        raise AssertionError("healthy with a full backlog")
    except HTTPError as error:
        assert error.code == 503
        report = json.loads(error.read())
    assert report["backlog"] == 2 and report["oldest_age_seconds"] >= 0
    assert not Invitation.select().where(Invitation.invitee_user_id.in_([BOB, CAROL])).exists()
