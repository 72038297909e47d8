"""Per-call overhead of roleplay.llm over a zero-latency fake provider, split into where the time goes:

  provider   the fake provider's own work (FakeLLM.plan), no litellm
  litellm    litellm.completion on the same provider (litellm's overhead + provider)
  ours       roleplay.llm.complete / stream (our wrapper + litellm + provider)

Run: /work/venv/bin/python benchmarks/bench_llm_overhead.py [--calls 300] [--warmup 50]
Numbers are milliseconds per call after warm-up: median and 95th percentile.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roleplay.llm import _litellm, complete, fake_llm, stream

# A customer turn late in a conversation: a persona prompt and ten turns.
PERSONA = "Je bent Marieke de Vries, 54, klant van een energiebedrijf. " * 20
MESSAGES = [{"role": "system", "content": PERSONA}]
for i in range(10):
    MESSAGES.append({"role": "user", "content": f"Beurt {i}: als ik het goed begrijp, klopt dat?"})
    MESSAGES.append({"role": "assistant", "content": f"Beurt {i}: ja, dat klopt, maar ik wil een oplossing."})
MESSAGES.append({"role": "user", "content": "Wat kan ik nu nog voor u doen?"})
REPLY = "Ik wil gewoon dat de rekening klopt en dat iemand me terugbelt als het geregeld is."


def measure(fn: Callable[[], Any], calls: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()

    start = time.perf_counter()
    litellm: Any = _litellm.get()
    print(f"litellm import + setup: {time.perf_counter() - start:.2f} s (once per process)")

    rows: list[tuple[str, float, float]] = []
    with fake_llm(replies=[REPLY], cycle=True, name="bench") as fake:
        def provider_only() -> None:
            fake.plan("fake/bench", [dict(m) for m in MESSAGES], {"temperature": 0.7}, stream=False)

        def litellm_complete() -> None:
            litellm.completion(model="fake/bench", messages=MESSAGES, temperature=0.7)

        def ours_complete() -> None:
            complete(MESSAGES, model="fake/bench")

        def litellm_stream() -> None:
            for _ in litellm.completion(model="fake/bench", messages=MESSAGES, temperature=0.7, stream=True,
                                        stream_options={"include_usage": True}):
                pass

        def ours_stream() -> None:
            for _ in stream(MESSAGES, model="fake/bench"):
                pass

        canned = litellm.completion(model="fake/bench", messages=MESSAGES)

        def ours_wrapper_only() -> None:
            # litellm.completion swapped for a canned response: what our own code costs per call.
            real = litellm.completion
            litellm.completion = lambda **kwargs: canned
            try:
                complete(MESSAGES, model="fake/bench")
            finally:
                litellm.completion = real

        for label, fn in (("provider only (FakeLLM.plan)", provider_only),
                          ("roleplay.llm wrapper only (litellm stubbed)", ours_wrapper_only),
                          ("litellm.completion", litellm_complete),
                          ("roleplay.llm.complete", ours_complete),
                          ("litellm.completion(stream=True), consumed", litellm_stream),
                          ("roleplay.llm.stream, consumed", ours_stream)):
            median, p95 = measure(fn, args.calls, args.warmup)
            rows.append((label, median, p95))

    print(f"{len(MESSAGES)} messages, reply of {len(REPLY.split())} words, {args.calls} calls after "
          f"{args.warmup} warm-up, fake provider with zero latency")
    print(f"{'':45} {'median ms':>10} {'p95 ms':>10}")
    for label, median, p95 in rows:
        print(f"{label:45} {median:10.3f} {p95:10.3f}")
    by_label = {label: median for label, median, _ in rows}
    complete_gap = by_label["roleplay.llm.complete"] - by_label["litellm.completion"]
    stream_gap = (by_label["roleplay.llm.stream, consumed"]
                  - by_label["litellm.completion(stream=True), consumed"])
    print(f"difference to plain litellm (medians, noisy on a shared machine): "
          f"complete {complete_gap:+.3f} ms, stream {stream_gap:+.3f} ms")


if __name__ == "__main__":
    main()
