"""Rule judge throughput on 20-turn transcripts, one core (target: >= 500 scorecards per second).

Transcripts are golden transcripts cut or padded to 20 turns, and every copy gets unique wording (a number in
each turn) so that no cache can answer for it: this measures real detection work, not cache hits.
Run: python benchmarks/bench_rule_judge.py [N]
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay.content import default_library  # noqa: E402
from roleplay.judge import make_judge  # noqa: E402
from roleplay.models import Transcript, Turn  # noqa: E402
from roleplay.yamlfile import load  # noqa: E402


def twenty_turns(t: Transcript) -> list[Turn]:
    turns = list(t.turns)
    while len(turns) < 20:
        turns += t.turns[1:]
    return turns[:20]


def main(n: int = 2000) -> None:
    lib = default_library()
    judge = make_judge("rules", library=lib)
    base = []
    for f in sorted((ROOT / "evals" / "golden").glob("*.yaml")):
        t, _ = load(Transcript, f)
        base.append((twenty_turns(t), list(t.checklists or lib.personas[t.persona or ""].checklists)))
    judge.score(Transcript(turns=base[0][0], checklists=base[0][1]), base[0][1])  # load the lemma dictionary
    cases = []
    for i in range(n):
        turns, cls = base[i % len(base)]
        unique = [Turn(role=x.role, text=f"{x.text} ({i}-{k})") for k, x in enumerate(turns)]
        cases.append((Transcript(turns=unique, checklists=cls), cls))
    times = []
    start = time.perf_counter()
    for t, cls in cases:
        t0 = time.perf_counter()
        judge.score(t, cls)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    items = sum(len(lib.items(c)) for _, c in cases)
    print(f"rule judge, {n} distinct 20-turn transcripts ({items / n:.1f} items each), one process, one thread")
    print(f"  throughput: {n / total:8.0f} scorecards/s   (target >= 500)")
    print(
        f"  per scorecard: median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {sorted(times)[int(0.95 * n)] * 1000:.2f} ms"
    )
    t0 = time.perf_counter()
    for t, cls in cases[:500]:
        judge.score(t, cls)
    warm = 500 / (time.perf_counter() - t0)
    print(f"  same transcripts again (signal cache warm): {warm:.0f} scorecards/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
