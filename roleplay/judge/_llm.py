"""The LLM judge: one structured call per checklist per sample, every verdict grounded in a verbatim quote.

A quote that is not in the cited trainee turn gets its item asked again once, then the item is `unscored`;
an answer that cannot be parsed is retried once, then its items are `unscored`. Never a silent met/not_met.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..content import Library
from ..errors import ModelError
from ..models import Checklist, ChecklistItem, Evidence, ItemResult, Role, Scorecard, Transcript, Verdict
from ..prompts import render
from ._scorecard import build_scorecard, tip_for

ATTEMPTS = 2  # the first ask plus one re-ask, for unparseable answers and ungrounded quotes alike


class _Quote(BaseModel):
    model_config = ConfigDict(extra="ignore")
    turn: int = Field(description="0-based turn number of a trainee turn.")
    quote: str = Field(description="Exact words copied from that turn.")


class _ItemAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(description="The checklist item id.")
    reasoning: str = Field(description="Why, in Dutch, addressed to the trainee.")
    evidence: list[_Quote] = Field(default_factory=list, description="Verbatim quotes from trainee turns.")
    verdict: Literal["met", "not_met", "not_applicable"] = Field(description="The verdict.")


class JudgeAnswer(BaseModel):
    """What the model must return for one checklist (also sent as the structured-output schema)."""

    model_config = ConfigDict(extra="ignore")
    items: list[_ItemAnswer] = Field(description="One entry per requested item.")


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    problems: list[str] = field(default_factory=list)


def transcript_lines(t: Transcript) -> list[str]:
    """Turns as JSON lines: quoting and escaping keep the transcript data, whatever the trainee typed."""
    return [json.dumps({"turn": i, "role": turn.role.value, "text": turn.text}, ensure_ascii=False)
            for i, turn in enumerate(t.turns)]


def parse_answer(text: str) -> JudgeAnswer | None:
    """The JSON object in a model's answer (code fences and chatter around it are tolerated), or None."""
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip(), flags=re.MULTILINE)
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return JudgeAnswer.model_validate_json(cleaned[start:end + 1])
    except ValidationError:
        return None


def ground(t: Transcript, quotes: list[_Quote]) -> tuple[list[Evidence], list[str]]:
    """Keep quotes that are verbatim in a trainee turn. A quote found verbatim in exactly one other trainee
    turn has its turn number corrected (small models miscount turns); anything else is a problem."""
    trainee = [i for i, turn in enumerate(t.turns) if turn.role is Role.trainee]
    kept: list[Evidence] = []
    problems: list[str] = []
    for q in quotes:
        quote = q.quote.strip().strip('"\u201c\u201d')
        if not quote:
            continue
        if q.turn in trainee and quote in t.turns[q.turn].text:
            kept.append(Evidence(turn=q.turn, quote=quote))
            continue
        where = [i for i in trainee if quote in t.turns[i].text]
        if len(where) == 1:
            kept.append(Evidence(turn=where[0], quote=quote))
        else:
            problems.append(f"citaat niet letterlijk in een trainee-beurt: {quote[:60]!r} (beurt {q.turn})")
    return kept, problems


def _grounded_enough(item: ChecklistItem, verdict: str, evidence: list[Evidence], problems: list[str]) -> bool:
    if problems:
        return False
    needs_quote = (verdict == "met" and item.polarity == "show") or (verdict == "not_met" and item.polarity == "avoid")
    return bool(evidence) or not needs_quote


class LLMJudge:
    name = "llm"

    def __init__(self, library: Library, *, model: str | None = None, samples: int = 1,
                 temperature: float | None = None, max_tokens: int | None = None) -> None:
        from ..llm import default_model

        self.lib = library
        resolved = model or default_model("judge")
        if not resolved:
            from ..errors import InputError

            raise InputError("no judge model: pass --model or set ROLEPLAY_JUDGE_MODEL (e.g. 'local' or "
                             "'openai/gpt-4o-mini')")
        self.model: str | None = resolved
        self.samples = samples
        self.temperature = temperature if temperature is not None else (0.0 if samples == 1 else 0.7)
        self.max_tokens = max_tokens
        self.usage = Usage()

    # --- one checklist, one sample -------------------------------------------------------------------
    def _ask(self, t: Transcript, checklist: Checklist, items: list[ChecklistItem], retry_note: str) -> str:
        from ..llm import complete, supports_structured_output

        assert self.model is not None
        system = render("judge_system.j2", checklist=checklist, items=items)
        user = render("judge_user.j2", lines=transcript_lines(t), item_ids=[i.id for i in items],
                      retry_note=retry_note)
        fmt = JudgeAnswer if supports_structured_output(self.model) else None
        reply = complete([{"role": "system", "content": system}, {"role": "user", "content": user}],
                         model=self.model, temperature=self.temperature,
                         max_tokens=self.max_tokens or 220 * len(items) + 200, response_format=fmt)
        self.usage.calls += 1
        self.usage.prompt_tokens += reply.prompt_tokens
        self.usage.completion_tokens += reply.completion_tokens
        return reply.text

    def score_checklist(self, t: Transcript, checklist: Checklist) -> dict[str, ItemResult]:
        pending = list(checklist.items)
        done: dict[str, ItemResult] = {}
        why_not: dict[str, str] = {}
        note = ""
        for _ in range(ATTEMPTS):
            try:
                text = self._ask(t, checklist, pending, note)
            except ModelError as exc:
                why_not = {i.id: f"Het taalmodel gaf geen antwoord ({exc.kind})." for i in pending}
                break
            answer = parse_answer(text)
            if answer is None:
                why_not = {i.id: "Het antwoord van het taalmodel was niet te lezen." for i in pending}
                note = "Your previous answer was not valid JSON of the required shape. Answer with the JSON object only."
                continue
            by_id = {a.id: a for a in answer.items}
            bad_quotes: list[str] = []
            for item in pending:
                a = by_id.get(item.id)
                if a is None:
                    why_not[item.id] = "Het taalmodel gaf voor dit item geen oordeel."
                    continue
                evidence, problems = ground(t, a.evidence)
                if not _grounded_enough(item, a.verdict, evidence, problems):
                    why_not[item.id] = "Het oordeel was niet met een letterlijk citaat onderbouwd. " + "; ".join(problems)
                    bad_quotes.append(item.id)
                    continue
                verdict = Verdict(a.verdict)
                done[item.id] = ItemResult(id=item.id, verdict=verdict, evidence=evidence, reason=a.reasoning.strip(),
                                           tip=tip_for(item, verdict), source=item.source.label())
            pending = [i for i in pending if i.id not in done]
            if not pending:
                break
            note = ("For " + ", ".join(bad_quotes or [i.id for i in pending]) + " your previous answer had no "
                    "exact quote from a trainee turn. Copy the trainee's words exactly, with the right turn number.")
        for item in pending:
            self.usage.problems.append(f"{item.id}: {why_not.get(item.id, 'geen oordeel')}")
            done[item.id] = ItemResult(id=item.id, verdict=Verdict.unscored, source=item.source.label(),
                                       reason=why_not.get(item.id, "Geen bruikbaar oordeel van het taalmodel."))
        return done

    # --- the scorecard ------------------------------------------------------------------------------
    def _runs(self, transcript: Transcript, checklists: list[str], samples: int) -> list[dict[str, ItemResult]]:
        runs: list[dict[str, ItemResult]] = []
        for _ in range(samples):
            run: dict[str, ItemResult] = {}
            for cid in checklists:
                run.update(self.score_checklist(transcript, self.lib.checklists[cid]))
            runs.append(run)
        return runs

    def score_samples(self, transcript: Transcript, checklists: list[str], samples: int) -> list[Scorecard]:
        """The separate samples before the vote (for consistency figures: flip rate, Fleiss' kappa)."""
        runs = self._runs(transcript, checklists, samples)
        return [build_scorecard(self.name, self.model, checklists, [r[it.id] for it in self.lib.items(checklists)],
                                samples=1) for r in runs]

    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard:
        runs = self._runs(transcript, checklists, self.samples)
        items = [self._vote([r[it.id] for r in runs], it) for it in self.lib.items(checklists)]
        return build_scorecard(self.name, self.model, checklists, items, samples=self.samples,
                               warnings=self._warnings())

    def _vote(self, results: list[ItemResult], item: ChecklistItem) -> ItemResult:
        """Majority over the samples that scored; a tie or no scored sample is `unscored`."""
        if len(results) == 1:
            return results[0]
        scored = [r for r in results if r.verdict is not Verdict.unscored]
        counts = Counter(r.verdict for r in scored).most_common()
        if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
            spread = ", ".join(f"{v.value}: {n}" for v, n in counts) or "geen bruikbare antwoorden"
            return ItemResult(id=item.id, verdict=Verdict.unscored, source=item.source.label(),
                              reason=f"Geen meerderheid over {len(results)} beoordelingen ({spread}).",
                              agreement=round(counts[0][1] / len(results), 3) if counts else 0.0)
        verdict, n = counts[0]
        best = next(r for r in scored if r.verdict is verdict)
        return best.model_copy(update={"agreement": round(n / len(results), 3)})

    def _warnings(self) -> list[str]:
        from ..llm import default_model

        out = []
        if self.model and self.model == default_model("customer"):
            out.append(f"Het beoordelingsmodel ({self.model}) is hetzelfde als het klantmodel: een model dat "
                       "zijn eigen gesprekken beoordeelt, is vaak te mild. Kies liever een ander model.")
        if self.usage.problems:
            out.append(f"{len(self.usage.problems)} item(s) niet beoordeeld: " + "; ".join(self.usage.problems[:5]))
        return out
