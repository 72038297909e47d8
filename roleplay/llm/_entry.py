"""complete() and stream(): the one way this project calls a language model, through litellm."""

import functools
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import _fake, _litellm, _local
from ._config import default_max_tokens, default_temperature
from ._faults import RETRYABLE, classify, forbidden_error, model_error, setup_error
from ._retry import RetryPolicy
from ._schema import ResponseFormat, response_format_param

Message = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str  # the model that answered, as its provider names it
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop", "length", ...
    attempts: int = 1


@functools.cache
def resolve_model(model: str) -> tuple[str, str | None]:
    """(model string for litellm, our custom provider or None). Plain `fake` and `local` get a default name:
    `fake/default`, and `local/smollm2` (the packaged SmolLM2)."""
    name = model.strip()
    provider, _, rest = name.partition("/")
    if provider in _litellm.CUSTOM_PROVIDERS:
        return f"{provider}/{rest or ('default' if provider == 'fake' else _local.DEFAULT_NAME)}", provider
    return name, None


def supports_structured_output(model: str) -> bool:
    """Whether `response_format` reaches `model` as a JSON schema. When not, ask for JSON in the prompt.
    (For a real model this imports litellm.)"""
    target, provider = resolve_model(model)
    return provider is not None or _litellm.supports_schema(target)


def complete(messages: Sequence[Message], *, model: str, temperature: float | None = None,
             max_tokens: int | None = None, response_format: ResponseFormat | None = None,
             timeout: float | None = None, seed: int | None = None,
             retry: RetryPolicy | None = None) -> Completion:
    """One chat completion. Faults a retry can cure (timeout, rate limit, connection, unavailable, empty
    reply) are retried per `retry` (default: RetryPolicy.from_env()); then, or at once for any other fault,
    a ModelError with a Dutch message and its `kind`. `temperature`/`max_tokens` default to
    ROLEPLAY_TEMPERATURE/ROLEPLAY_MAX_TOKENS. `response_format` (pydantic class or JSON schema) is sent as
    structured output where the model takes it; the text comes back raw either way."""
    target, provider = _prepare(model)
    litellm = _litellm.get()
    kwargs = _kwargs(target, provider, messages, temperature, max_tokens, response_format, timeout, seed)
    policy = retry or RetryPolicy.from_env()
    for attempt in range(1, policy.attempts + 1):
        last = attempt == policy.attempts
        try:
            response = litellm.completion(**kwargs)
        except Exception as exc:
            kind = _kind(exc, litellm)
            if last or kind not in RETRYABLE:
                raise model_error(kind, model, attempts=attempt) from exc
            time.sleep(policy.delay(attempt))
            continue
        choice = response.choices[0]
        text = choice.message.content or ""
        if not text.strip():
            if last:
                raise model_error("empty", model, attempts=attempt)
            time.sleep(policy.delay(attempt))
            continue
        usage = getattr(response, "usage", None)
        return Completion(text=text, model=response.model or target,
                          prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                          completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                          finish_reason=choice.finish_reason or "stop", attempts=attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class TextStream(Iterator[str]):
    """The chunks of a streamed reply. `text` holds what arrived so far; `completion` (with token counts
    where the provider reports them) is set once the stream is exhausted. Close it to stop early."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.completion: Completion | None = None
        self._pieces: list[str] = []
        self._chunks: Iterator[str] = iter(())

    @property
    def text(self) -> str:
        return "".join(self._pieces)

    def __next__(self) -> str:
        return next(self._chunks)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def stream(messages: Sequence[Message], *, model: str, temperature: float | None = None,
           max_tokens: int | None = None, response_format: ResponseFormat | None = None,
           timeout: float | None = None, seed: int | None = None,
           retry: RetryPolicy | None = None) -> TextStream:
    """Like complete(), chunk by chunk. A fault before the first chunk is retried; a fault after it raises
    ModelError with the text so far in `.partial`. Bad model names and a forbidden model fail here, at the
    call; provider faults surface while iterating."""
    target, provider = _prepare(model)
    litellm = _litellm.get()
    kwargs = _kwargs(target, provider, messages, temperature, max_tokens, response_format, timeout, seed)
    kwargs["stream"] = True
    if provider is not None or _litellm.supports_stream_usage(target):
        kwargs["stream_options"] = {"include_usage": True}
    result = TextStream(model)
    result._chunks = _stream_chunks(result, litellm, kwargs, model, target, provider,
                                    retry or RetryPolicy.from_env())
    return result


def _stream_chunks(result: TextStream, litellm: Any, kwargs: dict[str, Any], model: str, target: str,
                   provider: str | None, policy: RetryPolicy) -> Iterator[str]:
    pieces = result._pieces
    for attempt in range(1, policy.attempts + 1):
        last = attempt == policy.attempts
        finish, usage, answered_by, blank = "stop", None, None, ""
        response = None
        try:
            response = litellm.completion(**kwargs)
            for chunk in response:
                if chunk.choices:
                    choice = chunk.choices[0]
                    delta = choice.delta.content
                    if delta and not pieces and not delta.strip():
                        blank += delta  # held back: a reply of only whitespace is an empty reply, retried
                    elif delta:
                        delta, blank = blank + delta, ""
                        pieces.append(delta)
                        yield delta
                    finish = choice.finish_reason or finish
                usage = getattr(chunk, "usage", None) or usage
                answered_by = answered_by or getattr(chunk, "model", None)
        except Exception as exc:
            kind = _kind(exc, litellm)
            if pieces:
                raise model_error(kind, model, attempts=attempt, partial="".join(pieces)) from exc
            if last or kind not in RETRYABLE:
                raise model_error(kind, model, attempts=attempt) from exc
            time.sleep(policy.delay(attempt))
            continue
        finally:
            # Stops a provider still generating when the caller closes the stream early.
            close = getattr(getattr(response, "completion_stream", None), "close", None)
            if close is not None:
                close()
        if not pieces:
            if last:
                raise model_error("empty", model, attempts=attempt)
            time.sleep(policy.delay(attempt))
            continue
        result.completion = Completion(
            text="".join(pieces),
            model=target if provider else answered_by or target,  # our providers' chunks carry the bare name
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            finish_reason=finish, attempts=attempt)
        return


def _prepare(model: str) -> tuple[str, str | None]:
    """Resolve the model and refuse it before litellm sees it when it is forbidden or cannot start."""
    target, provider = resolve_model(model)
    if not target:
        raise model_error("not_found", model)
    if provider is None and not sys.modules[__package__].ALLOW_MODEL_REQUESTS:
        raise forbidden_error(model)
    if provider == "fake":
        _fake.script_for(target.partition("/")[2])  # a bad ROLEPLAY_FAKE_* setting fails here, as InputError
    elif provider == "local":
        try:
            _local.check(target.partition("/")[2])
        except _local.LocalSetupError as exc:
            raise setup_error(model, str(exc), install=exc.install) from None
    return target, provider


def _kwargs(target: str, provider: str | None, messages: Sequence[Message], temperature: float | None,
            max_tokens: int | None, response_format: ResponseFormat | None, timeout: float | None,
            seed: int | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": target,
        "messages": [dict(m) for m in messages],  # litellm may edit messages in place
        "temperature": default_temperature() if temperature is None else temperature,
    }
    max_tokens = default_max_tokens() if max_tokens is None else max_tokens
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    if timeout is not None:
        kwargs["timeout"] = timeout
    if seed is not None:
        kwargs["seed"] = seed
    rf = response_format_param(response_format)
    if rf is not None and (provider is not None or rf["type"] != "json_schema"
                           or _litellm.supports_schema(target)):
        kwargs["response_format"] = rf
    if provider is None:
        kwargs["max_retries"] = 0  # our RetryPolicy is the only retry loop (the openai SDK retries twice)
        kwargs["drop_params"] = True  # e.g. seed or temperature on a model that rejects them
    return kwargs


def _kind(exc: Exception, litellm: Any) -> str:
    """The fault kind; an exception that is neither litellm's nor an OS error is a bug and propagates."""
    import openai  # loaded with litellm; the base of every litellm provider exception

    kind = classify(exc, litellm)
    if kind == "error" and not isinstance(exc, openai.OpenAIError | OSError):
        raise exc
    return kind
