"""The stand-in enforces each method's reference tier per workspace, as Slack does."""

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.clock import ManualClock

HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


@pytest.fixture
def tiered(slack):
    clock = ManualClock()
    slack.clock = lambda: clock.now().timestamp()
    slack.enforce_tiers()
    slack.add_user("UIVY", "ivy")
    return slack, clock, WebClient(token=slack.token, base_url=slack.api_url)


def refused(call) -> int | None:
    """Retry-After of a 429, None if the call went through."""
    try:
        call()
    except SlackApiError as error:
        assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
        return int(error.response.headers["Retry-After"])
    return None


def test_a_tier_4_method_takes_100_calls_in_a_sliding_minute(tiered):
    slack, clock, client = tiered
    publish = lambda: client.views_publish(user_id="UIVY", view=HOME)  # noqa: E731
    for _ in range(60):
        assert refused(publish) is None
    clock.advance(seconds=30)
    for _ in range(40):
        assert refused(publish) is None
    assert refused(publish) == 30  # the first 60 leave the window 60 s after they came
    clock.advance(seconds=30)
    assert refused(publish) is None
    assert refused(lambda: client.users_info(user="UIVY")) is None  # its own window


def test_chat_post_message_takes_a_burst_of_3_per_channel_then_one_a_second(tiered):
    slack, clock, client = tiered
    slack.add_channel("C0OTHER1", "other", bot_is_member=True)
    post = lambda channel: lambda: client.chat_postMessage(channel=channel, text="hi")  # noqa: E731
    assert [refused(post("UIVY")) for _ in range(4)] == [None, None, None, 1]
    assert refused(post("C0OTHER1")) is None
    clock.advance(seconds=1)
    assert refused(post("UIVY")) is None
    assert refused(post("UIVY")) == 1


def test_each_workspace_has_its_own_limits(tiered):
    slack, clock, client = tiered
    other = slack.add_workspace("T0OTHER", "other")
    other.clock = slack.clock
    other.enforce_tiers()
    other.add_user("UIVY", "ivy")
    theirs = WebClient(token=other.token, base_url=other.api_url)
    for _ in range(3):
        client.chat_postMessage(channel="UIVY", text="hi")
    assert refused(lambda: client.chat_postMessage(channel="UIVY", text="hi")) == 1
    assert refused(lambda: theirs.chat_postMessage(channel="UIVY", text="hi")) is None
