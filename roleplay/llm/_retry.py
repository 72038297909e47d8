"""How often and how patiently a failed provider call is tried again."""

import os
import random
from dataclasses import dataclass

from ..errors import InputError
from ._config import env_float


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff: try `attempts` times in all, waiting base * 2**n (at most `max_delay`)
    between tries; with `jitter` each wait is drawn from [wait/2, wait] so concurrent sessions spread out."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failed attempt (1-based)."""
        wait = min(self.max_delay, self.base_delay * (2 ** (failures - 1)))
        return random.uniform(wait / 2, wait) if self.jitter else wait

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        """The default policy, adjustable per process (e.g. a test server) with `ROLEPLAY_RETRY_ATTEMPTS`,
        `ROLEPLAY_RETRY_BASE_DELAY` and `ROLEPLAY_RETRY_MAX_DELAY`."""
        key = tuple(os.environ.get(name, "") for name in _ENV)
        cached = _from_env_cache.get(key)
        if cached is None:
            cached = _from_env_cache[key] = _build(*key)
        return cached


_ENV = ("ROLEPLAY_RETRY_ATTEMPTS", "ROLEPLAY_RETRY_BASE_DELAY", "ROLEPLAY_RETRY_MAX_DELAY")
_from_env_cache: dict[tuple[str, ...], RetryPolicy] = {}


def _build(attempts: str, base: str, cap: str) -> RetryPolicy:
    default = RetryPolicy()
    try:
        n = int(attempts) if attempts.strip() else default.attempts
    except ValueError:
        raise InputError(f"must be a whole number, got {attempts!r}", field=_ENV[0]) from None
    try:
        return RetryPolicy(
            attempts=n,
            base_delay=env_float(_ENV[1], base) if base.strip() else default.base_delay,
            max_delay=env_float(_ENV[2], cap) if cap.strip() else default.max_delay,
        )
    except ValueError as exc:
        raise InputError(str(exc), field="ROLEPLAY_RETRY_*") from None
