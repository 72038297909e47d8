"""roleplay.llm over litellm, on the scripted `fake` provider: replies, streaming, faults and retries,
the request switch, structured output, token counts, configuration."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from roleplay import llm
from roleplay.errors import InputError, ModelError
from roleplay.llm import RetryPolicy, _litellm, complete, count_tokens, fake_llm, stream

FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)
MESSAGES = [
    {"role": "system", "content": "Je bent een klant die belt over een kapotte wasmachine."},
    {"role": "user", "content": "Goedemiddag, u spreekt met Sanne. Waarmee kan ik u helpen?"},
]
RETRYABLE = ["timeout", "rate_limit", "connection", "unavailable", "empty"]


class Verdict(BaseModel):
    item: str
    met: bool
    quote: str | None = None


def test_complete_goes_through_litellm_to_the_fake_provider() -> None:
    with fake_llm(replies=["Mijn wasmachine lekt, al drie dagen."]) as fake:
        result = complete(MESSAGES, model="fake/klant", temperature=0.3, max_tokens=50, seed=7)
    assert result.text == "Mijn wasmachine lekt, al drie dagen."
    assert result.model == "fake/klant"
    assert result.finish_reason == "stop"
    assert result.attempts == 1
    [call] = fake.calls
    assert call.model == "fake/klant"
    assert call.messages == MESSAGES
    assert call.params["temperature"] == 0.3
    assert call.params["max_tokens"] == 50
    assert call.params["seed"] == 7
    assert not call.stream


def test_stream_yields_word_chunks_and_a_completion() -> None:
    with fake_llm(replies=["Ik bel over mijn factuur, die klopt niet."]) as fake:
        chunks = stream(MESSAGES, model="fake")
        received = list(chunks)
    assert received == ["Ik ", "bel ", "over ", "mijn ", "factuur, ", "die ", "klopt ", "niet."]
    assert chunks.text == "Ik bel over mijn factuur, die klopt niet."
    assert chunks.completion is not None
    assert chunks.completion.text == chunks.text
    assert chunks.completion.completion_tokens == 10
    assert chunks.completion.prompt_tokens == fake.calls[0].prompt_tokens > 0
    assert fake.calls[0].stream


def test_unscripted_fake_replies_with_a_deterministic_dutch_echo() -> None:
    first = complete(MESSAGES, model="fake").text
    again = complete(MESSAGES, model="fake/anders").text
    assert first == again
    assert "Waarmee kan ik u helpen?" in first
    assert first.startswith("U zegt:")


@pytest.mark.parametrize("kind", RETRYABLE)
def test_each_retryable_fault_is_retried_then_raised_with_its_kind(kind: str) -> None:
    with fake_llm(replies=["nooit"], faults=[kind] * 3) as fake, pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="fake/klant", retry=FAST)
    assert caught.value.kind == kind
    assert caught.value.model == "fake/klant"
    assert caught.value.partial == ""
    assert len(fake.calls) == 3
    assert "3 keer geprobeerd" in str(caught.value)
    assert "Uw gesprek blijft bewaard." in str(caught.value)


@pytest.mark.parametrize("kind", RETRYABLE)
def test_each_retryable_fault_before_the_first_chunk_is_retried_when_streaming(kind: str) -> None:
    with fake_llm(replies=["nooit"], faults=[kind] * 3) as fake:
        chunks = stream(MESSAGES, model="fake", retry=FAST)
        with pytest.raises(ModelError) as caught:
            list(chunks)
    assert caught.value.kind == kind
    assert len(fake.calls) == 3


@pytest.mark.parametrize("kind", RETRYABLE)
def test_retry_succeeds_after_one_fault(kind: str) -> None:
    with fake_llm(replies=["Dat klopt."], faults=[kind]) as fake:
        result = complete(MESSAGES, model="fake", retry=FAST)
    assert result.text == "Dat klopt."
    assert result.attempts == 2
    assert [c.fault for c in fake.calls[:2]] == [kind, None]


def test_stream_retry_succeeds_after_one_fault() -> None:
    with fake_llm(replies=["Goed zo."], faults=["timeout"]):
        chunks = stream(MESSAGES, model="fake", retry=FAST)
        assert "".join(chunks) == "Goed zo."
    assert chunks.completion is not None and chunks.completion.attempts == 2


def test_the_timeout_message_is_dutch_and_says_what_happened() -> None:
    with fake_llm(faults=["timeout"]), pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="fake", retry=RetryPolicy(attempts=1))
    assert str(caught.value).startswith("Het taalmodel reageert niet (time-out).")


@pytest.mark.parametrize("kind", ["auth", "bad_request"])
def test_faults_a_retry_cannot_cure_fail_at_once(kind: str) -> None:
    with fake_llm(replies=["nooit"], faults=[kind]) as fake, pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="fake", retry=FAST)
    assert caught.value.kind == kind
    assert len(fake.calls) == 1


def test_backoff_waits_between_attempts() -> None:
    slow = RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.05, jitter=False)
    with fake_llm(replies=["ja"], faults=["rate_limit"]):
        start = time.perf_counter()
        complete(MESSAGES, model="fake", retry=slow)
    assert time.perf_counter() - start >= 0.05


def test_retry_policy_delays_are_exponential_bounded_and_jittered() -> None:
    plain = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=False)
    assert [plain.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    jittered = RetryPolicy(base_delay=0.5, max_delay=4.0)
    for n in (1, 2, 6):
        assert plain.delay(n) / 2 <= jittered.delay(n) <= plain.delay(n)
    assert RetryPolicy() == RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0, jitter=True)
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


def test_retry_policy_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEPLAY_RETRY_ATTEMPTS", "5")
    monkeypatch.setenv("ROLEPLAY_RETRY_BASE_DELAY", "0.01")
    assert RetryPolicy.from_env() == RetryPolicy(attempts=5, base_delay=0.01, max_delay=4.0)
    monkeypatch.setenv("ROLEPLAY_RETRY_ATTEMPTS", "veel")
    with pytest.raises(InputError, match="ROLEPLAY_RETRY_ATTEMPTS"):
        RetryPolicy.from_env()


def test_a_fault_mid_stream_keeps_the_partial_text() -> None:
    with fake_llm(replies=["Ik wil mijn geld terug, nu meteen graag."], faults=["midstream"]) as fake:
        chunks = stream(MESSAGES, model="fake", retry=FAST)
        received: list[str] = []
        with pytest.raises(ModelError) as caught:
            for chunk in chunks:
                received.append(chunk)
    assert received == ["Ik ", "wil ", "mijn ", "geld "]  # the fake drops the line halfway
    assert caught.value.partial == "Ik wil mijn geld "
    assert caught.value.kind == "connection"
    assert "halverwege" in str(caught.value)
    assert len(fake.calls) == 1  # no retry once text has reached the caller


def test_closing_a_stream_early_is_fine() -> None:
    with fake_llm(replies=["een twee drie vier", "vijf"]):
        chunks = stream(MESSAGES, model="fake")
        assert next(chunks) == "een "
        chunks.close()
        assert complete(MESSAGES, model="fake").text == "vijf"


def test_a_real_model_is_forbidden_when_the_switch_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert llm.ALLOW_MODEL_REQUESTS is False  # conftest
    litellm = _litellm.get()
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(litellm, "completion", lambda **kw: calls.append(kw))

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    for model in ("openai/gpt-4o-mini", "gpt-4o", "ollama/llama3"):
        with pytest.raises(ModelError) as caught:
            complete(MESSAGES, model=model)
        assert caught.value.kind == "forbidden"
        assert caught.value.model == model
        assert "ROLEPLAY_ALLOW_MODEL_REQUESTS" in str(caught.value)
        with pytest.raises(ModelError, match="uitgeschakeld"):
            stream(MESSAGES, model=model)  # refused at the call, not on first iteration
    assert calls == []


def test_fake_and_local_models_pass_the_switch() -> None:
    assert complete(MESSAGES, model="fake").text
    with pytest.raises(ModelError) as caught:  # refused for a missing file, not by the switch
        complete(MESSAGES, model="local//nergens/model.gguf")
    assert caught.value.kind == "setup"
    assert "/nergens/model.gguf" in str(caught.value)


def test_the_switch_reads_the_environment() -> None:
    code = "import roleplay.llm as l; print(l.ALLOW_MODEL_REQUESTS)"
    for value, expected in (("0", "False"), ("off", "False"), ("1", "True")):
        env = {**os.environ, "ROLEPLAY_ALLOW_MODEL_REQUESTS": value}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parents[1])
        assert out.stdout.strip() == expected


def test_unknown_provider_fails_at_once_without_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    with llm.override_allow_model_requests(True), pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="geenprovider/model", retry=FAST)
    assert caught.value.kind == "not_found"
    assert "geenprovider/model" in str(caught.value)
    with pytest.raises(ModelError, match="geen taalmodel ingesteld"):
        complete(MESSAGES, model=" ")


def test_structured_output_from_a_pydantic_class_reaches_the_provider() -> None:
    with fake_llm() as fake:
        result = complete(MESSAGES, model="fake/judge", response_format=Verdict, temperature=0)
    sent = fake.calls[0].params["response_format"]
    assert sent == {"type": "json_schema",
                    "json_schema": {"name": "Verdict", "schema": Verdict.model_json_schema()}}
    assert Verdict.model_validate_json(result.text) == Verdict(item="", met=False)


def test_structured_output_from_a_json_schema_dict() -> None:
    schema = {"title": "Oordeel", "type": "object", "required": ["score", "reden"],
              "properties": {"score": {"type": "integer", "minimum": 1}, "reden": {"type": "string"},
                             "label": {"enum": ["goed", "fout"]}}}
    with fake_llm(replies=['{"score": 3, "reden": "netjes"}']) as fake:
        result = complete(MESSAGES, model="fake", response_format=schema)
    assert fake.calls[0].params["response_format"]["json_schema"] == {"name": "Oordeel", "schema": schema}
    assert json.loads(result.text) == {"score": 3, "reden": "netjes"}  # scripted text comes back raw
    with fake_llm():
        assert json.loads(complete(MESSAGES, model="fake", response_format=schema).text) == {
            "score": 1, "reden": ""}


def test_structured_output_is_left_out_for_a_model_litellm_says_cannot_take_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    litellm = _litellm.get()
    sent: list[dict[str, Any]] = []

    def capture(**kwargs: Any) -> Any:
        sent.append(kwargs)
        raise litellm.exceptions.BadRequestError(message="stop here", model="x", llm_provider="x")

    monkeypatch.setattr(litellm, "completion", capture)
    with llm.override_allow_model_requests(True):
        for model in ("ollama/llama3", "openai/gpt-4o-mini"):
            with pytest.raises(ModelError):
                complete(MESSAGES, model=model, response_format=Verdict)
    assert "response_format" not in sent[0]
    assert sent[1]["response_format"]["json_schema"]["name"] == "Verdict"
    assert sent[1]["max_retries"] == 0  # our retry loop is the only one
    assert llm.supports_structured_output("fake") and llm.supports_structured_output("local")


def test_token_counting_is_deterministic() -> None:
    assert count_tokens("Goedemiddag, meneer!") == 4
    assert count_tokens("Als ik het goed begrijp, klopt dat?") == 9
    assert count_tokens("") == 0
    with fake_llm(replies=["Ja, dat klopt.", "Nee."], faults=["timeout"]) as fake:  # 5 and 2 tokens
        first = complete(MESSAGES, model="fake", retry=FAST)
        second = complete(MESSAGES, model="fake", retry=FAST)
    prompt = sum(count_tokens(m["content"]) for m in MESSAGES)
    assert (first.prompt_tokens, first.completion_tokens) == (prompt, 5)
    assert (second.prompt_tokens, second.completion_tokens) == (prompt, 2)
    # The timed-out call got no reply, so it counts for nothing (as a provider would bill it).
    assert fake.prompt_tokens == 2 * prompt
    assert fake.completion_tokens == 7
    assert [c.completion_tokens for c in fake.calls] == [0, 5, 2]


def test_max_tokens_cuts_the_fake_reply() -> None:
    with fake_llm(replies=["een twee drie vier vijf"]):
        result = complete(MESSAGES, model="fake", max_tokens=3)
    assert (result.text, result.finish_reason, result.completion_tokens) == ("een twee drie", "length", 3)


def test_latency_and_timeout() -> None:
    with fake_llm(replies=["ja"], latency=0.05):
        start = time.perf_counter()
        complete(MESSAGES, model="fake")
        assert time.perf_counter() - start >= 0.05
    with fake_llm(replies=["ja"], latency=0.5) as fake, pytest.raises(ModelError) as caught:
        start = time.perf_counter()
        complete(MESSAGES, model="fake", timeout=0.01, retry=RetryPolicy(attempts=2, base_delay=0.001))
    assert caught.value.kind == "timeout"
    assert len(fake.calls) == 2
    assert time.perf_counter() - start < 0.4


def test_a_named_script_answers_only_its_model() -> None:
    with fake_llm(replies=["klant"], cycle=True), fake_llm(replies=["rechter"], name="judge", cycle=True):
        assert complete(MESSAGES, model="fake/judge").text == "rechter"
        assert complete(MESSAGES, model="fake/klant").text == "klant"


def test_a_reply_function_gets_the_messages() -> None:
    with fake_llm(replies=lambda messages: f"{len(messages)} berichten"):
        assert complete(MESSAGES, model="fake").text == "2 berichten"


def test_a_script_that_runs_out_fails_clearly() -> None:
    with fake_llm(replies=["een"]), pytest.raises(ModelError) as caught:
        complete(MESSAGES, model="fake")
        complete(MESSAGES, model="fake")
    assert caught.value.kind == "bad_request"
    assert "ran out of scripted replies" in str(caught.value.__cause__)
    with pytest.raises(ValueError, match="unknown fake fault"), fake_llm(faults=["kapot"]):
        pass


def test_the_fake_is_thread_safe() -> None:
    replies = [f"antwoord {i}" for i in range(200)]
    seen: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            text = complete(MESSAGES, model="fake").text
            with lock:
                seen.append(text)

    with fake_llm(replies=replies) as fake:
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(seen) == sorted(replies)
    assert len(fake.calls) == 200
    assert fake.completion_tokens == 400


def test_the_environment_scripts_the_fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    replies = tmp_path / "replies.yaml"
    replies.write_text("- Eerste antwoord.\n- Tweede antwoord.\n", encoding="utf-8")
    monkeypatch.setenv("ROLEPLAY_FAKE_REPLIES", str(replies))
    monkeypatch.setenv("ROLEPLAY_FAKE_FAULTS", "rate_limit,")
    monkeypatch.setenv("ROLEPLAY_FAKE_LATENCY", "0.01")
    texts = [complete(MESSAGES, model="fake", retry=FAST).text for _ in range(3)]
    assert texts == ["Eerste antwoord.", "Tweede antwoord.", "Eerste antwoord."]  # cycles
    monkeypatch.setenv("ROLEPLAY_FAKE_LATENCY", "traag")
    with pytest.raises(InputError, match="ROLEPLAY_FAKE_LATENCY"):
        complete(MESSAGES, model="fake")


def test_the_environment_scripts_the_fake_in_another_process(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(["Hallo vanuit een ander proces."]), encoding="utf-8")
    code = ("from roleplay.llm import complete, RetryPolicy\n"
            "r = complete([{'role': 'user', 'content': 'hoi'}], model='fake', "
            "retry=RetryPolicy(base_delay=0.001, max_delay=0.001))\n"
            "print(r.text, r.attempts)\n")
    env = {**os.environ, "ROLEPLAY_FAKE_REPLIES": str(replies), "ROLEPLAY_FAKE_FAULTS": "empty",
           "ROLEPLAY_FAKE_LATENCY": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert out.stdout.strip() == "Hallo vanuit een ander proces. 2"
    assert out.stderr == ""


def test_litellm_async_entry_points_work_on_the_fake() -> None:
    litellm = _litellm.get()

    async def run() -> tuple[str, str]:
        response = await litellm.acompletion(model="fake/x", messages=MESSAGES)
        chunks = await litellm.acompletion(model="fake/x", messages=MESSAGES, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in chunks])
        return response.choices[0].message.content, text

    with fake_llm(replies=["Async werkt.", "Ook gestreamd."]):
        assert asyncio.run(run()) == ("Async werkt.", "Ook gestreamd.")


def test_default_model_and_sampling_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ROLEPLAY_MODEL", "ROLEPLAY_JUDGE_MODEL", "ROLEPLAY_TEMPERATURE", "ROLEPLAY_MAX_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    assert llm.default_model("customer") is None
    assert llm.default_model("judge") is None
    monkeypatch.setenv("ROLEPLAY_MODEL", "local")
    assert llm.default_model("customer") == "local"
    assert llm.default_model("judge") == "local"
    monkeypatch.setenv("ROLEPLAY_JUDGE_MODEL", "fake/judge")
    assert llm.default_model("judge") == "fake/judge"
    with pytest.raises(ValueError):
        llm.default_model("trainer")
    assert llm.default_temperature() == 0.7
    assert llm.default_max_tokens() is None
    monkeypatch.setenv("ROLEPLAY_TEMPERATURE", "0.2")
    monkeypatch.setenv("ROLEPLAY_MAX_TOKENS", "120")
    with fake_llm() as fake:
        complete(MESSAGES, model="fake")
        complete(MESSAGES, model="fake", temperature=0.0, max_tokens=5)
    assert (fake.calls[0].params["temperature"], fake.calls[0].params["max_tokens"]) == (0.2, 120)
    assert (fake.calls[1].params["temperature"], fake.calls[1].params["max_tokens"]) == (0.0, 5)
    monkeypatch.setenv("ROLEPLAY_TEMPERATURE", "warm")
    with pytest.raises(InputError, match="ROLEPLAY_TEMPERATURE"):
        llm.default_temperature()
    monkeypatch.setenv("ROLEPLAY_MAX_TOKENS", "0")
    with pytest.raises(InputError, match="ROLEPLAY_MAX_TOKENS"):
        llm.default_max_tokens()


def test_model_names_resolve() -> None:
    assert llm.resolve_model("fake") == ("fake/default", "fake")
    assert llm.resolve_model("local") == ("local/smollm2", "local")
    assert llm.resolve_model("local//models/x.gguf") == ("local//models/x.gguf", "local")
    assert llm.resolve_model("openai/gpt-4o-mini") == ("openai/gpt-4o-mini", None)


def test_importing_the_package_does_not_import_litellm() -> None:
    code = "import sys, roleplay.llm; print('litellm' in sys.modules, 'llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False False"
