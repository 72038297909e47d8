"""A minimal LLM customer over `roleplay.llm`, for the app's tests and load benchmark only.

The real one is `roleplay.customer.LLMCustomer` (owned by the customer engine); until it exists this lets the
tests exercise the app's model path (streaming, ModelError mid-conversation, retry, fallback, the prompt in
the instructor view) against the `fake` provider. Not a customer anyone should train with.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..customer import nps_answer
from ..models import NPSAnswer, Role

if TYPE_CHECKING:
    from ..session import Session


class StandInLLMCustomer:
    name = "llm"

    def __init__(self, model: str | None) -> None:
        self.model = model or "fake"

    def system_prompt(self, session: "Session") -> str:
        p, st = session.persona, session.state
        return (f"Je speelt {p.character.name} in een rollenspel voor klantenservice. {p.summary} "
                f"Je stemming is {st.mood}/10 ({st.band}). Antwoord kort, in het Nederlands, in je rol.")

    def messages(self, session: "Session") -> list[dict[str, Any]]:
        msgs: list[dict[str, Any]] = [{"role": "system", "content": self.system_prompt(session)}]
        for t in session.turns:
            msgs.append({"role": "assistant" if t.role is Role.customer else "user", "content": t.text})
        return msgs

    def opening(self, session: "Session") -> str | None:
        if session.persona.opens != "customer":
            return None
        from ..llm import complete

        return complete(self.messages(session), model=self.model).text

    def reply(self, session: "Session", trainee_text: str) -> str:
        from ..llm import complete

        return complete(self.messages(session), model=self.model).text

    def stream(self, session: "Session", trainee_text: str) -> Iterator[str]:
        from ..llm import stream

        yield from stream(self.messages(session), model=self.model)

    def nps(self, session: "Session") -> NPSAnswer:
        return nps_answer(session.state, session.seed)


def stand_in_factory(kind: str, model: str | None) -> Any:
    """A customer factory for build_app(): the stand-in for "llm", the scripted customer otherwise."""
    if kind == "llm":
        return StandInLLMCustomer(model)
    from ..customer import ScriptedCustomer

    return ScriptedCustomer()
