"""Persona fidelity of the simulated customer, judged by deepeval's RoleAdherenceMetric and ConversationalGEval.

    ROLEPLAY_JUDGE_MODEL=local DEEPEVAL_TELEMETRY_OPT_OUT=YES deepeval test run evals/test_persona_fidelity.py

Runs only when ROLEPLAY_JUDGE_MODEL is set (skipped otherwise). The judge model is wrapped in RoleplayModel,
a DeepEvalBaseLLM over roleplay.llm.complete: deepeval takes its plain path (no logprobs).

For each persona the first ROLEPLAY_FIDELITY_TURNS (default 6) trainee turns of its first golden transcript
are replayed through `roleplay.session.Session` against the LLM customer (`make_customer("llm")` with
ROLEPLAY_MODEL, else the judge model; the scripted customer takes over a turn the model fails). Without an
LLM customer in roleplay.customer the scripted customer plays. The test output and the test case's
`comments` say which customer played.

Here the customer is the bot: its turns are `actual_output`, the trainee's are `input` (`bot="customer"`).
ROLEPLAY_FIDELITY_THRESHOLD (default 0.7) is the pass mark of both metrics. With the tiny local SmolLM2
as judge the scores mean nothing: that run checks the pipeline, not the customer.
"""

import os

import pytest
from deepeval import assert_test
from deepeval.metrics.conversational_g_eval.conversational_g_eval import ConversationalGEval
from deepeval.metrics.role_adherence.role_adherence import RoleAdherenceMetric
from deepeval.test_case.conversational_test_case import ConversationalTestCase
from deepeval.test_case.llm_test_case import LLMTestCaseParams

from roleplay import paths
from roleplay.content import default_library, load_transcript
from roleplay.customer import CustomerBackend, ScriptedCustomer, make_customer
from roleplay.errors import InputError
from roleplay.evals import golden_files
from roleplay.evals.deepeval_metric import RoleplayModel, to_test_case
from roleplay.llm import default_model
from roleplay.models import Persona, Role
from roleplay.session import Session

JUDGE = os.environ.get("ROLEPLAY_JUDGE_MODEL", "").strip()
THRESHOLD = float(os.environ.get("ROLEPLAY_FIDELITY_THRESHOLD", "0.7"))
TURNS = int(os.environ.get("ROLEPLAY_FIDELITY_TURNS", "6"))

pytestmark = pytest.mark.skipif(
    not JUDGE, reason="persona fidelity needs a judge model: set ROLEPLAY_JUDGE_MODEL (e.g. 'local')")


def customer_backend() -> tuple[CustomerBackend, str]:
    """The LLM customer when roleplay has one, else the scripted customer; and a note saying which."""
    model = default_model("customer") or JUDGE
    try:
        return make_customer("llm", model=model), f"LLM customer ({model})"
    except InputError as exc:
        return ScriptedCustomer(), f"scripted customer (no LLM customer: {exc})"


def trainee_lines(persona: Persona) -> list[str]:
    """The first TURNS trainee turns of the first golden transcript of this persona."""
    lib = default_library()
    for path in golden_files(paths.data_dir("golden")):
        t = load_transcript(path, lib).transcript
        if t.persona == persona.id:
            return [turn.text for turn in t.turns if turn.role is Role.trainee][:TURNS]
    pytest.skip(f"no golden transcript for persona {persona.id}")


def conversation(persona: Persona) -> tuple[ConversationalTestCase, str]:
    backend, who = customer_backend()
    session = Session(persona, backend, seed=0, fallback=ScriptedCustomer())
    for line in trainee_lines(persona):
        if session.ended:
            break
        session.send(line)
    if session.warnings:
        who += "; " + " ".join(session.warnings)
    case = to_test_case(session.to_transcript(), bot="customer", name=f"persona-{persona.id}",
                        chatbot_role=chatbot_role(persona), metadata={"customer": who})
    case.comments = who
    return case, who


def chatbot_role(p: Persona) -> str:
    """The role the simulated customer must keep (deepeval's RoleAdherence `chatbot_role`)."""
    c, hidden = p.character, [f for f in p.situation.facts if f.hidden]
    lines = [
        f"A simulated Dutch customer in a customer-service role-play, always speaking Dutch: {c.name}"
        + (f", {c.age}" if c.age else "") + f". {' '.join(c.background.split())}",
        f"Situation: {p.summary}",
        f"Character: {'; '.join(c.traits)}.",
        f"Way of speaking: {' '.join(c.speech.tone.split())}",
        "Always the customer, never the service agent: does not offer help, solutions, company policy or to "
        "look things up, and never says it is an AI or a language model.",
    ]
    if hidden:
        lines.append("Hidden facts, told only after the agent asks the right question: "
                     + "; ".join(f"{f.topic} (only when: {f.reveal_when})" for f in hidden))
    return "\n".join(lines)


def criteria(p: Persona) -> str:
    topics = ", ".join(f.topic for f in p.situation.facts if f.hidden) or "none"
    return (f"The actual_output turns are a simulated customer, {p.character.name}, talking to a trainee service "
            f"agent (the input turns). Judge the customer only. Score high when the customer stays in character "
            f"as described below throughout, never acts as the service agent (offering help, solutions, policy "
            f"or to look something up), and reveals hidden facts ({topics}) only after the agent asks about "
            f"them. Score low for any turn out of character, acting as the agent, or a hidden fact told "
            f"unprompted.\n\n{chatbot_role(p)}")


@pytest.mark.timeout(1800)  # a local model on 2 shared cores: minutes per persona
@pytest.mark.parametrize("persona_id", sorted(default_library().personas))
def test_customer_stays_in_character(persona_id: str) -> None:
    persona = default_library().personas[persona_id]
    case, who = conversation(persona)
    print(f"\n{persona_id}: {len(case.turns)} exchanges played by the {who}; judge {JUDGE}")
    judge = RoleplayModel(JUDGE)
    assert_test(case, [  # type: ignore[arg-type]  # deepeval 2.9 types a mixed list wrongly; it runs both
        RoleAdherenceMetric(threshold=THRESHOLD, model=judge),
        ConversationalGEval(name="Persona fidelity", criteria=criteria(persona), model=judge, threshold=THRESHOLD,
                            evaluation_params=[LLMTestCaseParams.INPUT, LLMTestCaseParams.ACTUAL_OUTPUT]),
    ])
