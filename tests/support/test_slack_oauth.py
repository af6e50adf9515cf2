"""The stand-in's oauth.v2.access and its several workspaces behind one URL."""

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


def access(slack, **args):
    return WebClient(base_url=slack.api_url).oauth_v2_access(**args)


def refused(slack, **args) -> str:
    with pytest.raises(SlackApiError) as error:
        access(slack, **args)
    return error.value.response["error"]


def test_a_code_is_traded_once_for_the_installing_workspaces_token(slack):
    other = slack.add_workspace("T0OTHER", "other")
    code = slack.oauth.issue_code(other, "U0OWNER")
    answer = access(slack, client_id="1111.2222", client_secret="standin-client-secret", code=code)
    assert answer["access_token"] == other.token and answer["team"]["id"] == "T0OTHER"
    assert answer["authed_user"]["id"] == "U0OWNER"
    assert refused(
        slack, client_id="1111.2222", client_secret="standin-client-secret", code=code
    ) == ("invalid_code")


def test_the_client_may_send_its_id_and_secret_in_the_form(slack):
    code = slack.oauth.issue_code(slack, "U0OWNER")
    form = {"client_id": "1111.2222", "client_secret": "standin-client-secret", "code": code}
    answer = WebClient(base_url=slack.api_url).api_call("oauth.v2.access", params=form)
    assert answer["access_token"] == slack.token  # slack_sdk's oauth_v2_access uses Basic


@pytest.mark.parametrize(
    "client_id, secret, error",
    [
        ("9.9", "standin-client-secret", "invalid_client_id"),
        ("1111.2222", "x", "bad_client_secret"),
    ],
)
def test_a_wrong_client_is_refused_and_the_code_survives(slack, client_id, secret, error):
    code = slack.oauth.issue_code(slack, "U0OWNER")
    assert refused(slack, client_id=client_id, client_secret=secret, code=code) == error
    assert access(slack, client_id="1111.2222", client_secret="standin-client-secret", code=code)


def test_an_expired_code_is_invalid(slack):
    slack.oauth.code_ttl = 0
    code = slack.oauth.issue_code(slack, "U0OWNER")
    assert refused(
        slack, client_id="1111.2222", client_secret="standin-client-secret", code=code
    ) == ("invalid_code")


def test_each_token_reaches_its_own_workspace(slack):
    other = slack.add_workspace("T0OTHER", "other")
    here = WebClient(token=slack.token, base_url=slack.api_url).auth_test()
    there = WebClient(token=other.token, base_url=slack.api_url).auth_test()
    assert (here["team_id"], there["team_id"]) == ("T0LOBBY", "T0OTHER")
    assert [c.method for c in other.calls] == ["auth.test"]


def test_with_rotation_a_refresh_token_is_traded_once_for_a_new_token(slack):
    slack.oauth.rotation = True
    secret = {"client_id": "1111.2222", "client_secret": "standin-client-secret"}
    first = access(slack, code=slack.oauth.issue_code(slack, "U0OWNER"), **secret)
    renewed = access(
        slack, grant_type="refresh_token", refresh_token=first["refresh_token"], **secret
    )
    assert renewed["access_token"] != first["access_token"] == "xoxb-lobby-test-token"
    again = dict(grant_type="refresh_token", refresh_token=first["refresh_token"], **secret)
    assert refused(slack, **again) == "invalid_refresh_token"


def test_a_rotating_token_is_refused_as_expired_after_its_end_and_its_successor_works(slack):
    now = [1_000_000.0]
    slack.oauth.rotation, slack.oauth.clock = True, lambda: now[0]
    secret = {"client_id": "1111.2222", "client_secret": "standin-client-secret"}
    first = access(slack, code=slack.oauth.issue_code(slack, "U0OWNER"), **secret)
    assert first["expires_in"] == 43_200
    now[0] += 43_200 - 60
    renewed = access(
        slack, grant_type="refresh_token", refresh_token=first["refresh_token"], **secret
    )
    assert renewed["token_type"] == "bot" and renewed["team"]["id"] == slack.team_id
    old = WebClient(token=first["access_token"], base_url=slack.api_url)
    assert old.auth_test()["team_id"] == slack.team_id  # an earlier token until its end
    now[0] += 60
    with pytest.raises(SlackApiError) as expired:
        old.auth_test()
    assert expired.value.response["error"] == "token_expired"
    new = WebClient(token=renewed["access_token"], base_url=slack.api_url)
    assert new.auth_test()["team_id"] == slack.team_id
    now[0] += 43_200
    with pytest.raises(SlackApiError) as expired:
        new.auth_test()
    assert expired.value.response["error"] == "token_expired"
