"""Grounding: every evidence quote must be a verbatim substring of the cited turn, and that turn a
trainee turn (see ../shared/formats.md). A judge that paraphrases or quotes the customer fails here."""

from dataclasses import dataclass

from ..models import Evidence, Role, Scorecard, Transcript


@dataclass(frozen=True)
class QuoteCheck:
    item: str
    evidence: Evidence
    trainee_turn: bool  # the cited turn exists and is a trainee turn
    verbatim: bool  # the quote is a substring of the cited turn's text (exact, whitespace included)
    problem: str | None  # None when grounded

    @property
    def grounded(self) -> bool:
        return self.problem is None


def check_quotes(transcript: Transcript, card: Scorecard) -> list[QuoteCheck]:
    """One check per evidence quote of the scorecard, in item order."""
    checks = []
    turns = transcript.turns
    for item in card.items:
        for ev in item.evidence:
            if not 0 <= ev.turn < len(turns):
                checks.append(QuoteCheck(item.id, ev, False, False, f"turn {ev.turn} does not exist"))
                continue
            turn = turns[ev.turn]
            trainee, verbatim = turn.role is Role.trainee, ev.quote in turn.text
            problems = [p for p, bad in (("not a trainee turn", not trainee),
                                         ("quote not verbatim", not verbatim)) if bad]
            checks.append(QuoteCheck(item.id, ev, trainee, verbatim, "; ".join(problems) or None))
    return checks
