"""Structured output: turning a pydantic class or JSON schema into litellm's `response_format`, reading the
schema back out on the provider side, and a deterministic instance of a schema for the fake provider."""

import functools
import re
from collections.abc import Mapping
from typing import Any

ResponseFormat = type | Mapping[str, Any]
_OPENAI_TYPES = frozenset({"json_schema", "json_object", "text"})


def response_format_param(response_format: ResponseFormat | None) -> dict[str, Any] | None:
    """litellm's `response_format` (OpenAI json_schema form) for a pydantic model class or a JSON schema.
    A dict that already has an OpenAI `type` (json_schema, json_object, text) passes through unchanged."""
    if response_format is None:
        return None
    if isinstance(response_format, type):
        if not hasattr(response_format, "model_json_schema"):
            raise TypeError(f"response_format must be a pydantic model class, got {response_format!r}")
        return _for_model(response_format)
    if isinstance(response_format, Mapping):
        if response_format.get("type") in _OPENAI_TYPES and "properties" not in response_format:
            return dict(response_format)
        schema = dict(response_format)
        return _wrap(str(schema.get("title") or "response"), schema)
    raise TypeError(f"response_format must be a pydantic model class or a JSON schema dict, "
                    f"got {type(response_format).__name__}")


@functools.cache
def _for_model(cls: type) -> dict[str, Any]:
    # model_json_schema costs about a millisecond; a class's schema does not change.
    return _wrap(cls.__name__, cls.model_json_schema())  # type: ignore[attr-defined]


def _wrap(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "response"
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


def schema_of(params: Mapping[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """(JSON asked for?, its schema if any) from the optional params litellm hands a custom provider."""
    rf = params.get("response_format")
    if not isinstance(rf, Mapping):
        return False, None
    kind = rf.get("type")
    if kind == "json_schema":
        inner = rf.get("json_schema")
        schema = inner.get("schema") if isinstance(inner, Mapping) else None
        return True, dict(schema) if isinstance(schema, Mapping) else None
    if kind == "json_object":
        schema = rf.get("schema")
        return True, dict(schema) if isinstance(schema, Mapping) else None
    return False, None


def example_for(schema: Mapping[str, Any] | None, root: Mapping[str, Any] | None = None) -> Any:
    """A small, deterministic instance of `schema`: required properties only, the first enum value, the
    minimum length of arrays, empty-ish scalars. Enough for code that parses a model's JSON to run."""
    if not schema:
        return {}
    root = root if root is not None else schema
    if "$ref" in schema:
        return example_for(_resolve(root, str(schema["$ref"])), root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if options:
            non_null = [o for o in options if o.get("type") != "null"] or options
            return example_for(non_null[0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {name: example_for(props[name], root) for name in required if name in props}
    if kind == "array":
        return [example_for(schema.get("items", {}), root) for _ in range(int(schema.get("minItems", 0)))]
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        if low is None:
            low = schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else 0
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    return None


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}
