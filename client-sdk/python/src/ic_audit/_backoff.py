"""Reconnect delays: capped exponential backoff with full jitter (as the TypeScript SDK's backoff.ts)."""

import random
from typing import Callable

# 2**n overflows a float past 1023; the cap is reached long before that.
_MAX_EXPONENT = 1023


def backoff_delay(attempt: int, base_s: float, cap_s: float, rand: Callable[[], float] = random.random) -> float:
    """Delay before the `attempt`-th consecutive retry (0-based): `rand() * min(cap, base * 2**attempt)`.

    Full jitter spreads many bots that lost one collector at the same moment. `rand` is injectable for tests.
    """
    n = min(max(int(attempt), 0), _MAX_EXPONENT)
    base = base_s if base_s > 0 else 0.0
    cap = cap_s if cap_s > 0 else 0.0
    ceiling = min(cap, base * (2.0**n))
    r = rand()
    if not r >= 0:
        r = 0.0
    if r >= 1:
        r = 0.999999
    return r * ceiling
