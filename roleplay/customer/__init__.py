"""The simulated customer: persona state (mood), the scripted customer, the NPS answer.

`ScriptedCustomer` is the offline default, `LLMCustomer` plays the persona on a language model; any
backend that follows `CustomerBackend` plugs into `roleplay.session.Session`.
"""

from ._backend import CUSTOMER_KINDS, CustomerBackend, make_customer
from ._llm import END_TOKEN, LLMCustomer
from ._nps import NPS_QUESTION, clamp_nps, nps_answer, nps_band, nps_range, nps_score
from ._scripted import ScriptedCustomer, check_script, missing_intents
from ._state import DEFAULT_RULES, STAGES, PersonaState, Reason, TraceEntry, TurnEvents

__all__ = [
    "CUSTOMER_KINDS",
    "DEFAULT_RULES",
    "END_TOKEN",
    "NPS_QUESTION",
    "STAGES",
    "CustomerBackend",
    "LLMCustomer",
    "PersonaState",
    "Reason",
    "ScriptedCustomer",
    "TraceEntry",
    "TurnEvents",
    "check_script",
    "clamp_nps",
    "make_customer",
    "missing_intents",
    "nps_answer",
    "nps_band",
    "nps_range",
    "nps_score",
]
