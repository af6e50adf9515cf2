"""Lobby paces its own calls to Slack, per workspace and method, from the methods' tiers
(handlers/delivery/tiers.py), instead of learning the limits from 429s; after a 429 it
holds that method back in that workspace for Slack's Retry-After. A call that must wait
is not made: the outbox puts its notice back until then, and goes on with the others,
so no other workspace or method waits for it."""

import copy
import threading
from collections import defaultdict, deque
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.delivery.tiers import PER_CHANNEL_BURST, PER_CHANNEL_PER_SECOND, PER_MINUTE, TIERS

WINDOW_SECONDS = 60.0
# A call reaches Slack a little after Lobby counts it; the margin keeps jitter from
# turning the last call of a window into a 429.
MARGIN = 0.01
CHANNELS_KEPT = 10_000  # beyond, channels whose burst is whole again are forgotten


class Paced(Exception):
    """The call was not made: it may go in `seconds`."""

    def __init__(self, method: str, seconds: float):
        super().__init__(f"{method} paced for {seconds:.2f} s")
        self.seconds = seconds


class Pacer:
    def __init__(self, clock: Callable[[], float], tiers: dict[str, str] = TIERS):
        self.clock = clock  # seconds
        self.tiers = tiers
        self._calls: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._channels: dict[tuple[str, str, str], tuple[float, float]] = {}
        self._held: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def wait(self, workspace_id: str, method: str, channel: str | None = None) -> float:
        """0 if the call may go now (it is then counted), else the seconds until it may."""
        key = (workspace_id, method)
        tier = self.tiers.get(method)
        with self._lock:
            now = self.clock()
            held = self._held.get(key, now) - now
            if held > 0:
                return held
            if tier in PER_MINUTE:
                return self._sliding_minute(key, PER_MINUTE[tier], now)
            if tier == "t5" and channel:
                return self._per_channel((workspace_id, method, channel), now)
            return 0.0

    def hold(self, workspace_id: str, method: str, seconds: float) -> None:
        """Slack answered 429: nothing more of this method here before Retry-After."""
        with self._lock:
            until = self.clock() + seconds
            key = (workspace_id, method)
            self._held[key] = max(self._held.get(key, until), until)

    def _sliding_minute(self, key, limit: int, now: float) -> float:
        window_s = WINDOW_SECONDS * (1 + MARGIN)
        calls = self._calls[key]
        while calls and calls[0] <= now - window_s:
            calls.popleft()
        if len(calls) >= limit:
            return calls[0] + window_s - now
        calls.append(now)
        return 0.0

    def _per_channel(self, key, now: float) -> float:
        rate = PER_CHANNEL_PER_SECOND / (1 + 10 * MARGIN)
        tokens, since = self._channels.get(key, (PER_CHANNEL_BURST, now))
        tokens = min(PER_CHANNEL_BURST, tokens + (now - since) * rate)
        if tokens < 1:
            return (1 - tokens) / rate
        if len(self._channels) >= CHANNELS_KEPT:
            whole = PER_CHANNEL_BURST / rate
            self._channels = {k: v for k, v in self._channels.items() if now - v[1] < whole}
        self._channels[key] = (tokens - 1, now)
        return 0.0


def paced(client: WebClient, workspace_id: str, pacer: Pacer) -> WebClient:
    """A copy of `client` whose every call asks `pacer` first: slack_sdk sends every
    method through `api_call`. Raises `Paced` instead of calling too soon."""
    send = client.api_call
    client = copy.copy(client)

    def api_call(api_method: str, **kwargs):
        wait = pacer.wait(workspace_id, api_method, _channel_of(kwargs))
        if wait > 0:
            raise Paced(api_method, wait)
        try:
            return send(api_method, **kwargs)
        except SlackApiError as error:
            if error.response.status_code == 429:
                retry_after = error.response.headers.get("Retry-After") or 1
                pacer.hold(workspace_id, api_method, float(retry_after))
            raise

    client.api_call = api_call
    return client


def _channel_of(kwargs: dict) -> str | None:
    for arguments in (kwargs.get("json"), kwargs.get("params"), kwargs.get("data")):
        if isinstance(arguments, dict) and arguments.get("channel"):
            return str(arguments["channel"])
    return None
