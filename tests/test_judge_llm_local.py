"""The LLM judge end to end through litellm on the real local model (SmolLM2 via llama.cpp).

The tiny model's verdicts are not judged here (it is poor at Dutch); the pipeline is: a structured call per
checklist, parsing, grounding of every quote, and unscored (never a guess) where it failed.
"""

import importlib.util
from pathlib import Path

import pytest

from roleplay.content import default_library, load_transcript
from roleplay.judge import make_judge
from roleplay.models import Role, Verdict

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python is not installed (pip install 'roleplay[local]')"),
]


def test_llm_judge_on_local_model() -> None:
    lib = default_library()
    loaded = load_transcript(Path(__file__).parent / "fixtures" / "transcripts" / "naam-onduidelijk.yaml", lib)
    judge = make_judge("llm", model="local", library=lib)
    card = judge.score(loaded.transcript, ["naam-spellen"])
    assert card.judge == "llm" and card.model == "local"
    assert [i.id for i in card.items] == ["naam-spellen.reden-noemen", "naam-spellen.laten-spellen"]
    assert 1 <= judge.usage.calls <= 2  # one call, plus one re-ask if a quote was not verbatim
    for item in card.items:
        assert item.verdict in set(Verdict)
        for ev in item.evidence:
            turn = loaded.transcript.turns[ev.turn]
            assert turn.role is Role.trainee and ev.quote in turn.text
        if item.verdict is Verdict.unscored:
            assert item.reason  # says why it was not scored
