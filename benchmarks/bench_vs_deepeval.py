"""Cost per scorecard: our LLM judge against deepeval's ConversationalGEval, both on the fake provider.

Counts calls and prompt/completion tokens per scorecard (one transcript scored on all checklists of its
persona). No quality is compared: the fake answers every request with canned, well-formed JSON.

  ours      make_judge("llm", model="fake/ours"): one structured call per checklist (roleplay.judge._llm);
            a re-ask only for unreadable JSON or ungrounded quotes,
            and the fake's quotes are verbatim, so none here.
  deepeval  what a deepeval user would write: one ConversationalGEval per checklist item, criteria = the
            item's definition + its met / not_met / not_applicable rules, evaluation_params input and
            actual_output, model = RoleplayModel("fake/peer") (a DeepEvalBaseLLM over roleplay.llm.complete,
            so G-Eval takes its plain path without logprobs), run with deepeval.evaluate() per persona.
            A row with `evaluation_steps` given by hand too (saves G-Eval's step-generation call).

Token counts are the fake provider's: every run of word characters and every other non-space character is
one token (roleplay.llm.count_tokens), not a real tokenizer. Prompt tokens are the prompts each side really
builds; completion tokens depend on the canned replies, whose sizes are printed.

Run: /work/venv/bin/python benchmarks/bench_vs_deepeval.py [--per-persona 3]
"""

import argparse
import contextlib
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roleplay import paths
from roleplay.content import Library, default_library
from roleplay.evals import GoldenCase, load_golden
from roleplay.evals.deepeval_metric import RoleplayModel, to_test_case
from roleplay.judge import make_judge
from roleplay.llm import count_tokens, fake_llm
from roleplay.models import ChecklistItem, Role

# Canned reply parts, the same size on both sides where they say the same thing.
REASON = ("Je liet dit gedrag zien op het moment dat het ertoe deed; de klant reageerde daar merkbaar op en "
          "het gesprek kwam daardoor verder.")
STEPS = [
    "Lees alle beurten van de medewerker en zoek de plekken waar de situatie uit het criterium zich voordoet.",
    "Ga per plek na of de medewerker het gedrag laat zien zoals de regels voor voldaan het beschrijven.",
    "Let op wat de regels voor niet voldaan uitsluiten, ook als de woorden er oppervlakkig op lijken.",
    "Geef een hoge score als het gedrag er duidelijk is en een lage als het ontbreekt of verkeerd gaat.",
]


def select(cases: list[GoldenCase], per_persona: int) -> list[GoldenCase]:
    """The first `per_persona` golden transcripts of each persona, by file name."""
    taken: dict[str, list[GoldenCase]] = defaultdict(list)
    for case in cases:
        persona = case.transcript.persona or "-"
        if len(taken[persona]) < per_persona:
            taken[persona].append(case)
    return [c for cs in taken.values() for c in cs]


def quote_from(t_lines: list[dict[str, Any]]) -> tuple[int, str]:
    """A verbatim quote: the start of the first trainee turn (at most 60 characters, cut at a space)."""
    first = next(line for line in t_lines if line["role"] == Role.trainee.value)
    text: str = first["text"]
    cut = text if len(text) <= 60 else text[:60].rsplit(" ", 1)[0]
    return int(first["turn"]), cut.strip()


def our_reply(lib: Library, labels: Callable[[], dict[str, str]]) -> Callable[[list[dict[str, Any]]], str]:
    """Answers the LLM judge in the shape its structured-output schema asks for ({"items": {id: answer}}):
    the golden label as verdict, a verbatim quote where the judge needs one (met on a 'show' item, not_met
    on an 'avoid' item)."""

    def reply(messages: list[dict[str, Any]]) -> str:
        user = str(messages[-1]["content"])
        body = user.split("<transcript>", 1)[1].split("</transcript>", 1)[0]
        t_lines = [json.loads(x) for x in body.strip().splitlines() if x.strip()]
        wanted = re.search(r"Score these items: (.+?)\.\s*$", user, flags=re.MULTILINE)
        assert wanted, "the judge prompt no longer says 'Score these items: ...'"
        turn, quote = quote_from(t_lines)
        items = {}
        for item_id in (x.strip() for x in wanted.group(1).split(",")):
            verdict = labels().get(item_id, "met")
            polarity = lib.item(item_id).polarity
            needs = (verdict == "met" and polarity == "show") or (verdict == "not_met" and polarity == "avoid")
            items[item_id] = {"reasoning": REASON, "evidence": [{"turn": turn, "quote": quote}] if needs else [],
                              "verdict": verdict}
        return json.dumps({"items": items}, ensure_ascii=False)

    return reply


def peer_reply(messages: list[dict[str, Any]]) -> str:
    """Answers deepeval's ConversationalGEval prompts in the shapes it parses (Steps, ReasonScore)."""
    prompt = str(messages[-1]["content"])
    if "generate 3-4 concise evaluation steps" in prompt:
        return json.dumps({"steps": STEPS}, ensure_ascii=False)
    if '"score" and "reason"' in prompt:
        return json.dumps({"score": 7, "reason": REASON}, ensure_ascii=False)
    raise AssertionError("unexpected deepeval prompt: " + prompt[:200])


def criteria(item: ChecklistItem) -> str:
    return (f"{item.definition} Voldaan (met): {item.met} Niet voldaan (not_met): {item.not_met} "
            f"Niet van toepassing (not_applicable): {item.not_applicable}")


@dataclass
class Tally:
    calls: int = 0
    prompt: int = 0
    completion: int = 0


def run_ours(cases: list[GoldenCase], lib: Library) -> dict[str, Tally]:
    current: dict[str, str] = {}
    per_persona: dict[str, Tally] = defaultdict(Tally)
    with fake_llm(our_reply(lib, lambda: current), name="ours") as fake:
        judge = make_judge("llm", model="fake/ours", library=lib)
        for case in cases:
            current.clear()
            current.update({k: v.value for k, v in case.labels.items()})
            before = (len(fake.calls), fake.prompt_tokens, fake.completion_tokens)
            card = judge.score(case.transcript, case.checklists)
            assert all(it.verdict.value == case.labels[it.id] for it in card.items), "the fake's answer was not used"
            t = per_persona[case.transcript.persona or "-"]
            t.calls += len(fake.calls) - before[0]
            t.prompt += fake.prompt_tokens - before[1]
            t.completion += fake.completion_tokens - before[2]
    return per_persona


def run_deepeval(cases: list[GoldenCase], lib: Library, *, steps_given: bool) -> dict[str, Tally]:
    from deepeval import evaluate
    from deepeval.evaluate.configs import AsyncConfig, CacheConfig, DisplayConfig
    from deepeval.metrics.base_metric import BaseMetric
    from deepeval.metrics.conversational_g_eval.conversational_g_eval import ConversationalGEval
    from deepeval.test_case.llm_test_case import LLMTestCaseParams

    groups: dict[str, list[GoldenCase]] = defaultdict(list)
    for case in cases:
        groups[case.transcript.persona or "-"].append(case)
    per_persona: dict[str, Tally] = {}
    with fake_llm(peer_reply, name="peer") as fake:
        model = RoleplayModel("fake/peer", max_tokens=None)
        for persona, group in groups.items():
            items = lib.items(group[0].checklists)
            metrics: list[BaseMetric] = [ConversationalGEval(
                name=it.id, criteria=criteria(it), model=model,
                evaluation_params=[LLMTestCaseParams.INPUT, LLMTestCaseParams.ACTUAL_OUTPUT],
                evaluation_steps=[f"Voldaan (met): {it.met}", f"Niet voldaan (not_met): {it.not_met}",
                                  f"Niet van toepassing: {it.not_applicable}"] if steps_given else None,
            ) for it in items]
            before = (len(fake.calls), fake.prompt_tokens, fake.completion_tokens)
            # show_indicator=True: in deepeval 2.9.3 the other path drops ConversationalGEval (a BaseMetric)
            # for conversational test cases and then crashes in update_test_run. Its banners are silenced.
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                result = evaluate([to_test_case(c.transcript, name=c.file) for c in group], metrics,
                                  display_config=DisplayConfig(show_indicator=True, print_results=False),
                                  cache_config=CacheConfig(write_cache=False),
                                  async_config=AsyncConfig(max_concurrent=4))
            for tr in result.test_results:
                data = tr.metrics_data or []
                assert len(data) == len(items) and all(m.error is None and m.score is not None for m in data), \
                    f"deepeval did not score every item of {tr.name}: {[m.error for m in data if m.error]}"
            per_persona[persona] = Tally(len(fake.calls) - before[0], fake.prompt_tokens - before[1],
                                         fake.completion_tokens - before[2])
    return per_persona


def total(t: dict[str, Tally]) -> Tally:
    return Tally(sum(x.calls for x in t.values()), sum(x.prompt for x in t.values()),
                 sum(x.completion for x in t.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-persona", type=int, default=3, help="golden transcripts per persona (default 3)")
    args = parser.parse_args()

    lib = default_library()
    cases = select(load_golden(paths.data_dir("golden"), lib), args.per_persona)
    counts: dict[str, int] = defaultdict(int)
    for c in cases:
        counts[c.transcript.persona or "-"] += 1
    print(f"{len(cases)} golden transcripts ({args.per_persona} per persona, first by file name); our judge asks "
          "one call per checklist:")
    for c in cases:
        n_items = len(lib.items(c.checklists))
        print(f"  {c.file:48s} {c.transcript.persona:20s} {len(c.checklists)} checklists, {n_items} items, "
              f"{len(c.transcript.turns)} turns")

    ours = run_ours(cases, lib)
    peer = run_deepeval(cases, lib, steps_given=False)
    peer_steps = run_deepeval(cases, lib, steps_given=True)

    n = len(cases)
    rows = [("roleplay LLM judge", total(ours)), ("deepeval ConversationalGEval", total(peer)),
            ("  same, evaluation_steps given", total(peer_steps))]
    base = rows[0][1]
    print("\nPer scorecard (mean over the transcripts), counted by the FAKE provider (fake/ours, fake/peer).")
    print("Tokens are the fake's count (word runs + punctuation marks), not a real tokenizer. No quality compared.\n")
    print(f"{'':32s} {'calls':>8s} {'prompt tok':>12s} {'completion tok':>15s}   "
          "ratio to ours (calls / prompt / compl.)")
    for name, t in rows:
        ratio = (f"{t.calls / base.calls:6.1f}x / {t.prompt / base.prompt:5.1f}x / "
                 f"{t.completion / base.completion:5.1f}x")
        print(f"{name:32s} {t.calls / n:8.1f} {t.prompt / n:12.0f} {t.completion / n:15.0f}   {ratio}")
    print("\nPer persona, per scorecard (calls / prompt tokens):")
    for persona in counts:
        k = counts[persona]
        o, p, s = ours[persona], peer[persona], peer_steps[persona]
        print(f"  {persona:20s} ours {o.calls / k:5.1f} / {o.prompt / k:7.0f}   deepeval {p.calls / k:5.1f} / "
              f"{p.prompt / k:7.0f}   steps given {s.calls / k:5.1f} / {s.prompt / k:7.0f}")
    print(f"\nCanned reply sizes (fake tokens): reason {count_tokens(REASON)} (both sides), G-Eval steps reply "
          f"{count_tokens(json.dumps({'steps': STEPS}, ensure_ascii=False))}, G-Eval score reply "
          f"{count_tokens(json.dumps({'score': 7, 'reason': REASON}, ensure_ascii=False))}; our judge's reply "
          f"per item: id, reasoning, verdict and at most one quote of <= 60 characters.")


if __name__ == "__main__":
    main()
