"""deepeval integration: our checklist judge as a deepeval conversational metric, conversions between our
transcripts and deepeval's `ConversationalTestCase`, and a `DeepEvalBaseLLM` over `roleplay.llm.complete`.

The only module that imports deepeval. deepeval is heavy and starts telemetry when it is imported, so the CLI
never imports this module, and importing it opts out of deepeval's telemetry first (see `_telemetry_off`).

deepeval 2.9 stores a conversation as `LLMTestCase` pairs seen from the bot's side: `input` is what the user
said, `actual_output` the bot's reply. When we judge the trainee, the trainee is the bot (assistant) and the
customer the user: `bot="trainee"`, the default. When we judge the simulated customer (persona fidelity),
the customer is the bot: `bot="customer"`. A turn without a counterpart (the trainee opens an outbound call,
two customer turns in a row) gets an empty string on the other side, so the conversion round-trips exactly.

    from roleplay.evals.deepeval_metric import ChecklistMetric, load_test_case
    case = load_test_case("evals/golden/a01-wasmachine-voorbeeldig.yaml")
    metric = ChecklistMetric(["actief-luisteren"])          # rule judge, threshold 0.5
    metric.measure(case); metric.score, metric.reason, metric.score_breakdown
"""

import os


def _telemetry_off() -> None:
    """deepeval 2.9 reads DEEPEVAL_TELEMETRY_OPT_OUT at import and only honours the exact value "YES"
    (anything else, "1" included, leaves telemetry on). Unset or a truthy spelling becomes "YES"; an explicit
    "NO"/"0" (a user who wants telemetry) is left alone. DEEPEVAL_DISABLE_DOTENV is for later versions, which
    read a .env file at import; 2.9 reads none."""
    value = os.environ.get("DEEPEVAL_TELEMETRY_OPT_OUT", "").strip().lower()
    if value in ("", "1", "true", "yes", "on"):
        os.environ["DEEPEVAL_TELEMETRY_OPT_OUT"] = "YES"
    os.environ.setdefault("DEEPEVAL_DISABLE_DOTENV", "1")


_telemetry_off()

import asyncio  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Literal, cast  # noqa: E402

from deepeval.errors import MissingTestCaseParamsError  # noqa: E402
from deepeval.metrics.base_metric import BaseConversationalMetric  # noqa: E402
from deepeval.metrics.indicator import metric_progress_indicator  # noqa: E402
from deepeval.metrics.utils import construct_verbose_logs  # noqa: E402
from deepeval.models.base_model import DeepEvalBaseLLM  # noqa: E402
from deepeval.test_case.conversational_test_case import ConversationalTestCase  # noqa: E402
from deepeval.test_case.llm_test_case import LLMTestCase  # noqa: E402
from pydantic import BaseModel, ValidationError  # noqa: E402

from ..content import Library, default_library, load_transcript  # noqa: E402
from ..errors import InputError  # noqa: E402
from ..judge import (  # noqa: E402
    VERDICT_NL,
    Judge,
    make_judge,
)
from ..models import NPSAnswer, Role, Scorecard, Transcript, Turn, Verdict  # noqa: E402

Side = Literal["trainee", "customer"]

# --- conversions --------------------------------------------------------------------------------------


def _pair(user: Turn | None, bot: Turn | None) -> LLMTestCase:
    moods = {k: t.mood for k, t in (("input", user), ("actual_output", bot)) if t is not None and t.mood is not None}
    return LLMTestCase(input=user.text if user else "", actual_output=bot.text if bot else "",
                       additional_metadata={"mood": moods} if moods else None)


def to_test_case(transcript: Transcript, *, bot: Side = "trainee", name: str | None = None,
                 chatbot_role: str | None = None, checklists: Sequence[str] | None = None,
                 metadata: dict[str, Any] | None = None) -> ConversationalTestCase:
    """A deepeval ConversationalTestCase of `transcript`; `bot` is the side whose turns are `actual_output`.

    The case's `additional_metadata` keeps what deepeval has no field for (persona, checklists, labels, NPS,
    notes, which side is the bot), so `to_transcript` gives the transcript back unchanged."""
    pairs: list[LLMTestCase] = []
    waiting: Turn | None = None  # a user turn that has no bot reply yet
    for turn in transcript.turns:
        if turn.role.value == bot:
            pairs.append(_pair(waiting, turn))
            waiting = None
        else:
            if waiting is not None:
                pairs.append(_pair(waiting, None))
            waiting = turn
    if waiting is not None:
        pairs.append(_pair(waiting, None))
    meta: dict[str, Any] = {"bot": bot, "persona": transcript.persona,
                            "checklists": list(checklists) if checklists is not None else transcript.checklists}
    if transcript.labels:
        meta["labels"] = {k: v.value for k, v in transcript.labels.items()}
    if transcript.nps is not None:
        meta["nps"] = transcript.nps.model_dump(mode="json")
    if transcript.notes is not None:
        meta["notes"] = transcript.notes
    meta.update(metadata or {})
    return ConversationalTestCase(turns=pairs, name=name, chatbot_role=chatbot_role, additional_metadata=meta)


def to_transcript(test_case: ConversationalTestCase, *, bot: Side | None = None) -> Transcript:
    """Our Transcript of a deepeval ConversationalTestCase. `bot` defaults to the side recorded by
    `to_test_case` in the case's metadata, else "trainee" (the assistant is the trainee). Empty strings
    are missing turns, not turns; persona, checklists, labels, NPS and notes come from the metadata."""
    meta = dict(test_case.additional_metadata or {})
    side: str = bot or meta.get("bot") or "trainee"
    if side not in ("trainee", "customer"):
        raise ValueError(f"bot must be 'trainee' or 'customer', got {side!r}")
    user_role = Role.customer if side == "trainee" else Role.trainee
    turns: list[Turn] = []
    for n, pair in enumerate(test_case.turns):
        moods = (pair.additional_metadata or {}).get("mood", {})
        for field, role in (("input", user_role), ("actual_output", Role(side))):
            text = getattr(pair, field)
            if not isinstance(text, str):
                raise ValueError(f"turns[{n}].{field}: expected text, got {type(text).__name__}")
            if text.strip():
                turns.append(Turn(role=role, text=text, mood=moods.get(field)))
    if not turns:
        raise ValueError("the conversational test case has no turn with text")
    nps = meta.get("nps")
    return Transcript(persona=meta.get("persona"), checklists=meta.get("checklists"), turns=turns,
                      labels=meta.get("labels") or None, notes=meta.get("notes"),
                      nps=NPSAnswer.model_validate(nps) if nps is not None else None)


def load_test_case(path: str | Path, *, library: Library | None = None, checklists: Sequence[str] | None = None,
                   bot: Side = "trainee", chatbot_role: str | None = None) -> ConversationalTestCase:
    """A ConversationalTestCase from one of our transcript files (YAML/JSON). The file is checked like
    `roleplay judge` checks it (bad input: InputError naming file, line and field); the checklists that
    apply (flag > file > persona) go into the metadata, so `ChecklistMetric()` needs no checklist ids."""
    path = Path(path)
    loaded = load_transcript(path, library or default_library(), list(checklists) if checklists else None)
    return to_test_case(loaded.transcript, bot=bot, name=path.stem, chatbot_role=chatbot_role,
                        checklists=loaded.checklists, metadata={"file": path.name})


# --- the metric ---------------------------------------------------------------------------------------


class ChecklistMetric(BaseConversationalMetric):
    """Our judge as a deepeval conversational metric: the trainee's turns scored against checklists.

    checklists: one id or several; None takes them from the test case (metadata `checklists`, else its
        persona's), as `load_test_case` records them.
    judge: "rules" (offline, default), "llm" (with `model`, else ROLEPLAY_JUDGE_MODEL), or a Judge instance.
    After `measure`: `score` = our score / 100 (0..1), `success` = score >= threshold, `reason` (Dutch),
    `score_breakdown` = {item id: {verdict, evidence, reason, tip}} for every item, `scorecard` = our Scorecard.
    A transcript with no met or not_met item has no score: `error` says why and the metric fails.

    Every constructor argument is kept under its own name: deepeval copies a metric per test case by
    calling the class again with those attributes.
    """

    def __init__(self, checklists: str | Sequence[str] | None = None, judge: str | Judge = "rules",
                 model: str | None = None, threshold: float = 0.5, samples: int = 1,
                 library: Library | None = None, include_reason: bool = True, strict_mode: bool = False,
                 async_mode: bool = True, verbose_mode: bool = False) -> None:
        self.library = library or default_library()
        self.checklists: list[str] | None = [checklists] if isinstance(checklists, str) else (
            list(checklists) if checklists is not None else None)
        if self.checklists is not None:
            if not self.checklists:
                raise InputError("give at least one checklist id (or None: the test case's checklists)")
            self.library.check_checklist_ids(self.checklists)
        if not 0.0 <= threshold <= 1.0:
            raise InputError(f"threshold must be between 0 and 1, got {threshold}")
        self.judge = judge
        self.model = model
        self.samples = samples
        self._judge: Judge = (make_judge(judge, model=model, samples=samples, library=self.library)
                              if isinstance(judge, str) else judge)
        self.threshold = 1.0 if strict_mode else threshold
        self.include_reason = include_reason
        self.strict_mode = strict_mode
        self.async_mode = async_mode
        self.verbose_mode = verbose_mode
        self.evaluation_model = f"roleplay {self._judge.name}" + (f" ({self._judge.model})" if self._judge.model
                                                                  else "")
        self.scorecard: Scorecard | None = None

    @property
    def __name__(self) -> str:  # deepeval names metrics by this property
        return "Checklist" + (f" ({', '.join(self.checklists)})" if self.checklists else "")

    # deepeval's annotations say BaseMetric and float; its own metrics also return None when they fail.
    def measure(self, test_case: ConversationalTestCase, _show_indicator: bool = True,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> float | None:
        with metric_progress_indicator(cast(Any, self), _show_indicator=_show_indicator):
            self._evaluate(test_case)
        return self.score

    async def a_measure(self, test_case: ConversationalTestCase,  # type: ignore[override]
                        _show_indicator: bool = True, *args: Any, **kwargs: Any) -> float | None:
        with metric_progress_indicator(cast(Any, self), async_mode=True, _show_indicator=_show_indicator):
            # Judges are synchronous (an LLM judge waits on its model): keep the event loop free.
            await asyncio.to_thread(self._evaluate, test_case)
        return self.score

    def is_successful(self) -> bool:
        if self.error is not None:
            self.success = False
        return bool(self.success)

    # --- internals ---------------------------------------------------------------------------------
    def _checklists_for(self, test_case: ConversationalTestCase, transcript: Transcript) -> list[str]:
        if self.checklists:
            return self.checklists
        found = (test_case.additional_metadata or {}).get("checklists") or transcript.checklists
        if not found and transcript.persona:
            found = self.library.persona(transcript.persona).checklists
        if not found:
            self.error = ("no checklists to score: pass checklist ids to ChecklistMetric or give the test case "
                          "metadata 'checklists' or 'persona' (load_test_case does)")
            raise MissingTestCaseParamsError(self.error)
        ids = list(found)
        self.library.check_checklist_ids(ids)
        return ids

    def _evaluate(self, test_case: ConversationalTestCase) -> None:
        self.error, self.score, self.success, self.reason, self.score_breakdown = None, None, None, None, {}
        if not isinstance(test_case, ConversationalTestCase):
            self.error = f"{self.__name__} scores a ConversationalTestCase, got {type(test_case).__name__}"
            raise ValueError(self.error)
        transcript = to_transcript(test_case)
        card = self._judge.score(transcript, self._checklists_for(test_case, transcript))
        self.scorecard = card
        self.score_breakdown = {it.id: {"verdict": it.verdict.value,
                                        "evidence": [e.model_dump() for e in it.evidence],
                                        "reason": it.reason, "tip": it.tip} for it in card.items}
        if card.score is None:
            self.error = ("geen score: geen enkel item is voldaan of niet voldaan (alles n.v.t. of niet "
                          "beoordeeld)")
            self.success = False
        else:
            score = card.score / 100.0
            self.score = 0.0 if self.strict_mode and score < self.threshold else score
            self.success = self.score >= self.threshold
        self.reason = self._reason(card) if self.include_reason else None
        self.verbose_logs = construct_verbose_logs(cast(Any, self), steps=[
            "Items:\n" + "\n".join(f"{it.id}: {it.verdict.value}"
                                   + "".join(f" [beurt {e.turn}] \u201c{e.quote}\u201d" for e in it.evidence)
                                   for it in card.items),
            f"Score: {self.score}\nReason: {self.reason}",
        ])

    def _reason(self, card: Scorecard) -> str:
        """A short Dutch summary: the score, what was missed, what could not be judged."""
        count = {v: [it for it in card.items if it.verdict is v] for v in Verdict}
        met, missed, n_na = len(count[Verdict.met]), count[Verdict.not_met], len(count[Verdict.not_applicable])
        if card.score is None:
            head = "Geen score: geen enkel item was voldaan of niet voldaan."
        else:
            head = f"Score {card.score:.0f} van 100: {met} van de {met + len(missed)} beoordeelde items voldaan"
            head += f", {n_na} n.v.t." if n_na else "."
        parts = [head]
        if missed:
            parts.append(f"{VERDICT_NL[Verdict.not_met].capitalize()}: "
                         + ", ".join(f"{self.library.item(it.id).title} ({it.id})" for it in missed) + ".")
        if count[Verdict.unscored]:
            parts.append(f"{VERDICT_NL[Verdict.unscored].capitalize()}: "
                         + ", ".join(it.id for it in count[Verdict.unscored]) + ".")
        if len(card.checklists) > 1:
            parts.append("Per checklist: " + ", ".join(
                f"{cid} {'–' if card.subscores.get(cid) is None else format(card.subscores[cid], '.0f')}"
                for cid in card.checklists) + ".")
        return " ".join(parts)


# --- an evaluation model for deepeval's own metrics ----------------------------------------------------


class RoleplayModel(DeepEvalBaseLLM):
    """A deepeval evaluation model that answers through `roleplay.llm.complete`: any of our model strings
    (`local`, `fake/<name>`, a litellm model). It has no `generate_raw_response`, so deepeval's G-Eval takes
    its plain path (the score as written, no logprob weighting) and never asks for logprobs.

    model: None takes ROLEPLAY_JUDGE_MODEL (else ROLEPLAY_MODEL). A `schema` from deepeval is sent as
    structured output where the model takes it, and the reply is parsed into it (ValueError when the reply
    is not valid JSON of that shape). `calls`, `prompt_tokens`, `completion_tokens` count what this model
    was asked, as the provider reported it.
    """

    def __init__(self, model: str | None = None, *, temperature: float = 0.0, max_tokens: int | None = 768,
                 timeout: float | None = None) -> None:
        from ..llm import default_model

        resolved = model or default_model("judge")
        if not resolved:
            raise InputError("no judge model: set ROLEPLAY_JUDGE_MODEL (e.g. 'local') or pass a model")
        self.model_id = resolved
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        super().__init__(resolved)

    def load_model(self, *args: Any, **kwargs: Any) -> str:
        return self.model_id

    def get_model_name(self, *args: Any, **kwargs: Any) -> str:
        return self.model_id

    def generate(self, prompt: str, schema: type[BaseModel] | None = None) -> Any:
        from ..llm import complete, resolve_model, supports_structured_output

        structured: Any = schema if schema is not None and supports_structured_output(self.model_id) else None
        if structured is not None and resolve_model(self.model_id)[1] == "local":
            structured = bounded_schema(structured.model_json_schema(), LOCAL_MAX_ITEMS, LOCAL_MAX_CHARS)
        reply = complete([{"role": "user", "content": prompt}], model=self.model_id, temperature=self.temperature,
                         max_tokens=self.max_tokens, response_format=structured, timeout=self.timeout)
        self.calls += 1
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        return reply.text if schema is None else parse_json(reply.text, schema, self.model_id)

    async def a_generate(self, prompt: str, schema: type[BaseModel] | None = None) -> Any:
        return await asyncio.to_thread(self.generate, prompt, schema)


# A small local model under a JSON grammar can loop inside the JSON (SmolLM2 filled deepeval's verdict list
# until max_tokens, so the reply was cut and unreadable). For `local` models the schema sent as grammar
# bounds arrays and strings; the reply is still validated against deepeval's own schema.
LOCAL_MAX_ITEMS = 4
LOCAL_MAX_CHARS = 200


def bounded_schema(schema: Any, max_items: int, max_chars: int) -> Any:
    """A copy of a JSON schema in which every array has at most `max_items` entries and every string at
    most `max_chars` characters (bounds already there are kept)."""
    if isinstance(schema, list):
        return [bounded_schema(x, max_items, max_chars) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: bounded_schema(v, max_items, max_chars) for k, v in schema.items()}
    if out.get("type") == "array":
        out.setdefault("maxItems", max_items)
    if max_chars and out.get("type") == "string" and "enum" not in out:
        out.setdefault("maxLength", max_chars)
    return out


def parse_json(text: str, schema: type[BaseModel], model: str = "model") -> BaseModel:
    """The JSON object in a model's reply (code fences and chatter around it tolerated) as `schema`."""
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip(), flags=re.MULTILINE)
    start, end = cleaned.find("{"), cleaned.rfind("}")
    try:
        if start < 0 or end <= start:
            raise ValueError("no JSON object")
        return schema.model_validate(json.loads(cleaned[start:end + 1]))
    except (ValueError, ValidationError) as exc:
        short = " ".join(text.split())[:120]
        raise ValueError(f"{model} did not answer with JSON of the shape {schema.__name__}: {short!r} "
                         f"({exc.__class__.__name__})") from None


__all__ = [
    "LOCAL_MAX_CHARS",
    "LOCAL_MAX_ITEMS",
    "ChecklistMetric",
    "RoleplayModel",
    "Side",
    "bounded_schema",
    "load_test_case",
    "parse_json",
    "to_test_case",
    "to_transcript",
]
