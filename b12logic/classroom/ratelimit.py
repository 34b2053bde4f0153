"""A token bucket: how one browser session's flood of answers (or new rooms) is slowed down.

Pure and clock-injected, so it is tested without sleeping; the page keeps one per session.

>>> bucket = TokenBucket(capacity=2, per_second=1.0, now=0.0)
>>> [bucket.take(0.0), bucket.take(0.0), bucket.take(0.0), bucket.take(1.0)]
[True, True, False, True]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    """At most `capacity` actions at once, refilled at `per_second`."""

    capacity: float
    per_second: float
    now: float
    tokens: float = -1.0  # set to capacity at start

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self, now: float) -> bool:
        """Spend one token at `now` if there is one (a clock that goes backwards refills nothing)."""
        elapsed = max(0.0, now - self.now)
        self.now = max(self.now, now)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait_s(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1.0 - self.tokens) / self.per_second)
