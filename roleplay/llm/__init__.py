"""The single entry point for LLM calls, over litellm. Small private modules hold the parts; import from here.

Models are litellm model strings (`openai/gpt-4o-mini`, `ollama/...`) or one of ours:
`local` / `local/<file.gguf>` (llama.cpp in-process; plain `local` is the packaged SmolLM2) and
`fake` / `fake/<name>` (scripted, for tests: see `fake_llm`). Importing this package does not import litellm.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from ._config import default_max_tokens, default_model, default_temperature, env_allows_requests
from ._entry import Completion, TextStream, complete, resolve_model, stream, supports_structured_output
from ._fake import FakeCall, FakeLLM, count_tokens, fake_llm
from ._retry import RetryPolicy

ALLOW_MODEL_REQUESTS: bool = env_allows_requests()
"""When False, every model but `fake/...` and `local...` fails with ModelError(kind="forbidden") before
litellm is called. Set from ROLEPLAY_ALLOW_MODEL_REQUESTS (default true); tests turn it off. It lives here,
not in a private module, so that `roleplay.llm.ALLOW_MODEL_REQUESTS = False` is the switch itself."""


@contextmanager
def override_allow_model_requests(allow: bool) -> Iterator[None]:
    """Set ALLOW_MODEL_REQUESTS for the duration of the block."""
    global ALLOW_MODEL_REQUESTS
    before = ALLOW_MODEL_REQUESTS
    ALLOW_MODEL_REQUESTS = allow
    try:
        yield
    finally:
        ALLOW_MODEL_REQUESTS = before


__all__ = [
    "ALLOW_MODEL_REQUESTS",
    "Completion",
    "FakeCall",
    "FakeLLM",
    "RetryPolicy",
    "TextStream",
    "complete",
    "count_tokens",
    "default_max_tokens",
    "default_model",
    "default_temperature",
    "fake_llm",
    "override_allow_model_requests",
    "resolve_model",
    "stream",
    "supports_structured_output",
]
