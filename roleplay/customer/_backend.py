"""The customer backend protocol: what the session needs from a simulated customer.

The scripted customer implements it now; an LLM customer plugs in the same way. A backend keeps no
memory of its own that matters: the session holds the turns and the state, so the session can switch
backend at any turn without losing the conversation.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ..errors import InputError
from ..models import NPSAnswer

if TYPE_CHECKING:
    from ..session import Session


class CustomerBackend(Protocol):
    name: str            # "scripted", "llm"
    model: str | None    # litellm model string for LLM customers, None otherwise

    def opening(self, session: "Session") -> str | None:
        """The customer's first line when the persona opens the conversation, else None."""
        ...

    def reply(self, session: "Session", trainee_text: str) -> str:
        """The reply to the trainee turn the session just added (its state is already updated)."""
        ...

    def stream(self, session: "Session", trainee_text: str) -> Iterator[str]:
        """The same reply in chunks, for the web app; the chunks joined are the reply."""
        ...

    def nps(self, session: "Session") -> NPSAnswer:
        """The answer to the NPS question at the end, in character."""
        ...


CUSTOMER_KINDS = ("scripted", "llm")


def make_customer(kind: str = "scripted", *, model: str | None = None) -> CustomerBackend:
    """A customer backend by name, as the CLI and the app choose it."""
    if kind == "scripted":
        from ._scripted import ScriptedCustomer

        return ScriptedCustomer()
    if kind == "llm":
        from ._llm import LLMCustomer

        return LLMCustomer(model=model)
    raise InputError(f"unknown customer '{kind}' (choose from: {', '.join(CUSTOMER_KINDS)})", field="--customer")
