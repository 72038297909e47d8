"""litellm custom providers `fake/...` and `local/...`. Imports litellm: only `_litellm.py` imports this."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from litellm import exceptions
from litellm.llms.custom_llm import CustomLLM, CustomLLMError
from litellm.types.utils import GenericStreamingChunk, ModelResponse, Usage

from . import _fake, _local


def _chunk(text: str, finish_reason: str = "", usage: dict[str, int] | None = None) -> GenericStreamingChunk:
    return GenericStreamingChunk(text=text, is_finished=bool(finish_reason), finish_reason=finish_reason,
                                 usage=usage, index=0, tool_use=None)  # type: ignore[typeddict-item]


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _fill(response: ModelResponse, model: str, text: str, finish: str, prompt: int,
          completion: int) -> ModelResponse:
    response.choices[0].message.content = text
    response.choices[0].finish_reason = finish  # type: ignore[assignment]
    response.model = model
    response.usage = Usage(  # type: ignore[attr-defined]
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)
    return response


def _seconds(timeout: Any) -> float | None:
    return float(timeout) if isinstance(timeout, int | float) else None


class _Provider(CustomLLM):
    """Async entry points run the sync ones in a worker thread (deepeval and friends call acompletion)."""

    async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(self.completion, *args, **kwargs)

    async def astreaming(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> AsyncIterator[GenericStreamingChunk]:
        chunks = self.streaming(*args, **kwargs)
        done = object()
        while (chunk := await asyncio.to_thread(next, chunks, done)) is not done:
            yield chunk  # type: ignore[misc]


class FakeProvider(_Provider):
    """`fake/<name>`: answers from the active `fake_llm()` script (see `_fake.py`)."""

    def _plan(self, model: str, messages: list[Any], params: dict[str, Any], timeout: Any,
              stream: bool) -> _fake.Plan:
        seconds = _seconds(timeout)
        recorded = {**params, "timeout": seconds}
        recorded.pop("stream", None)
        recorded.pop("stream_options", None)
        script = _fake.script_for(model)
        try:
            plan = script.plan(f"fake/{model}", [dict(m) for m in messages], recorded, stream)
        except _fake.ScriptError as exc:
            raise _bad_request(str(exc)) from exc
        except Exception as exc:  # a test's reply function failed: litellm would call it a connection error
            raise _bad_request(f"fake_llm reply function failed: {exc!r}") from exc
        if plan.latency:
            time.sleep(plan.latency)
        if plan.fault not in (None, "empty", "midstream"):
            raise _fault(plan.fault, model)
        return plan

    def completion(self, model: str, messages: list[Any], api_base: str, custom_prompt_dict: dict[str, Any],
                   model_response: ModelResponse, print_verbose: Any, encoding: Any, api_key: Any,
                   logging_obj: Any, optional_params: dict[str, Any], acompletion: Any = None,
                   litellm_params: Any = None, logger_fn: Any = None, headers: Any = None,
                   timeout: Any = None, client: Any = None) -> ModelResponse:
        plan = self._plan(model, messages, optional_params, timeout, stream=False)
        return _fill(model_response, f"fake/{model}", plan.text, plan.finish_reason, plan.prompt_tokens,
                     plan.completion_tokens)

    def streaming(self, model: str, messages: list[Any], api_base: str, custom_prompt_dict: dict[str, Any],
                  model_response: ModelResponse, print_verbose: Any, encoding: Any, api_key: Any,
                  logging_obj: Any, optional_params: dict[str, Any], acompletion: Any = None,
                  litellm_params: Any = None, logger_fn: Any = None, headers: Any = None,
                  timeout: Any = None, client: Any = None) -> Iterator[GenericStreamingChunk]:
        plan = self._plan(model, messages, optional_params, timeout, stream=True)
        chunks = _fake.word_chunks(plan.text)
        if plan.fault == "midstream":
            for piece in chunks[: max(1, len(chunks) // 2)]:
                yield _chunk(piece)
            raise _fault("connection", model)
        for piece in chunks:
            yield _chunk(piece)
        yield _chunk("", plan.finish_reason, _usage(plan.prompt_tokens, plan.completion_tokens))


def _fault(kind: str, model: str) -> Exception:
    message = f"fake/{model}: injected fault '{kind}'"
    if kind == "timeout":
        return exceptions.Timeout(message=message, model=model, llm_provider="fake")
    if kind == "rate_limit":
        return exceptions.RateLimitError(message=message, model=model, llm_provider="fake")
    if kind == "connection":
        return exceptions.APIConnectionError(message=message, model=model, llm_provider="fake")
    if kind == "unavailable":
        return exceptions.ServiceUnavailableError(message=message, model=model, llm_provider="fake")
    if kind == "auth":
        return exceptions.AuthenticationError(message=message, model=model, llm_provider="fake")
    return _bad_request(message)


def _bad_request(message: str, status: int = 400) -> Exception:
    """litellm maps CustomLLMError by status: 400 -> BadRequestError (no retry), 500 -> InternalServerError"""
    return CustomLLMError(status_code=status, message=message)  # type: ignore[no-untyped-call]


class LocalProvider(_Provider):
    """`local/<name>`: llama.cpp in-process (see `_local.py`)."""

    def completion(self, model: str, messages: list[Any], api_base: str, custom_prompt_dict: dict[str, Any],
                   model_response: ModelResponse, print_verbose: Any, encoding: Any, api_key: Any,
                   logging_obj: Any, optional_params: dict[str, Any], acompletion: Any = None,
                   litellm_params: Any = None, logger_fn: Any = None, headers: Any = None,
                   timeout: Any = None, client: Any = None) -> ModelResponse:
        try:
            gen = _local.generate(model, [dict(m) for m in messages], optional_params, _seconds(timeout))
        except Exception as exc:
            raise _local_error(exc, model) from exc
        return _fill(model_response, f"local/{model}", gen.text, gen.finish_reason, gen.prompt_tokens,
                     gen.completion_tokens)

    def streaming(self, model: str, messages: list[Any], api_base: str, custom_prompt_dict: dict[str, Any],
                  model_response: ModelResponse, print_verbose: Any, encoding: Any, api_key: Any,
                  logging_obj: Any, optional_params: dict[str, Any], acompletion: Any = None,
                  litellm_params: Any = None, logger_fn: Any = None, headers: Any = None,
                  timeout: Any = None, client: Any = None) -> Iterator[GenericStreamingChunk]:
        messages = [dict(m) for m in messages]
        pieces = _local.generate_stream(model, messages, optional_params, _seconds(timeout))
        try:
            for piece in pieces:
                if isinstance(piece, str):
                    yield _chunk(piece)
                else:
                    usage = _usage(piece.prompt_tokens, piece.completion_tokens)
                    yield _chunk("", piece.finish_reason, usage)
        except Exception as exc:
            raise _local_error(exc, model) from exc
        finally:
            pieces.close()  # releases the model's lock at once


def _local_error(exc: Exception, model: str) -> Exception:
    if isinstance(exc, _local.LocalTimeout):
        return exceptions.Timeout(message=str(exc), model=model, llm_provider="local")
    if isinstance(exc, _local.LocalBadRequest | _local.LocalSetupError):
        return _bad_request(f"local/{model}: {exc}")
    return _bad_request(f"local/{model}: {exc!r}", status=500)
