"""Settings read from the environment: which model plays which role, sampling defaults, the request switch."""

import os

from ..errors import InputError

ROLES = ("customer", "judge")
DEFAULT_TEMPERATURE = 0.7
_FALSE = frozenset({"0", "false", "no", "off"})


def default_model(role: str = "customer") -> str | None:
    """The model configured for `role`, or None when none is (the caller then uses its offline default).

    `ROLEPLAY_MODEL` serves the customer; `ROLEPLAY_JUDGE_MODEL` the judge, falling back to `ROLEPLAY_MODEL`.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    judge = os.environ.get("ROLEPLAY_JUDGE_MODEL", "").strip() if role == "judge" else ""
    return judge or os.environ.get("ROLEPLAY_MODEL", "").strip() or None


def default_temperature() -> float:
    """`ROLEPLAY_TEMPERATURE`, else 0.7. Callers that need determinism (the judge) pass their own."""
    raw = os.environ.get("ROLEPLAY_TEMPERATURE", "").strip()
    if not raw:
        return DEFAULT_TEMPERATURE
    value = env_float("ROLEPLAY_TEMPERATURE", raw)
    if not 0.0 <= value <= 2.0:
        raise InputError(f"must be between 0 and 2, got {raw!r}", field="ROLEPLAY_TEMPERATURE")
    return value


def default_max_tokens() -> int | None:
    """`ROLEPLAY_MAX_TOKENS`, else None (the provider's own limit)."""
    raw = os.environ.get("ROLEPLAY_MAX_TOKENS", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"must be a whole number, got {raw!r}", field="ROLEPLAY_MAX_TOKENS") from None
    if value < 1:
        raise InputError(f"must be at least 1, got {raw!r}", field="ROLEPLAY_MAX_TOKENS")
    return value


def env_allows_requests() -> bool:
    """`ROLEPLAY_ALLOW_MODEL_REQUESTS` (default true); 0/false/no/off forbid real model requests."""
    return os.environ.get("ROLEPLAY_ALLOW_MODEL_REQUESTS", "1").strip().lower() not in _FALSE


def env_float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise InputError(f"must be a number, got {raw!r}", field=name) from None
