"""Judges score the trainee's turns of a transcript against checklists and return a Scorecard.

`make_judge("rules")` is the offline rule judge; `make_judge("llm", model=...)` the LLM judge.
"""

from typing import Protocol

from ..content import Library, default_library
from ..models import Scorecard, Transcript
from ._scorecard import VERDICT_NL, render_text


class Judge(Protocol):
    name: str
    model: str | None

    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard: ...


def make_judge(kind: str = "rules", *, model: str | None = None, samples: int = 1,
               library: Library | None = None) -> Judge:
    lib = library or default_library()
    if kind == "rules":
        from ._rules import RuleJudge

        return RuleJudge(lib)
    if kind == "llm":
        from ._llm import LLMJudge

        return LLMJudge(lib, model=model, samples=samples)
    raise ValueError(f"unknown judge '{kind}' (rules or llm)")


__all__ = ["VERDICT_NL", "Judge", "make_judge", "render_text"]
