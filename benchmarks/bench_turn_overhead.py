"""Per-turn overhead of our code around an LLM customer, over a zero-latency fake provider (target: median
under 5 ms), split into what litellm costs and what our code adds.

A trainee script plays every persona with the LLM customer on `fake/bench` (replies instantly, so all time
measured is software). For each trainee turn we time the whole `Session.send` / `send_stream`, and the time
spent inside the LLM entry point (`roleplay.llm.complete`/`stream`: litellm plus our thin wrapper). Our
code is the rest: signal detection, persona state, prompt rendering, reply cleaning.
Run: python benchmarks/bench_turn_overhead.py [ROUNDS]
"""

import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay import llm  # noqa: E402
from roleplay.content import default_library  # noqa: E402
from roleplay.customer import _llm as customer_llm  # noqa: E402
from roleplay.customer import make_customer  # noqa: E402
from roleplay.session import Session  # noqa: E402

REPLY = "Ja, dat klopt. Ik heb al drie keer gebeld en er is nog steeds niemand langs geweest."
in_llm: list[float] = []


def _timed_complete(*args: Any, **kwargs: Any) -> Any:
    t0 = time.perf_counter()
    try:
        return _complete(*args, **kwargs)
    finally:
        in_llm.append(time.perf_counter() - t0)


class _TimedStream:
    """Delegates to the real TextStream and adds the time spent producing its chunks."""

    def __init__(self, inner: Any, spent: float) -> None:
        self._inner, self._spent = inner, spent

    def __iter__(self) -> Iterator[str]:
        it = iter(self._inner)
        while True:
            t0 = time.perf_counter()
            try:
                chunk = next(it)
            except StopIteration:
                in_llm.append(self._spent + time.perf_counter() - t0)
                return
            self._spent += time.perf_counter() - t0
            yield chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _timed_stream(*args: Any, **kwargs: Any) -> _TimedStream:
    t0 = time.perf_counter()
    inner = _stream(*args, **kwargs)
    return _TimedStream(inner, time.perf_counter() - t0)


_complete, _stream = llm.complete, llm.stream
customer_llm.llm.complete = _timed_complete  # type: ignore[attr-defined]
customer_llm.llm.stream = _timed_stream  # type: ignore[attr-defined]


def script(persona: str) -> list[str]:
    f = ROOT / "tests" / "fixtures" / "trainee" / f"{persona}-kind.yaml"
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    return [t if isinstance(t, str) else t["text"] for t in data]


def run(stream: bool, rounds: int) -> tuple[list[float], list[float]]:
    lib = default_library()
    totals: list[float] = []
    llm_share: list[float] = []
    with llm.fake_llm([REPLY], cycle=True), llm.override_allow_model_requests(False):
        for r in range(rounds):
            for pid in lib.personas:
                session = Session(lib.personas[pid], make_customer("llm", model="fake/bench"), seed=r)
                for text in script(pid):
                    if session.ended:
                        break
                    in_llm.clear()
                    t0 = time.perf_counter()
                    if stream:
                        for _ in session.send_stream(text):
                            pass
                    else:
                        session.send(text)
                    total = time.perf_counter() - t0
                    totals.append(total * 1000)
                    llm_share.append(sum(in_llm) * 1000)
    return totals, llm_share


def report(name: str, totals: list[float], llm_ms: list[float]) -> None:
    ours = [t - m for t, m in zip(totals, llm_ms, strict=True)]
    p95 = lambda xs: sorted(xs)[int(0.95 * (len(xs) - 1))]  # noqa: E731
    print(
        f"{name} ({len(totals)} turns): total median {statistics.median(totals):.2f} ms (p95 {p95(totals):.2f}); "
        f"inside the LLM entry point median {statistics.median(llm_ms):.2f} ms; "
        f"our code median {statistics.median(ours):.2f} ms (p95 {p95(ours):.2f}), target < 5 ms"
    )


def main(rounds: int = 3) -> None:
    run(False, 1)  # warm-up: litellm import, lemma dictionary
    report("send (complete)", *run(False, rounds))
    report("send_stream (stream)", *run(True, rounds))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
