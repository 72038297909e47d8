"""The NPS answer at the end of a conversation, in character, following from the final state.

"Hoe waarschijnlijk is het dat u ons zou aanbevelen?" The persona's NPS bands map the final mood to a
score range and in-character reasons; within a band the score rises with the mood, and a customer who
hung up or gave up answers at the bottom of the band.
"""

import random

from ..models import NPSAnswer, NPSBand, Persona, nps_category
from ._state import PersonaState

NPS_QUESTION = "Hoe waarschijnlijk is het dat u ons zou aanbevelen aan vrienden, familie of collega's?"
_LOW_OUTCOMES = {"hung_up", "gave_up", "rejected"}


def nps_band(persona: Persona, mood: int) -> NPSBand:
    return next(b for b in persona.nps if b.mood_min <= mood <= b.mood_max)


def nps_range(state: PersonaState) -> tuple[int, int]:
    """The scores this customer can give in this final state."""
    band = nps_band(state.persona, state.mood)
    return band.score_min, band.score_max


def nps_score(state: PersonaState) -> int:
    band = nps_band(state.persona, state.mood)
    if state.outcome in _LOW_OUTCOMES:
        return band.score_min
    span = band.mood_max - band.mood_min
    share = (state.mood - band.mood_min) / span if span else 1.0
    return band.score_min + round(share * (band.score_max - band.score_min))


def clamp_nps(state: PersonaState, score: int) -> int:
    """Clamp a score proposed by an LLM customer into the range the final state allows."""
    lo, hi = nps_range(state)
    return max(lo, min(hi, int(score)))


def nps_answer(state: PersonaState, seed: int | str = 0, score: int | None = None,
               reason: str | None = None) -> NPSAnswer:
    """The customer's answer: score (clamped when given, e.g. by an LLM) and a one-sentence reason."""
    band = nps_band(state.persona, state.mood)
    final = nps_score(state) if score is None else clamp_nps(state, score)
    if not reason:
        rng = random.Random(f"{seed}:{state.persona.id}:nps:{state.trainee_turns}")
        reason = rng.choice(band.reasons)
    return NPSAnswer(score=final, reason=reason.strip(), category=nps_category(final))
