"""Where content lives: a user's own folder (flag or env var), else the copy shipped in the package."""

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent
KINDS = ("personas", "checklists", "prompts", "golden")
_ENV = {k: f"ROLEPLAY_{k.upper()}" for k in KINDS}
# In a source checkout the data folders sit next to the package; in a wheel they are in roleplay/_data.
_SOURCE = {"personas": "personas", "checklists": "checklists", "prompts": "prompts", "golden": "evals/golden"}

_overrides: dict[str, Path] = {}


def set_dir(kind: str, path: str | Path | None) -> None:
    """Point a kind of content at a user folder for this process (from a CLI flag); None resets it."""
    if path is None:
        _overrides.pop(kind, None)
    else:
        _overrides[kind] = Path(path)


def reset() -> None:
    """Forget folders set by flags (the CLI calls this when a command ends, so in-process runs do not leak)."""
    _overrides.clear()


def data_dir(kind: str) -> Path:
    if kind not in KINDS:
        raise KeyError(kind)
    if kind in _overrides:
        return _overrides[kind]
    env = os.environ.get(_ENV[kind])
    if env:
        return Path(env)
    shipped = _PKG / "_data" / kind
    if shipped.is_dir():
        return shipped
    return _PKG.parent / _SOURCE[kind]


def schema_dir() -> Path:
    shipped = _PKG / "_data" / "schemas"
    return shipped if shipped.is_dir() else _PKG.parent / "schemas"
