"""The judge's output, exactly the shape of `roleplay judge --format json` (../shared/formats.md)."""

from pydantic import BaseModel, ConfigDict, Field

from ._transcript import Verdict


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Out):
    turn: int = Field(ge=0, description="0-based index into the transcript's turns (always a trainee turn).")
    quote: str = Field(min_length=1, description="A verbatim substring of that turn's text.")


class ItemResult(_Out):
    id: str = Field(description="Checklist item id, e.g. 'actief-luisteren.samenvatten'.")
    verdict: Verdict = Field(description="met, not_met, not_applicable or unscored.")
    evidence: list[Evidence] = Field(default_factory=list, description="Where the verdict comes from.")
    reason: str = Field(description="Why, in Dutch, for the trainee.")
    tip: str | None = Field(default=None, description="What to do next time (null when met or not applicable).")
    source: str = Field(description="Article and section the item comes from.")
    agreement: float | None = Field(
        default=None, description="With several judge samples: share of samples that gave this verdict."
    )


class Scorecard(_Out):
    judge: str = Field(description="'rules' or 'llm'.")
    model: str | None = Field(default=None, description="litellm model string of the LLM judge, null for rules.")
    checklists: list[str] = Field(description="Checklist ids that were scored.")
    items: list[ItemResult] = Field(description="One result per item, in checklist order.")
    score: float | None = Field(description="Share of met among met + not_met items, x100; null if none.")
    subscores: dict[str, float | None] = Field(
        default_factory=dict, description="The same score per checklist id."
    )
    samples: int | None = Field(default=None, description="Number of judge samples (LLM judge).")
    warnings: list[str] = Field(default_factory=list, description="Things the user should know.")


def score_of(items: list[ItemResult]) -> float | None:
    counted = [i for i in items if i.verdict in (Verdict.met, Verdict.not_met)]
    if not counted:
        return None
    return round(100.0 * sum(i.verdict is Verdict.met for i in counted) / len(counted), 1)
