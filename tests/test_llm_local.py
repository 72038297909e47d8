"""End to end through litellm on the real local model (SmolLM2-135M-Instruct in llama.cpp). It writes
broken Dutch: these tests check the code path (text, tokens, streaming, JSON schema), never quality."""

import importlib.util
import json
import threading

import pytest
from pydantic import BaseModel

from roleplay.errors import ModelError
from roleplay.llm import RetryPolicy, complete, stream

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python is not installed (pip install 'roleplay[local]')"),
]

MESSAGES = [
    {"role": "system", "content": "Je bent een klant van een energiebedrijf. Antwoord kort, "
                                  "in het Nederlands."},
    {"role": "user", "content": "Goedemiddag, u spreekt met Sanne. Waarmee kan ik u helpen?"},
]


class Verdict(BaseModel):
    item: str
    met: bool


def test_complete_on_the_local_model() -> None:
    result = complete(MESSAGES, model="local", max_tokens=24, temperature=0.2, seed=1)
    assert result.text.strip()
    assert result.model == "local/smollm2"
    assert result.prompt_tokens > 20
    assert 0 < result.completion_tokens <= 24
    assert result.finish_reason in ("stop", "length")


def test_stream_on_the_local_model() -> None:
    chunks = stream(MESSAGES, model="local", max_tokens=24, temperature=0.2, seed=1)
    received = list(chunks)
    assert len(received) > 1
    assert chunks.completion is not None
    assert chunks.completion.text == "".join(received)
    assert chunks.completion.prompt_tokens > 20
    assert 0 < chunks.completion.completion_tokens <= 26  # re-tokenised, may differ by a token


def test_json_schema_completion_on_the_local_model() -> None:
    messages = [
        {"role": "system", "content": "Beoordeel of de medewerker zich voorstelde. Antwoord in JSON."},
        {"role": "user", "content": "Medewerker: Goedemiddag, u spreekt met Sanne."},
    ]
    result = complete(messages, model="local", max_tokens=80, temperature=0.0, response_format=Verdict)
    verdict = Verdict.model_validate(json.loads(result.text))  # the grammar forces the schema
    assert isinstance(verdict.met, bool)


def test_a_slow_local_reply_times_out() -> None:
    with pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="local", max_tokens=400, timeout=0.05, retry=RetryPolicy(attempts=1))
    assert caught.value.kind == "timeout"
    # The model is usable again at once.
    assert complete(MESSAGES, model="local", max_tokens=5).text


def test_concurrent_calls_share_one_model_safely() -> None:
    results: list[str] = []

    def worker() -> None:
        results.append(complete(MESSAGES, model="local", max_tokens=8, temperature=0.0, seed=3).text)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and len(set(results)) == 1  # same seed, same prompt, one at a time
