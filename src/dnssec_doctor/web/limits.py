"""What keeps a public checker from being used as a flood: checks per client per
minute, and checks at once."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW = 60.0
#: Clients remembered at most; the longest idle is forgotten first (bounded memory).
MAX_CLIENTS = 10_000


class RateLimiter:
    """At most *per_minute* checks per client in any sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, client: str) -> float | None:
        """None, and the check counted; or the seconds until this client may check again."""
        now = self._clock()
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - WINDOW:
            times.popleft()
        self._seen[client] = times  # most recent last
        while len(self._seen) > MAX_CLIENTS:
            self._seen.popitem(last=False)
        if len(times) >= self.per_minute:
            return max(times[0] + WINDOW - now, 1.0)
        times.append(now)
        return None


class CheckSlots:
    """At most *size* checks running at once; one more is refused, never queued (a
    queue would hold connections open for minutes under load)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.running = 0

    def take(self) -> bool:
        if self.running >= self.size:
            return False
        self.running += 1
        return True

    def release(self) -> None:
        self.running -= 1
