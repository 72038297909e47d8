"""litellm, imported on first use (it takes seconds), kept offline and quiet, our providers registered."""

import functools
import logging
import os
import threading
from types import ModuleType
from typing import Any

CUSTOM_PROVIDERS = ("fake", "local")
_module: ModuleType | None = None
_lock = threading.Lock()


def get() -> ModuleType:
    """The litellm module, set up once per process."""
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            _setup()
    assert _module is not None
    return _module


def _setup() -> None:
    global _module
    # Before the import: otherwise litellm fetches its model cost map over the network.
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    import litellm

    litellm.suppress_debug_info = True  # no "Provider List: ..." banners on stdout
    litellm.set_verbose = False  # type: ignore[attr-defined]
    litellm.telemetry = False
    litellm.disable_hf_tokenizer_download = True  # token counting must not reach the hub
    # Per-chunk success logging feeds litellm callbacks we do not use; it costs ~3 ms on a 17-chunk stream.
    litellm.disable_streaming_logging = True
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)

    from ._providers import FakeProvider, LocalProvider

    ours = [{"provider": "fake", "custom_handler": FakeProvider()},
            {"provider": "local", "custom_handler": LocalProvider()}]
    others = [p for p in litellm.custom_provider_map if p.get("provider") not in CUSTOM_PROVIDERS]
    litellm.custom_provider_map = [*others, *ours]  # type: ignore[list-item]
    _module = litellm


@functools.cache
def supports_schema(model: str) -> bool:
    """Whether litellm knows `model` takes a JSON schema `response_format` (False when it does not know)."""
    try:
        return bool(get().supports_response_schema(model=model))
    except Exception:
        return False


@functools.cache
def supports_stream_usage(model: str) -> bool:
    """Whether to ask for usage in the last stream chunk (`stream_options`); unknown models are not asked."""
    try:
        params: Any = get().get_supported_openai_params(model=model)
    except Exception:
        return False
    return bool(params) and "stream_options" in params
