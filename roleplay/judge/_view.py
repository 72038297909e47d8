"""A transcript seen through its signals: who said what, in which turn, and what the other side did next."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..models import Role, Transcript
from ..signals import C, S, Signal, customer_signals, trainee_signals


@dataclass(frozen=True, slots=True)
class Hit:
    turn: int
    signal: Signal


_ADMIN_WORDS = frozenset("naam achternaam voornaam systeem gegevens klantnummer adres spelling".split())


@dataclass
class View:
    transcript: Transcript
    signals: list[list[Signal]] = field(default_factory=list)  # per turn
    roles: list[Role] = field(default_factory=list)

    @classmethod
    def of(cls, t: Transcript) -> "View":
        view = cls(t, [], [turn.role for turn in t.turns])
        history: list[tuple[str, str]] = []
        for turn in t.turns:
            detect = trainee_signals if turn.role is Role.trainee else customer_signals
            view.signals.append(detect(turn.text, history))
            history.append((turn.role.value, turn.text))
        return view

    # --- turns ---------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.roles)

    def text(self, i: int) -> str:
        return self.transcript.turns[i].text

    def trainee_turns(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r is Role.trainee]

    def customer_turns(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r is Role.customer]

    def next_of(self, i: int, role: Role) -> int | None:
        return next((j for j in range(i + 1, self.n) if self.roles[j] is role), None)

    def prev_of(self, i: int, role: Role) -> int | None:
        return next((j for j in range(i - 1, -1, -1) if self.roles[j] is role), None)

    def words(self, i: int) -> int:
        return len(self.text(i).split())

    # --- signals -------------------------------------------------------------------------------
    def hits(self, *ids: str, turns: Iterable[int] | None = None) -> list[Hit]:
        want = set(ids)
        rng = range(self.n) if turns is None else turns
        return [Hit(i, s) for i in rng for s in self.signals[i] if s.id in want]

    def first(self, *ids: str, turns: Iterable[int] | None = None) -> Hit | None:
        found = self.hits(*ids, turns=turns)
        return found[0] if found else None

    def has(self, i: int, *ids: str) -> bool:
        return any(s.id in ids for s in self.signals[i])

    def in_turn(self, i: int, *ids: str) -> list[Signal]:
        return [s for s in self.signals[i] if s.id in ids]

    def trainee_hits(self, *ids: str) -> list[Hit]:
        return self.hits(*ids, turns=self.trainee_turns())

    def customer_hits(self, *ids: str) -> list[Hit]:
        return self.hits(*ids, turns=self.customer_turns())

    def iter_trainee(self) -> Iterator[tuple[int, list[Signal]]]:
        for i in self.trainee_turns():
            yield i, self.signals[i]

    # --- derived moments -------------------------------------------------------------------------
    def story_told_at(self) -> int:
        """Index of the first trainee turn after the customer has explained their problem.

        The customer has explained once they spoke at least ~40 words in total, or gave two turns; a turn
        cut off mid-sentence ("... tussen —") was not finished.
        """
        words, turns = 0, 0
        for i in range(self.n):
            if self.roles[i] is Role.customer:
                words += self.words(i)
                turns += 1
                cut_off = self.text(i).rstrip().endswith(("—", "–", "-", "..."))
                if (words >= 40 or turns >= 2) and not cut_off:
                    nxt = self.next_of(i, Role.trainee)
                    return nxt if nxt is not None else self.n
        return self.n

    def first_solution_turn(self) -> Hit | None:
        """The first offer of help with the problem; noting the name or data ("dan zet ik hem goed in het
        systeem") is not one."""
        hits = self.hits(S.solution, S.commitment, S.alternative, S.choice_offer, S.pitch, S.ownership_refusal,
                         turns=self.trainee_turns())
        return next((h for h in hits if not _ADMIN_WORDS & set(re.findall(r"\w+", h.signal.text.lower()))), None)

    def confirmations(self) -> list[int]:
        return [h.turn for h in self.customer_hits(C.confirm)]
