"""The `fake` provider's script: scripted replies, injected faults, recorded prompts. No litellm here;
`_providers.py` turns a planned fault into the litellm exception a real provider would raise.

In a test::

    with fake_llm(replies=["Goedemiddag.", "Dat klopt."], faults=["timeout"]) as fake:
        complete(messages, model="fake/klant")      # 1st call times out, the retry gets "Goedemiddag."
    assert len(fake.calls) == 2

Across processes (a server a test starts), the environment scripts the default fake:
`ROLEPLAY_FAKE_LATENCY` (seconds), `ROLEPLAY_FAKE_REPLIES` (path to a YAML or JSON list of strings, used in
a cycle), `ROLEPLAY_FAKE_FAULTS` (comma-separated faults for the first calls, e.g. "timeout,,empty").

Tokens are counted deterministically: every run of word characters is one token and so is every other
non-space character (`count_tokens("Goedemiddag, meneer!") == 4`). A message's tokens are those of its text.
"""

import json
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._config import env_float
from ._schema import example_for, schema_of

FAULTS = frozenset({"timeout", "rate_limit", "connection", "unavailable", "empty", "midstream", "auth",
                    "bad_request"})
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD_CHUNK = re.compile(r"\s*\S+\s*")

Reply = str | Mapping[str, Any] | list[Any]
ReplyFn = Callable[[list[dict[str, Any]]], Reply]


def count_tokens(text: str) -> int:
    """The fake provider's token count: word runs and single punctuation marks."""
    return len(_TOKEN.findall(text))


def word_chunks(text: str) -> list[str]:
    """How the fake provider streams a reply: one word (with its surrounding spaces) per chunk."""
    return _WORD_CHUNK.findall(text) or ([text] if text else [])


def message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


@dataclass(frozen=True, slots=True)
class FakeCall:
    """One request the fake provider received (faulted ones too)."""

    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]  # temperature, max_tokens, response_format, seed, timeout, ... as litellm sent
    stream: bool
    fault: str | None
    reply: str | None  # the text sent back (None when the call failed before replying)
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What the provider does for one call."""

    fault: str | None
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    latency: float


@dataclass(eq=False)
class FakeLLM:
    """A script for `fake/...` models. Thread-safe: concurrent sessions share it.

    replies: used in order, one per successful call (a str, or a dict/list sent as JSON), or a function of
        the messages. When unset, a deterministic reply: an echo of the last user message in Dutch, or the
        smallest instance of the requested JSON schema. When a list runs out the call fails (bad request),
        unless `cycle` is set.
    faults: one entry per call, in order (None = no fault): timeout, rate_limit, connection, unavailable,
        auth, bad_request raise what litellm would raise; "empty" replies ""; "midstream" streams half the
        reply and then drops the connection (a non-streaming call just fails to connect). A faulted call
        uses no reply, except "midstream" which uses the one it half sent.
    latency: seconds before the reply (before the first chunk when streaming). A call whose timeout is
        shorter waits that long and then fails with a timeout fault (using no reply).
    name: applies to `fake/<name>` only; None applies to every fake model.
    """

    replies: Sequence[Reply] | ReplyFn | None = None
    faults: Sequence[str | None] = ()
    latency: float = 0.0
    name: str | None = None
    cycle: bool = False
    keep_calls: int | None = None  # keep only the last N calls (a long-running server)
    _calls: deque[FakeCall] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _next_reply: int = field(init=False, default=0)
    _prompt_tokens: int = field(init=False, default=0)
    _completion_tokens: int = field(init=False, default=0)
    _n_calls: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f is not None and f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fake fault(s) {unknown}; known: {', '.join(sorted(FAULTS))}")
        if self.latency < 0:
            raise ValueError("latency must not be negative")
        self._calls = deque(maxlen=self.keep_calls)

    @property
    def calls(self) -> list[FakeCall]:
        with self._lock:
            return list(self._calls)

    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens of the calls that got a reply (as a provider would bill them)."""
        return self._prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self._completion_tokens

    def plan(self, model: str, messages: list[dict[str, Any]], params: dict[str, Any], stream: bool) -> Plan:
        """Decide and record the outcome of one call."""
        prompt_tokens = sum(count_tokens(message_text(m)) for m in messages)
        with self._lock:
            index = self._n_calls
            self._n_calls += 1
            fault = self.faults[index] if index < len(self.faults) else None
            if fault == "midstream" and not stream:
                fault = "connection"
            latency = self.latency
            timeout = params.get("timeout")
            if isinstance(timeout, int | float) and latency > timeout:
                fault, latency = "timeout", float(timeout)  # the caller gives up before the reply comes
            replies = self.replies
            text: str | None = "" if fault == "empty" else None
            if fault in (None, "midstream") and replies is not None and not callable(replies):
                text = self._take_scripted(replies)
        if fault in (None, "midstream") and text is None:
            # Outside the lock: a reply function or the default may take its time.
            text = _as_text(replies(messages)) if callable(replies) else default_reply(messages, params)
        finish = "stop"
        if text:
            text, finish = _truncate(text, params.get("max_tokens"))
        completion_tokens = count_tokens(text) if text else 0
        with self._lock:
            if text is not None:
                self._prompt_tokens += prompt_tokens
                self._completion_tokens += completion_tokens
            self._calls.append(FakeCall(model=model, messages=messages, params=params, stream=stream,
                                        fault=fault, reply=text, prompt_tokens=prompt_tokens,
                                        completion_tokens=completion_tokens))
        return Plan(fault=fault, text=text or "", finish_reason=finish, prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens, latency=latency)

    def _take_scripted(self, replies: Sequence[Reply]) -> str:
        if self._next_reply >= len(replies):
            if not self.cycle or not replies:
                raise ScriptError(f"fake_llm ran out of scripted replies ({len(replies)} given)")
            self._next_reply = 0
        reply = replies[self._next_reply]
        self._next_reply += 1
        return _as_text(reply)


def _as_text(reply: Reply) -> str:
    return reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)


class ScriptError(Exception):
    """The test's script cannot answer this call (ran out of replies, reply function failed)."""


def _truncate(text: str, max_tokens: Any) -> tuple[str, str]:
    if not max_tokens:
        return text, "stop"
    tokens = list(_TOKEN.finditer(text))
    if len(tokens) <= int(max_tokens):
        return text, "stop"
    return text[: tokens[int(max_tokens) - 1].end()], "length"


def default_reply(messages: list[dict[str, Any]], params: Mapping[str, Any]) -> str:
    """The unscripted reply: JSON for a structured request, else a short Dutch echo of the last user turn."""
    wants_json, schema = schema_of(params)
    if wants_json:
        return json.dumps(example_for(schema), ensure_ascii=False)
    last = next((message_text(m) for m in reversed(messages) if m.get("role") == "user"), "").strip()
    if not last:
        return "Goedemiddag. Ik bel over mijn bestelling."
    quoted = " ".join(last.split())
    if len(quoted) > 80:
        quoted = quoted[:77].rstrip() + "..."
    return f'U zegt: "{quoted}" Kunt u dat wat verder uitleggen?'


# Scripts pushed by fake_llm(), innermost last; the environment's script when none matches.
_active: list[FakeLLM] = []
_active_lock = threading.Lock()
_env_script: tuple[tuple[str, str, str], FakeLLM] | None = None


@contextmanager
def fake_llm(replies: Sequence[Reply] | ReplyFn | None = None, *, faults: Sequence[str | None] = (),
             latency: float = 0.0, name: str | None = None, cycle: bool = False) -> Iterator[FakeLLM]:
    """Script the fake provider for the duration of the block (for every thread); see `FakeLLM`."""
    fake = FakeLLM(replies=replies, faults=faults, latency=latency, name=name, cycle=cycle)
    with _active_lock:
        _active.append(fake)
    try:
        yield fake
    finally:
        with _active_lock:
            _active.remove(fake)


def script_for(name: str) -> FakeLLM:
    """The script that answers `fake/<name>`: the innermost matching fake_llm(), else the environment's."""
    with _active_lock:
        for fake in reversed(_active):
            if fake.name is None or fake.name == name:
                return fake
    return _from_env()


def _from_env() -> FakeLLM:
    global _env_script
    key = (os.environ.get("ROLEPLAY_FAKE_LATENCY", ""), os.environ.get("ROLEPLAY_FAKE_REPLIES", ""),
           os.environ.get("ROLEPLAY_FAKE_FAULTS", ""))
    cached = _env_script
    if cached is not None and cached[0] == key:
        return cached[1]
    with _active_lock:
        if _env_script is None or _env_script[0] != key:
            latency, replies_path, faults = key
            try:
                fake = FakeLLM(
                    replies=_load_replies(replies_path) if replies_path.strip() else None,
                    faults=[f.strip() or None for f in faults.split(",")] if faults.strip() else (),
                    latency=env_float("ROLEPLAY_FAKE_LATENCY", latency) if latency.strip() else 0.0,
                    cycle=True, keep_calls=100)
            except ValueError as exc:
                raise InputError(str(exc), field="ROLEPLAY_FAKE_FAULTS/ROLEPLAY_FAKE_LATENCY") from None
            _env_script = (key, fake)
        return _env_script[1]


def _load_replies(path: str) -> list[Reply]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))  # YAML also reads JSON
    except OSError as exc:
        raise InputError(f"cannot read fake replies ({exc.__class__.__name__})", file=path,
                         field="ROLEPLAY_FAKE_REPLIES") from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML/JSON: {exc}", file=path, field="ROLEPLAY_FAKE_REPLIES") from None
    if not isinstance(data, list) or not data:
        raise InputError("must be a non-empty list of replies", file=path, field="ROLEPLAY_FAKE_REPLIES")
    return data
