"""What one LLM-judge scorecard costs: calls and prompt/completion tokens, counted by the fake provider.

The fake provider answers every checklist call with a well-formed verdict for each requested item, so this
measures the pipeline's requests (one call per checklist per sample), not any model's quality. Token counts
are the fake provider's (words and punctuation), not a real tokenizer's.
Run: python benchmarks/bench_llm_judge_cost.py [SAMPLES]
"""

import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay.content import default_library  # noqa: E402
from roleplay.judge import make_judge  # noqa: E402
from roleplay.llm import fake_llm, override_allow_model_requests  # noqa: E402
from roleplay.models import Transcript  # noqa: E402
from roleplay.yamlfile import load  # noqa: E402

LIB = default_library()


def answer_all(messages: Any, *args: Any) -> str:
    """A valid verdict for every requested item that needs no quote (nothing shown, nothing forbidden done),
    so no item is asked again and every call counted is a first ask."""
    wanted = messages[-1]["content"].split("Score these items:", 1)[1].split(".\n", 1)[0].strip(" .\n").split(", ")
    return json.dumps(
        {
            "items": [
                {"id": i, "reasoning": "Je liet dit niet zien.", "evidence": [],
                 "verdict": "met" if LIB.item(i).polarity == "avoid" else "not_met"}
                for i in wanted
            ]
        }
    )


def main(samples: int = 1) -> None:
    lib = LIB
    rows = []
    with override_allow_model_requests(False):
        for f in sorted((ROOT / "evals" / "golden").glob("*.yaml")):
            t, _ = load(Transcript, f)
            checklists = list(t.checklists or lib.personas[t.persona or ""].checklists)
            with fake_llm(answer_all) as fake:
                make_judge("llm", model="fake/judge", samples=samples, library=lib).score(t, checklists)
            rows.append((len(t.turns), len(checklists), len(fake.calls), fake.prompt_tokens, fake.completion_tokens))
    print(f"LLM judge on the fake provider, {len(rows)} golden transcripts, samples={samples}")
    print(f"  turns per transcript: median {statistics.median(r[0] for r in rows):.0f}")
    print(
        f"  calls per scorecard: median {statistics.median(r[2] for r in rows):.0f} "
        f"(= checklists x samples; checklists median {statistics.median(r[1] for r in rows):.0f})"
    )
    print(
        f"  prompt tokens per scorecard: median {statistics.median(r[3] for r in rows):.0f}, "
        f"max {max(r[3] for r in rows)}"
    )
    print(f"  completion tokens per scorecard: median {statistics.median(r[4] for r in rows):.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
