"""Slack's Web API rate limit tiers, enforced by the stand-in for one workspace.

Each method's tier is read from the reference (`rate_limits` in
tests/slack_reference/methods/*.json). Tiers 1-4 allow that many calls per method in
any sliding minute; tier 5 (`chat.postMessage`) about one message per second per
channel, with a short burst. Beyond them Slack answers HTTP 429 with Retry-After.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
PER_CHANNEL_BURST = 3  # tier 5: messages a channel takes at once, then one a second
WINDOW_SECONDS = 60.0


class TierLimits:
    def __init__(self, tier_of: Callable[[str], str | None], clock: Callable[[], float]):
        self.tier_of = tier_of
        self.clock = clock
        self.windows: dict[str, deque[float]] = defaultdict(deque)
        self.channels: dict[tuple[str, str], tuple[float, float]] = {}  # tokens, as of when

    def retry_after(self, method: str, args: dict[str, Any]) -> int | None:
        """None if the call may go through now (and it is counted); else Slack's Retry-After."""
        tier = self.tier_of(method)
        if tier in PER_MINUTE:
            return self._sliding_minute(method, PER_MINUTE[tier])
        if tier == "t5" and args.get("channel"):
            return self._per_channel(method, str(args["channel"]))
        return None

    def _sliding_minute(self, method: str, limit: int) -> int | None:
        now = self.clock()
        window = self.windows[method]
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(window[0] + WINDOW_SECONDS - now))
        window.append(now)
        return None

    def _per_channel(self, method: str, channel: str) -> int | None:
        now = self.clock()
        tokens, since = self.channels.get((method, channel), (PER_CHANNEL_BURST, now))
        tokens = min(PER_CHANNEL_BURST, tokens + (now - since))
        if tokens < 1:
            return max(1, math.ceil(1 - tokens))
        self.channels[(method, channel)] = (tokens - 1, now)
        return None
