"""The LLM judge: one structured call per checklist per sample, every verdict grounded in a verbatim quote.

By default a checklist's items are asked together in one call; `items_per_call` (or the environment
variable ROLEPLAY_JUDGE_ITEMS_PER_CALL) asks them in smaller batches, which helps small local models.
A quote that is not in the cited trainee turn gets its item asked again once, then the item is `unscored`;
an answer that cannot be parsed is retried once, then its items are `unscored`. A batch that does not fit
the model (context window exceeded, answer cut off at max_tokens) is split in halves. Never a silent met/not_met.

Prompt layout: the system message (instructions) and the transcript come first and are the same for every
call on a transcript, so a provider's prompt cache (llama.cpp's prefix reuse, API prompt caching) serves
them; only the items and the answer differ per call.
"""

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..content import Library
from ..errors import ModelError
from ..models import Checklist, ChecklistItem, Evidence, ItemResult, Role, Scorecard, Transcript, Verdict
from ..prompts import render
from ._scorecard import build_scorecard, tip_for

if TYPE_CHECKING:
    from ..llm import Completion

ATTEMPTS = 2  # the first ask plus one re-ask, for unparseable answers and ungrounded quotes alike
ITEMS_PER_CALL_ENV = "ROLEPLAY_JUDGE_ITEMS_PER_CALL"  # unset or 0: the whole checklist in one call
TOKENS_PER_ITEM = 160  # answer budget per item (a short reasoning, two quotes, JSON); stops loops early
MAX_QUOTES = 2
_NEVER_NA = "Komt niet voor"  # how a checklist says an item is never not_applicable
_TOO_LONG = re.compile(r"context (window|length)|maximum context|too many tokens|prompt is too long", re.I)
_CUT_OFF = " Your previous answer was cut off at the length limit: keep each reasoning to one short sentence."
_RETRY = {  # what the re-ask tells the model about its previous answer, per kind of fault
    "missing": "gave no verdict. Give one for each of them.",
    "quote": "had no exact quote from a trainee line of the transcript (words from the item descriptions or the "
             "customer do not count). Copy the trainee's words exactly, with that line's turn number; if the "
             "trainee never says such words, decide the verdict again without them.",
    "na": "said not_applicable, but these items always apply: decide met or not_met.",
}


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
    """What the model returns for a batch of items: `items` as a list of answers with an `id`, or as an
    object keyed by item id (the shape the prompt and the structured-output schema ask for)."""

    model_config = ConfigDict(extra="ignore")
    items: list[_ItemAnswer] = Field(description="One entry per requested item.")

    @model_validator(mode="before")
    @classmethod
    def _keyed_items(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("items"), dict):
            items = [{**a, "id": k} if isinstance(a, dict) else a for k, a in data["items"].items()]
            return {**data, "items": items}
        return data


def never_not_applicable(item: ChecklistItem) -> bool:
    """The checklist says the item always applies (its not_applicable text starts with 'Komt niet voor')."""
    return item.not_applicable.strip().startswith(_NEVER_NA)


def verdicts_for(item: ChecklistItem) -> list[str]:
    return ["met", "not_met"] if never_not_applicable(item) else ["met", "not_met", "not_applicable"]


_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+")


def trainee_sentences(t: Transcript) -> dict[int, list[str]]:
    """The sentences of every trainee turn, each a verbatim piece of the turn's text."""
    out: dict[int, list[str]] = {}
    for n, turn in enumerate(t.turns):
        if turn.role is Role.trainee:
            pieces = [p.strip() for p in _SENTENCE_END.split(turn.text)]
            out[n] = list(dict.fromkeys(p for p in pieces if p)) or [turn.text]
    return out


def answer_schema(items: list[ChecklistItem], sentences: dict[int, list[str]]) -> dict[str, Any]:
    """The structured-output schema for a batch: one required entry per item id, in order, each with its
    own allowed verdicts; reasoning, evidence, verdict in that order, each quote one of the sentences of
    the trainee turn it names. A grammar-constrained model (llama.cpp) then cannot skip, repeat or rename
    an item, invent or paraphrase a quote, cite the customer, or call an always-applicable item
    not_applicable."""
    quotes = [{"type": "object", "additionalProperties": False, "required": ["turn", "quote"],
               "properties": {"turn": {"type": "integer", "enum": [n]}, "quote": {"type": "string", "enum": said}}}
              for n, said in sentences.items()]
    quote: dict[str, Any] = {"anyOf": quotes} if quotes else {
        "type": "object", "required": ["turn", "quote"],
        "properties": {"turn": {"type": "integer"}, "quote": {"type": "string"}}}

    def entry(item: ChecklistItem) -> dict[str, Any]:
        # property order is generation order for grammar-constrained models: reasoning, evidence, verdict
        return {"type": "object", "additionalProperties": False, "required": ["reasoning", "evidence", "verdict"],
                "properties": {"reasoning": {"type": "string"},
                               "evidence": {"type": "array", "items": {"$ref": "#/$defs/quote"},
                                            "maxItems": MAX_QUOTES},
                               "verdict": {"type": "string", "enum": verdicts_for(item)}}}

    keyed = {"type": "object", "properties": {i.id: entry(i) for i in items}, "required": [i.id for i in items],
             "additionalProperties": False}
    return {"title": "JudgeAnswer", "type": "object", "properties": {"items": keyed}, "required": ["items"],
            "additionalProperties": False, "$defs": {"quote": quote}}


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


_KEY = re.compile(r'\s*,?\s*("(?:[^"\\]|\\.)*")\s*:\s*')
_SEP = re.compile(r"\s*,?\s*")


def salvage(text: str) -> JudgeAnswer | None:
    """The item answers that were complete before an answer was cut off (at max_tokens), or None."""
    at = text.find('"items"')
    opening = re.compile(r'"items"\s*:\s*([\[{])').match(text, at) if at >= 0 else None
    if opening is None:
        return None
    keyed, pos = opening.group(1) == "{", opening.end()
    decoder = json.JSONDecoder()
    found: list[_ItemAnswer] = []
    while True:
        key = None
        if keyed:
            m = _KEY.match(text, pos)
            if m is None:
                break
            key, pos = json.loads(m.group(1)), m.end()
        else:
            pos = _SEP.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string
        try:
            value, pos = decoder.raw_decode(text, pos)
            found.append(_ItemAnswer.model_validate({**value, "id": key} if keyed else value))
        except (ValueError, TypeError, ValidationError):
            break
    return JudgeAnswer(items=found) if found else None


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_EDGES = " \t\n.,;:!?\"'\u2018\u2019\u201c\u201d\u2026-"


def _normalised(text: str) -> tuple[str, list[int]]:
    """Lower case, typographic quotes made plain, whitespace runs as one space; with, for every character
    of the result, its index in `text` (to cut the verbatim words back out)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text.translate(_TYPOGRAPHIC)):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        for c in ch.lower():
            out.append(c)
            where.append(i)
    return "".join(out), where


def find_verbatim(text: str, quote: str) -> str | None:
    """`quote` as it stands in `text`: exactly, or up to case, whitespace, typographic quotes and
    punctuation at its ends (what models change when they copy). Returns the words cut from `text`, so
    evidence is always verbatim; None when the words are not there."""
    if quote in text:
        return quote
    core = quote.strip(_EDGES)
    if len(core) < 2:
        return None
    hay, where = _normalised(text)
    needle, _ = _normalised(core)
    at = hay.find(needle)
    if at < 0:
        return None
    return text[where[at]:where[at + len(needle) - 1] + 1]


def ground(t: Transcript, quotes: list[_Quote]) -> tuple[list[Evidence], list[str]]:
    """Keep quotes that are verbatim in a trainee turn. A quote found in exactly one other trainee turn has
    its turn number corrected (small models miscount turns); anything else is a problem."""
    trainee = [i for i, turn in enumerate(t.turns) if turn.role is Role.trainee]
    kept: list[Evidence] = []
    problems: list[str] = []
    for q in quotes:
        quote = q.quote.strip().strip('"\u201c\u201d')
        if not quote:
            continue
        if q.turn in trainee and (found := find_verbatim(t.turns[q.turn].text, quote)):
            kept.append(Evidence(turn=q.turn, quote=found))
            continue
        where = [(i, f) for i in trainee if (f := find_verbatim(t.turns[i].text, quote))]
        if len(where) == 1:
            kept.append(Evidence(turn=where[0][0], quote=where[0][1]))
        else:
            problems.append(f"citaat niet letterlijk in een trainee-beurt: {quote[:60]!r} (beurt {q.turn})")
    return kept, problems


def _grounded_enough(item: ChecklistItem, verdict: str, evidence: list[Evidence], problems: list[str]) -> bool:
    if problems:
        return False
    needs_quote = (verdict == "met" and item.polarity == "show") or (verdict == "not_met" and item.polarity == "avoid")
    return bool(evidence) or not needs_quote


def batches(items: list[ChecklistItem], size: int | None = None) -> list[list[ChecklistItem]]:
    """Items in order, in as few batches of at most `size` as possible, of (nearly) equal length; all items
    in one batch when `size` is None or 0."""
    if not size or size >= len(items):
        return [list(items)] if items else []
    n = -(-len(items) // size)
    per, extra = divmod(len(items), n)
    out, start = [], 0
    for b in range(n):
        end = start + per + (b < extra)
        out.append(items[start:end])
        start = end
    return out


def _too_long(exc: BaseException) -> bool:
    """Whether a model error says the request does not fit the model (prompt plus answer too long)."""
    seen: BaseException | None = exc
    while seen is not None:
        if _TOO_LONG.search(str(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _items_per_call_from_env() -> int | None:
    raw = os.environ.get(ITEMS_PER_CALL_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        from ..errors import InputError

        raise InputError(f"{ITEMS_PER_CALL_ENV} must be a whole number (0 = one call per checklist), not {raw!r}")
    return int(raw) or None


class LLMJudge:
    name = "llm"

    def __init__(self, library: Library, *, model: str | None = None, samples: int = 1,
                 temperature: float | None = None, max_tokens: int | None = None,
                 items_per_call: int | None = None) -> None:
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
        # None: one call per checklist (the contract); a number splits long checklists for small models.
        self.items_per_call = items_per_call if items_per_call is not None else _items_per_call_from_env()
        self.usage = Usage()

    # --- one batch of items, one sample --------------------------------------------------------------
    def _ask(self, t: Transcript, checklist: Checklist, items: list[ChecklistItem], retry_note: str) -> "Completion":
        from ..llm import complete, supports_structured_output

        assert self.model is not None
        system = render("judge_system.j2")
        user = render("judge_user.j2", lines=transcript_lines(t), checklist=checklist, items=items,
                      item_ids=[i.id for i in items], never_na={i.id for i in items if never_not_applicable(i)},
                      retry_note=retry_note)
        fmt = answer_schema(items, trainee_sentences(t)) if supports_structured_output(self.model) else None
        reply = complete([{"role": "system", "content": system}, {"role": "user", "content": user}],
                         model=self.model, temperature=self.temperature,
                         max_tokens=self.max_tokens or TOKENS_PER_ITEM * len(items) + 200, response_format=fmt)
        self.usage.calls += 1
        self.usage.prompt_tokens += reply.prompt_tokens
        self.usage.completion_tokens += reply.completion_tokens
        return reply

    def score_checklist(self, t: Transcript, checklist: Checklist) -> dict[str, ItemResult]:
        done: dict[str, ItemResult] = {}
        for batch in batches(list(checklist.items), self.items_per_call):
            done.update(self._score_batch(t, checklist, batch))
        return {i.id: done[i.id] for i in checklist.items}

    def _split(self, t: Transcript, checklist: Checklist, items: list[ChecklistItem]) -> dict[str, ItemResult]:
        half = (len(items) + 1) // 2
        return {**self._score_batch(t, checklist, items[:half]), **self._score_batch(t, checklist, items[half:])}

    def _score_batch(self, t: Transcript, checklist: Checklist, items: list[ChecklistItem]) -> dict[str, ItemResult]:
        pending = list(items)
        done: dict[str, ItemResult] = {}
        why_not: dict[str, str] = {}
        note = ""
        for _ in range(ATTEMPTS):
            try:
                reply = self._ask(t, checklist, pending, note)
            except ModelError as exc:
                if len(pending) > 1 and _too_long(exc):
                    return {**done, **self._split(t, checklist, pending)}
                why_not = {i.id: f"Het taalmodel gaf geen antwoord ({exc.kind})." for i in pending}
                break
            cut_off = reply.finish_reason == "length"
            answer = parse_answer(reply.text) or (salvage(reply.text) if cut_off else None)
            if answer is None:
                if cut_off and len(pending) > 1:
                    return {**done, **self._split(t, checklist, pending)}  # fewer items, shorter answer
                why_not = {i.id: "Het antwoord van het taalmodel was niet te lezen." for i in pending}
                note = ("Your previous answer was not valid JSON of the required shape. "
                        "Answer with the JSON object only.") + (_CUT_OFF if cut_off else "")
                continue
            by_id = {a.id: a for a in answer.items}
            wrong: dict[str, list[str]] = {"missing": [], "quote": [], "na": []}
            for item in pending:
                a = by_id.get(item.id)
                if a is None:
                    why_not[item.id] = "Het taalmodel gaf voor dit item geen oordeel."
                    wrong["missing"].append(item.id)
                    continue
                if a.verdict == "not_applicable" and never_not_applicable(item):
                    why_not[item.id] = "Het taalmodel noemde dit item niet van toepassing, maar het geldt altijd."
                    wrong["na"].append(item.id)
                    continue
                evidence, problems = ground(t, a.evidence)
                if not _grounded_enough(item, a.verdict, evidence, problems):
                    why_not[item.id] = ("Het oordeel was niet met een letterlijk citaat onderbouwd"
                                        + (": " + "; ".join(problems) if problems else ".")).strip()
                    wrong["quote"].append(item.id)
                    continue
                verdict = Verdict(a.verdict)
                done[item.id] = ItemResult(id=item.id, verdict=verdict, evidence=evidence, reason=a.reasoning.strip(),
                                           tip=tip_for(item, verdict), source=item.source.label())
            pending = [i for i in pending if i.id not in done]
            if not pending:
                break
            note = " ".join(f"For {', '.join(ids)} your previous answer {_RETRY[kind]}"
                            for kind, ids in wrong.items() if ids) + (_CUT_OFF if cut_off else "")
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
