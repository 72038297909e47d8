"""Reply time of the scripted customer (target: under 2 ms per reply), and of a whole trainee turn.

  reply   ScriptedCustomer.reply: picking and composing the reply from the updated state
  turn    Session.send: signal detection + state update + reply (what the trainee waits for offline)

Every persona plays the kind and the rude trainee script of tests/fixtures/trainee, plus a stubborn
trainee who repeats two lines until the customer stops (the worst case for the no-repeat search), over
many seeds. The first conversation is a warm-up (simplemma loads its Dutch dictionary once).

Run: /work/venv/bin/python benchmarks/bench_scripted_customer.py [--seeds 40]
Numbers are milliseconds: median, 95th percentile and max.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roleplay.content import default_library
from roleplay.customer import ScriptedCustomer
from roleplay.session import Session

ROOT = Path(__file__).resolve().parents[1]
PERSONAS = ["boze-herhaalbeller", "beschaamde-klant", "besluiteloze-koper", "koude-prospect"]
STUBBORN = ["Hm-hm.", "Ja. Oké. Wat kan ik voor u doen?"]


class TimedScripted(ScriptedCustomer):
    def __init__(self) -> None:
        self.times: list[float] = []

    def reply(self, session: Session, trainee_text: str) -> str:
        t0 = time.perf_counter()
        text = super().reply(session, trainee_text)
        self.times.append((time.perf_counter() - t0) * 1000)
        return text


def scripts(pid: str) -> list[list[str]]:
    out = []
    for kind in ("kind", "rude"):
        path = ROOT / "tests" / "fixtures" / "trainee" / f"{pid}-{kind}.yaml"
        out.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    out.append(STUBBORN * 20)
    return out


def summary(name: str, values: list[float]) -> str:
    v = sorted(values)
    p95 = v[min(len(v) - 1, int(0.95 * len(v)))]
    return f"{name:6} n={len(v):5}  median {statistics.median(v):6.3f} ms  p95 {p95:6.3f} ms  max {v[-1]:6.3f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    args = ap.parse_args()
    lib = default_library()
    backend = TimedScripted()
    turns: list[float] = []
    warm = Session(lib.persona(PERSONAS[0]), backend)
    for text in scripts(PERSONAS[0])[0]:
        if not warm.ended:
            warm.send(text)
    backend.times.clear()
    for pid in PERSONAS:
        persona = lib.persona(pid)
        for lines in scripts(pid):
            for seed in range(args.seeds):
                s = Session(persona, backend, seed=seed)
                for text in lines:
                    if s.ended:
                        break
                    t0 = time.perf_counter()
                    s.send(text)
                    turns.append((time.perf_counter() - t0) * 1000)
    print(summary("reply", backend.times))
    print(summary("turn", turns))
    ok = statistics.median(backend.times) < 2.0
    print("target < 2 ms per reply (median):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
