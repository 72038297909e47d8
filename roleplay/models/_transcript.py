"""Transcript files (see ../shared/formats.md): turns, optional persona, checklists and labels."""

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from ._base import Strict


class Role(StrEnum):
    customer = "customer"
    trainee = "trainee"


class Verdict(StrEnum):
    met = "met"
    not_met = "not_met"
    not_applicable = "not_applicable"
    unscored = "unscored"


class Turn(Strict):
    role: Role = Field(description="Who speaks: 'customer' (simulated or real customer) or 'trainee'.")
    text: str = Field(min_length=1, description="What was said, verbatim.")
    mood: int | None = Field(
        default=None, ge=0, le=10, description="Customer mood after this turn (0 furious .. 10 delighted)."
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is empty")
        return v


class NPSAnswer(Strict):
    score: int = Field(ge=0, le=10, description="Answer to the NPS question, 0-10.")
    reason: str = Field(description="One sentence, in character, explaining the score.")
    category: Literal["detractor", "passive", "promoter"] = Field(
        description="detractor 0-6, passive 7-8, promoter 9-10."
    )


class Transcript(Strict):
    persona: str | None = Field(default=None, description="Persona id; its checklists apply by default.")
    checklists: list[str] | None = Field(
        default=None, description="Checklist ids to score; overrides the persona's checklists."
    )
    turns: list[Turn] = Field(min_length=1, description="The conversation in order; index 0 is the first turn.")
    labels: dict[str, Verdict] | None = Field(
        default=None, description="Golden transcripts only: one hand-made verdict per item id."
    )
    nps: NPSAnswer | None = Field(default=None, description="The customer's NPS answer at the end, if any.")
    notes: str | None = Field(default=None, description="Free text for humans: what this transcript tests.")

    @field_validator("labels")
    @classmethod
    def _no_unscored_labels(cls, v: dict[str, Verdict] | None) -> dict[str, Verdict] | None:
        if v and any(x is Verdict.unscored for x in v.values()):
            raise ValueError("a label is met, not_met or not_applicable; 'unscored' is only a judge outcome")
        return v


def nps_category(score: int) -> Literal["detractor", "passive", "promoter"]:
    if score <= 6:
        return "detractor"
    return "passive" if score <= 8 else "promoter"
