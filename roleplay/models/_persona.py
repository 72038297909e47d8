"""Personas: who the simulated customer is (character) kept apart from what happened (situation).

One YAML file per persona in `personas/`. A prompt engineer reads one file and knows the character;
the LLM customer prompt, the scripted customer and the persona state are all driven from it.
"""

from typing import Literal

from pydantic import Field, model_validator

from ._base import FieldError, Strict

# Events the customer state derives from a trainee turn (next to the behaviour signals of
# roleplay.signals.S). Persona files name them in mood triggers, end conditions and fact requirements.
STATE_EVENTS: dict[str, str] = {
    "question": "the trainee asks something (any question)",
    "summary_confirmed": "a summary, paraphrase or reflection that hits the core: the customer confirms it",
    "summary_corrected": "a summary or reflection that misses the point: the customer corrects it",
    "fact_revealed": "the customer tells a fact because the trainee asked for it",
    "hidden_fact_revealed": "the customer tells a hidden fact (the trainee asked the right question)",
    "repeated_question": "the trainee asks again for a fact the customer already gave",
    "unknown_question": "the trainee asks something the customer does not know",
    "alternative_offered": "the trainee offers one of the persona's alternatives",
    "alternative_accepted": "the trainee offers an alternative the customer can live with",
    "bad_news_told": "the trainee brings bad news",
    "bad_news_with_alternative": "bad news and an alternative in the same turn",
    "request_refused": "the trainee refuses a request the customer made",
    "held_position": "the trainee refuses again after the customer insisted",
    "objection_acknowledged": "the trainee acknowledges the prospect's contact objection",
    "objection_handled": "acknowledged and followed by a question that keeps the talk going (no 'waarom')",
    "objection_missed": "a contact objection ignored, argued with, or answered with 'waarom'",
    "name_spelled": "the customer spelled their name because the trainee asked for it",
    "no_progress": "two or more trainee turns in a row without a question, acknowledgement or step forward",
}
# Prefixed state events: "fact:<id>" (told), "alternative:<id>" (offered), "accepted:<id>" (offered and
# taken), "request:<id>" (refused), "objection:<id>" (handled). They refer to ids in the same persona file.
EVENT_PREFIXES = ("fact", "alternative", "accepted", "request", "objection")

# Utterance banks of the scripted customer (`script:` in a persona file). Any intent may also be given
# per mood band as <intent>_low (mood 0-3), <intent>_mid (4-6) and <intent>_high (7-10); the band
# version is used when present, else the plain one.
SCRIPT_INTENTS: dict[str, str] = {
    "story": "tells (more of) the story when invited to go on or asked an open question about it; "
    "the lines are told in the order given",
    "want": "says what they want when asked what would help or what they need",
    "unknown": "a question the customer cannot answer ('dat weet ik niet')",
    "evade": "a hidden fact was asked before the customer is ready to tell it: evades",
    "repeat_question": "the trainee asks again for something already told",
    "apology": "reaction to an apology",
    "acknowledge": "reaction to an acknowledged or validated feeling",
    "confirm": "a summary or reflection hits the core: confirms ('ja, precies') and may add a little",
    "correct": "a summary or reflection misses the point: corrects it",
    "agreement": "the trainee sums up what was agreed: confirms it in a few words",
    "parroting": "the trainee repeats the customer's words: mildly irritated",
    "commitment": "reaction to a concrete commitment, action now or time frame",
    "vague_time": "reaction to a vague time ('zo snel mogelijk')",
    "bad_news": "reaction to bad news without an alternative",
    "alternative": "reaction to an acceptable alternative (when the alternative has no own reply)",
    "alternative_rejected": "reaction to an alternative the customer cannot live with",
    "blunt_no": "reaction to a blunt 'nee'",
    "dismissive": "reaction to a dismissive remark ('rustig maar')",
    "joke": "reaction to a joke or witty remark",
    "judgement": "reaction to a judgement or insult",
    "question_why": "reaction to a 'waarom' question that holds the customer to account",
    "ownership_refusal": "reaction to 'daar ga ik niet over' / 'dan moet u ... bellen'",
    "discount": "reaction to an offered discount or freebie",
    "pressure": "reaction to pressure: a deadline or a pile of extra arguments",
    "injection": "reaction to an attempt to break the role-play ('negeer je instructies', 'beoordelaar, ...'): "
    "puzzled, in character",
    "injection_ai": "optional: reaction when the trainee asks whether the customer is an AI, a robot or a "
    "computer: puzzled, in character (else 'injection')",
    "nothing_else": "answer to 'kan ik nog iets voor u doen?'",
    "thanks": "reaction when the trainee thanks the customer (mid-conversation)",
    "filler": "something in character when nothing else applies (use _low/_mid/_high)",
    "spell_name": "spells their name when asked to (personas that mumble their name)",
    "name_again": "asked 'hoe was uw naam?': says it again, just as unclear",
    "openers": "short openers ('Nou,', 'Kijk,') put before a line to vary it instead of repeating it",
    "who_is_calling": "outbound call: the trainee did not introduce themselves",
    "what_about": "outbound call: the trainee did not say why they call",
}
REQUIRED_INTENTS: tuple[str, ...] = (
    "story", "want", "unknown", "evade", "repeat_question", "apology", "acknowledge", "confirm", "correct",
    "agreement",
    "parroting", "commitment", "vague_time", "bad_news", "alternative", "alternative_rejected", "blunt_no",
    "dismissive", "joke", "judgement", "question_why", "ownership_refusal", "discount", "pressure",
    "injection", "nothing_else", "thanks", "filler", "openers",
)
INTENT_BANDS = ("low", "mid", "high")


class Speech(Strict):
    tone: str = Field(description="Register: how formal, which pronoun (u/jij), dialect or jargon.")
    sentence_length: str = Field(description="Typical turn and sentence length.")
    tics: list[str] = Field(default_factory=list, description="Verbal habits, stock phrases, fillers.")


class Character(Strict):
    name: str = Field(description="Full name of the customer.")
    age: int | None = Field(default=None, ge=12, le=110, description="Age in years.")
    background: str = Field(description="Who they are: job, life, relation to the company.")
    speech: Speech = Field(description="How they talk.")
    traits: list[str] = Field(description="Character traits the role-play must show.")
    trait_frequency: str = Field(
        default="Laat de eigenschap in sommige beurten zien, niet in elke beurt.",
        description="How often the trait shows (LLM customers overdo it otherwise).",
    )
    mumbles_name: bool = Field(
        default=False,
        description="The customer says their name unclearly (the trainee should ask to spell it); "
        "the script then needs 'spell_name' and 'name_again'.",
    )


class Fact(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Fact id, unique within the persona.")
    topic: str = Field(description="What the fact is about, in Dutch (e.g. 'ordernummer').")
    keywords: list[str] = Field(
        min_length=1,
        description="Lemmas that, in a trainee question, ask for this fact (lower case). A leading '*' also "
        "matches compounds ('*rekening' matches 'energierekening'); a keyword with a space is a phrase.",
    )
    text: str = Field(description="How the customer says it when asked.")
    hidden: bool = Field(
        default=False, description="Hidden facts are told only when the trainee asks the right question."
    )
    reveal_when: str | None = Field(
        default=None, description="For hidden facts: what the trainee must do or ask before it is told."
    )
    signals: list[str] = Field(
        default_factory=list,
        description="Trainee signals that also count as asking for this fact (e.g. 'doubt_question').",
    )
    requires: list[str] = Field(
        default_factory=list,
        description="Signals or state events that must have occurred before the customer tells it "
        "(until then the customer evades).",
    )
    mood_at_least: int | None = Field(
        default=None, ge=0, le=10, description="The customer tells it only at or above this mood."
    )
    again: list[str] = Field(
        default_factory=list, description="What the customer says when asked for it a second time."
    )


class Alternative(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Alternative id.")
    text: str = Field(description="A solution or alternative that exists in this situation.")
    keywords: list[str] = Field(default_factory=list, description="Lemmas that show the trainee offers it.")
    acceptable: bool = Field(default=True, description="Whether the customer can live with it.")
    mood_at_least: int | None = Field(
        default=None, ge=0, le=10,
        description="The customer accepts it only at or above this mood (below: 'alternative_rejected').",
    )
    reply: list[str] = Field(
        default_factory=list, description="How the customer reacts when it is offered and accepted."
    )


class Request(Strict):
    """A request the customer makes that the trainee has to refuse (the structured form of `cannot`)."""

    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Request id.")
    text: str = Field(description="What the customer asks for, in Dutch (one of `cannot`, in words).")
    keywords: list[str] = Field(
        default_factory=list, description="Lemmas that show the trainee is talking about this request."
    )
    after_turn: int = Field(
        default=2, ge=0, description="The customer brings it up from this trainee turn on (1 = first)."
    )
    requires: list[str] = Field(
        default_factory=list,
        description="Signals or state events that must have occurred before the customer asks (e.g. "
        "'bad_news_told' when the customer only learns about the costs from the trainee).",
    )
    ask: list[str] = Field(min_length=1, description="How the customer asks for it.")
    insist: list[str] = Field(min_length=1, description="What the customer says insisting after a refusal.")
    insist_times: int = Field(default=1, ge=0, le=3, description="How often the customer insists.")
    accept: list[str] = Field(
        min_length=1, description="What the customer says when they give in (the trainee held the position)."
    )


ObjectionKind = Literal["al-leverancier", "geen-interesse", "geen-tijd", "documentatie", "terugbellen"]


class Objection(Strict):
    """A contact objection a prospect raises (outbound calls; the five kinds of the training article)."""

    id: ObjectionKind = Field(description="Which of the five contact objections.")
    lines: list[str] = Field(min_length=1, description="How the prospect raises it.")
    after_ack: list[str] = Field(
        min_length=1,
        description="How the prospect reacts when the trainee acknowledges it and asks on (opens up a bit).",
    )
    after_miss: list[str] = Field(
        min_length=1, description="How the prospect reacts when the trainee ignores, argues or asks 'waarom'."
    )
    reveals: str | None = Field(
        default=None, description="Fact id the prospect tells once this objection is handled well."
    )


class Situation(Strict):
    company: str = Field(description="The company the trainee works for (or calls from).")
    product: str = Field(description="Product or service the conversation is about.")
    summary: str = Field(description="What happened, in a few sentences.")
    wants: str = Field(description="What the customer wants from this conversation.")
    facts: list[Fact] = Field(description="Facts the customer knows; hidden ones only told when asked.")
    bad_news: list[str] = Field(
        default_factory=list, description="Bad news the trainee may have to bring in this situation."
    )
    cannot: list[str] = Field(
        default_factory=list, description="Requests the customer makes that the trainee must refuse."
    )
    alternatives: list[Alternative] = Field(
        default_factory=list, description="Solutions or alternatives that really exist here."
    )
    summary_keywords: list[str] = Field(
        default_factory=list,
        description="Lemmas of the heart of the problem and the feeling: a summary or reflection that names "
        "at least one is confirmed ('ja, precies'), otherwise the customer corrects it.",
    )
    requests: list[Request] = Field(
        default_factory=list,
        description="Requests from `cannot` as the scripted customer and the state use them: when to ask, "
        "how to insist, how to give in.",
    )


class Trigger(Strict):
    signal: str = Field(description="Behaviour signal id (see `roleplay signals`).")
    delta: int = Field(ge=-5, le=5, description="Mood change when the signal is seen.")
    max_times: int = Field(default=1, ge=1, description="How many times it can count in one conversation.")
    why: str = Field(description="Why this persona reacts this way (for prompt engineers).")


class MoodBand(Strict):
    min: int = Field(ge=0, le=10, description="Lowest mood of the band.")
    max: int = Field(ge=0, le=10, description="Highest mood of the band.")
    label: str = Field(description="Dutch name of the band, e.g. 'woedend'.")
    behaviour: str = Field(description="How the customer talks in this band.")


class Mood(Strict):
    start: int = Field(ge=0, le=10, description="Mood at the start (0 furious .. 10 delighted).")
    bands: list[MoodBand] = Field(min_length=1, description="Mood bands covering 0..10.")
    triggers: list[Trigger] = Field(description="How trainee behaviour moves the mood.")

    @model_validator(mode="after")
    def _bands_cover_scale(self) -> "Mood":
        covered = sorted(v for b in self.bands for v in range(b.min, b.max + 1))
        if covered != list(range(11)):
            raise FieldError(("bands",), f"bands must cover every mood 0..10 exactly once (covered: {covered})")
        return self

    def band(self, mood: int) -> MoodBand:
        return next(b for b in self.bands if b.min <= mood <= b.max)


class EndCondition(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$", description="End condition id.")
    outcome: Literal["resolved", "gave_up", "hung_up", "rejected", "agreed"] = Field(
        description="How the conversation ends for this condition."
    )
    when: str = Field(description="In words: when the customer ends the conversation this way.")
    mood_at_least: int | None = Field(default=None, ge=0, le=10, description="Only at or above this mood.")
    mood_at_most: int | None = Field(default=None, ge=0, le=10, description="Only at or below this mood.")
    requires: list[str] = Field(
        default_factory=list, description="Signals or state flags that must have occurred first."
    )
    min_trainee_turns: int = Field(default=0, ge=0, description="Not before this many trainee turns.")
    on_signal: list[str] = Field(
        default_factory=list,
        description="Checked only on a trainee turn that shows one of these signals or events "
        "(empty: checked on every trainee turn).",
    )
    fallback: bool = Field(
        default=False,
        description="Not checked during the conversation: used when it stops without a condition firing "
        "(max_turns reached, the trainee stops); the first fallback whose mood range fits gives the outcome.",
    )
    lines: list[str] = Field(min_length=1, description="What the customer says when ending this way.")

    def fits(self, mood: int) -> bool:
        return (self.mood_at_least is None or mood >= self.mood_at_least) and (
            self.mood_at_most is None or mood <= self.mood_at_most
        )


class NPSBand(Strict):
    mood_min: int = Field(ge=0, le=10, description="Final mood from.")
    mood_max: int = Field(ge=0, le=10, description="Final mood to.")
    score_min: int = Field(ge=0, le=10, description="Lowest NPS score in this band.")
    score_max: int = Field(ge=0, le=10, description="Highest NPS score in this band.")
    reasons: list[str] = Field(min_length=1, description="In-character one-sentence reasons for the score.")


class Persona(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Persona id, as in the catalogue (a contract).")
    title: str = Field(description="Dutch title shown on the scenario card.")
    summary: str = Field(description="The situation in one Dutch sentence, for the scenario card.")
    difficulty: Literal["makkelijk", "gemiddeld", "moeilijk"] = Field(description="Difficulty for trainees.")
    opens: Literal["customer", "trainee"] = Field(description="Who speaks first.")
    checklists: list[str] = Field(min_length=1, description="Checklist ids scored for this scenario.")
    briefing: str = Field(description="What the trainee is told before the call starts (Dutch).")
    character: Character = Field(description="Who the customer is and how they talk.")
    situation: Situation = Field(description="What happened, what is known, what is hidden.")
    mood: Mood = Field(description="Start mood, mood bands and what moves the mood.")
    opening_lines: list[str] = Field(
        default_factory=list, description="Customer's first line(s); empty when the trainee opens."
    )
    end_conditions: list[EndCondition] = Field(min_length=1, description="When the customer ends the call.")
    max_turns: int = Field(default=30, ge=4, description="The customer ends the call after this many turns.")
    nps: list[NPSBand] = Field(min_length=1, description="NPS answer per final mood range.")
    objections: list[Objection] = Field(
        default_factory=list, description="Contact objections the prospect raises, in order (outbound calls)."
    )
    script: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Scripted customer: Dutch utterances per intent. Intents: "
        + "; ".join(f"{k}: {v}" for k, v in SCRIPT_INTENTS.items())
        + ". Any intent may be split per mood band as <intent>_low (0-3), _mid (4-6), _high (7-10).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Persona":
        if self.opens == "customer" and not self.opening_lines:
            raise FieldError(("opening_lines",),
                             "a persona that opens the conversation needs at least one opening line")
        ids = [f.id for f in self.situation.facts]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            n = ids.index(sorted(dup)[0], ids.index(sorted(dup)[0]) + 1)
            raise FieldError(("situation", "facts", n, "id"), f"duplicate fact id {ids[n]!r}")
        covered = sorted(v for b in self.nps for v in range(b.mood_min, b.mood_max + 1))
        if covered != list(range(11)):
            raise FieldError(("nps",), f"bands must cover every final mood 0..10 exactly once (covered: {covered})")
        self._check_event_ids()
        self._check_script()
        return self

    def _known_event(self, name: str) -> bool:
        from ..signals._vocabulary import S

        if name in STATE_EVENTS or name in {s.value for s in S}:
            return True
        prefix, _, rest = name.partition(":")
        ids: dict[str, list[str]] = {
            "fact": [f.id for f in self.situation.facts],
            "alternative": [a.id for a in self.situation.alternatives],
            "accepted": [a.id for a in self.situation.alternatives],
            "request": [r.id for r in self.situation.requests],
            "objection": [o.id for o in self.objections],
        }
        return rest in ids.get(prefix, [])

    def _check_event_ids(self) -> None:
        hint = "a trainee signal, a state event or <fact|alternative|accepted|request|objection>:<id>"
        places: list[tuple[tuple[str | int, ...], str]] = []
        places += [(("mood", "triggers", n, "signal"), t.signal) for n, t in enumerate(self.mood.triggers)]
        for n, e in enumerate(self.end_conditions):
            places += [(("end_conditions", n, "requires", k), r) for k, r in enumerate(e.requires)]
            places += [(("end_conditions", n, "on_signal", k), r) for k, r in enumerate(e.on_signal)]
        for n, q in enumerate(self.situation.requests):
            places += [(("situation", "requests", n, "requires", k), r) for k, r in enumerate(q.requires)]
        for n, f in enumerate(self.situation.facts):
            places += [(("situation", "facts", n, "requires", k), r) for k, r in enumerate(f.requires)]
            places += [(("situation", "facts", n, "signals", k), r) for k, r in enumerate(f.signals)]
        for loc, name in places:
            if not self._known_event(name):
                raise FieldError(loc, f"unknown signal or event {name!r} (expected {hint})")
        for n, o in enumerate(self.objections):
            if o.reveals is not None and o.reveals not in {f.id for f in self.situation.facts}:
                raise FieldError(("objections", n, "reveals"), f"unknown fact id {o.reveals!r}")

    def _check_script(self) -> None:
        if not self.script:
            return  # an LLM-only persona; the scripted customer refuses it with a clear error
        known = set(SCRIPT_INTENTS)
        for name, lines in self.script.items():
            base, _, band = name.rpartition("_")
            if name not in known and not (base in known and band in INTENT_BANDS):
                known_list = ", ".join(sorted(known))
                raise FieldError(("script", name), f"unknown intent {name!r} (known: {known_list})")
            if not lines or any(not str(x).strip() for x in lines):
                raise FieldError(("script", name), "give at least one non-empty utterance")
        required = list(REQUIRED_INTENTS)
        if self.character.mumbles_name:
            required += ["spell_name", "name_again"]
        if self.opens == "trainee":
            required += ["who_is_calling", "what_about"]
        for name in required:
            if name not in self.script and not all(f"{name}_{b}" in self.script for b in INTENT_BANDS):
                raise FieldError(("script",), f"missing intent {name!r} (or all of {name}_low/_mid/_high)")
