"""Read YAML/JSON files keeping the line of every field, so validation errors can point at it."""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ContentError
from .models._base import FieldError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class LineMap:
    """Maps a field path (('items', 3, 'tip')) to the 1-based line where it starts."""

    def __init__(self, lines: dict[Loc, int]) -> None:
        self._lines = lines

    def line(self, loc: Iterable[str | int]) -> int | None:
        path = tuple(loc)
        while True:
            if path in self._lines:
                return self._lines[path]
            if not path:
                return None
            path = path[:-1]


def _walk(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            out[(*path, k)] = key.start_mark.line + 1
            _walk(value, (*path, k), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk(value, (*path, i), out)


def read(path: Path) -> tuple[Any, LineMap]:
    """Parse a .yaml/.yml/.json file; bad syntax becomes a ContentError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"cannot read file ({exc.__class__.__name__})", file=path) from None
    lines: dict[Loc, int] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContentError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno) from None
        try:  # JSON is YAML for the purpose of finding lines; best effort only
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            if node is not None:
                _walk(node, (), lines)
        except yaml.YAMLError:
            pass
        return data, LineMap(lines)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        if "end of stream" in problem and getattr(exc, "context_mark", None) is not None:
            # an unclosed quote or bracket: point at where it was opened, not at the end of the file
            mark = exc.context_mark  # type: ignore[attr-defined]
            problem = f"{context} that is never closed" if context else problem
        raise ContentError(f"invalid YAML: {problem}", file=path, line=mark.line + 1 if mark else None) from None
    if node is not None:
        _walk(node, (), lines)
    return data, LineMap(lines)


def _field(loc: Loc) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not allowed here)"
    msg: str = err["msg"]
    return msg.removeprefix("Value error, ")


def validate(model: type[M], data: Any, path: Path, lines: LineMap) -> M:
    """Validate data against a model; the first error becomes a ContentError with file, line and field."""
    if not isinstance(data, dict):
        raise ContentError(
            f"expected a mapping of fields at the top level, got {type(data).__name__}", file=path, line=1
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc: Loc = tuple(err["loc"])
        msg = _message(err)
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):  # a cross-field check that knows which field is wrong
            loc, msg = (*loc, *cause.loc), cause.message
        elif err["type"] in ("literal_error", "enum"):
            msg = f"{msg} (got {err.get('input')!r})"
        more = len(exc.errors()) - 1
        if more:
            msg += f" (and {more} more error{'s' if more > 1 else ''})"
        raise ContentError(msg, file=path, line=lines.line(loc), field=_field(loc)) from None


def load(model: type[M], path: Path) -> tuple[M, LineMap]:
    data, lines = read(path)
    return validate(model, data, path, lines), lines
