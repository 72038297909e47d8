"""Shared test setup. No test may call a real language model: only `fake/...` and `local...` models run."""

import os
from collections.abc import Iterator

import pytest

# For processes a test starts (a server, the CLI): they inherit the switch from the environment.
os.environ["ROLEPLAY_ALLOW_MODEL_REQUESTS"] = "0"


@pytest.fixture(autouse=True)
def _forbid_model_requests() -> Iterator[None]:
    from roleplay import llm

    with llm.override_allow_model_requests(False):
        yield
