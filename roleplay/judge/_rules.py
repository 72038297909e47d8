"""The offline rule judge: deterministic verdicts from behaviour signals and the turn structure."""

from ..content import Library
from ..models import ChecklistItem, Evidence, ItemResult, Role, Scorecard, Transcript, Verdict
from ._items import RULES, Decision
from ._scorecard import build_scorecard, tip_for
from ._view import View


class RuleJudge:
    name = "rules"
    model: str | None = None

    def __init__(self, library: Library) -> None:
        self.lib = library

    def score(self, transcript: Transcript, checklists: list[str]) -> Scorecard:
        view = View.of(transcript)
        items = [self._item(view, it) for it in self.lib.items(checklists)]
        return build_scorecard(self.name, None, checklists, items)

    def _item(self, view: View, item: ChecklistItem) -> ItemResult:
        rule = RULES.get(item.id)
        if rule is None:  # a checklist item added by a user without a rule: say so, never guess
            return ItemResult(
                id=item.id,
                verdict=Verdict.unscored,
                source=item.source.label(),
                reason="Voor dit item heeft de regelbeoordelaar geen regel; gebruik --judge llm.",
            )
        d: Decision = rule(view)
        evidence = [
            Evidence(turn=h.turn, quote=h.signal.text)
            for h in d.hits
            if view.roles[h.turn] is Role.trainee and h.signal.text in view.text(h.turn)
        ]
        return ItemResult(
            id=item.id,
            verdict=d.verdict,
            evidence=evidence,
            reason=d.reason,
            tip=tip_for(item, d.verdict),
            source=item.source.label(),
        )
