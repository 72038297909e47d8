"""The rule judge on hand-written transcripts: verdicts, not-applicable logic and grounded evidence."""

from pathlib import Path

import pytest

from roleplay.content import default_library, load_transcript
from roleplay.judge import make_judge
from roleplay.models import Role, Scorecard, Transcript, Turn, Verdict

FIX = Path(__file__).parent / "fixtures" / "transcripts"
MET, NOT_MET, NA = Verdict.met, Verdict.not_met, Verdict.not_applicable


def score(name: str) -> tuple[Scorecard, Transcript]:
    lib = default_library()
    loaded = load_transcript(FIX / name, lib)
    return make_judge("rules", library=lib).score(loaded.transcript, loaded.checklists), loaded.transcript


def verdicts(card: Scorecard) -> dict[str, Verdict]:
    return {i.id: i.verdict for i in card.items}


def assert_grounded(card: Scorecard, t: Transcript) -> None:
    for item in card.items:
        for ev in item.evidence:
            assert t.turns[ev.turn].role is Role.trainee, (item.id, ev)
            assert ev.quote in t.turns[ev.turn].text, (item.id, ev)


def test_injection_gains_nothing() -> None:
    card, t = score("injection.yaml")
    v = verdicts(card)
    assert card.score is not None and card.score < 20
    for item in (
        "empathie-tonen.excuses",
        "empathisch-luisteren.actie-toezeggen",
        "actief-luisteren.samenvatten",
        "empathie-tonen.tijdsbestek",
        "empathisch-luisteren.gevoel-erkennen",
    ):
        assert v[item] is NOT_MET, item
    assert_grounded(card, t)


def test_unclear_name_spelled_with_reason() -> None:
    card, t = score("naam-onduidelijk.yaml")
    v = verdicts(card)
    assert v["naam-spellen.reden-noemen"] is MET and v["naam-spellen.laten-spellen"] is MET
    assert v["empathie-tonen.positieve-opening"] is MET
    assert v["empathie-tonen.actie-nu"] is MET and v["empathie-tonen.tijdsbestek"] is MET
    assert v["empathie-tonen.nog-iets"] is MET and v["empathie-tonen.bedanken"] is MET
    assert_grounded(card, t)
    reden = next(i for i in card.items if i.id == "naam-spellen.reden-noemen")
    assert reden.evidence[0].quote == "Ik heb uw naam niet goed verstaan."
    assert reden.tip is None and reden.source.startswith("Vragen om de naam te spellen")


def test_clear_name_is_not_applicable_even_when_spelling_is_asked() -> None:
    card, _ = score("naam-duidelijk.yaml")
    assert set(verdicts(card).values()) == {NA}
    assert card.score is None


def test_refusal_with_alternative_held_with_reasons() -> None:
    card, t = score("weigering-aandringen.yaml")
    v = verdicts(card)
    assert v["nee-zeggen.geen-bot-nee"] is MET
    assert v["nee-zeggen.alternatief"] is MET
    assert v["nee-zeggen.voet-bij-stuk"] is MET
    assert v["nee-zeggen.zakelijk"] is MET
    assert v["nee-zeggen.navragen-bij-twijfel"] is NA  # never unsure
    assert v["slecht-nieuws.alternatief-direct"] is MET
    assert_grounded(card, t)


def test_prospect_who_keeps_refusing() -> None:
    card, _ = score("prospect-blijft-weigeren.yaml")
    v = verdicts(card)
    assert v["uitgaand-gesprek.voorstellen"] is MET
    assert v["uitgaand-gesprek.aanleiding"] is MET and v["uitgaand-gesprek.doel"] is MET
    assert v["uitgaand-gesprek.afspraken-samenvatten"] is NA  # nothing agreed
    assert v["contactbezwaren.erkennen"] is MET and v["contactbezwaren.ombuigen"] is MET
    assert v["contactbezwaren.geen-waarom"] is MET
    assert v["contactbezwaren.respectvol-afronden"] is MET


def test_accusing_why() -> None:
    card, _ = score("prospect-waarom.yaml")
    v = verdicts(card)
    assert v["contactbezwaren.geen-waarom"] is NOT_MET
    assert v["contactbezwaren.ombuigen"] is NOT_MET  # a 'waarom' question does not bend the objection
    assert v["contactbezwaren.erkennen"] is NOT_MET


def _t(*turns: tuple[str, str], checklists: list[str]) -> Transcript:
    return Transcript(checklists=checklists, turns=[Turn(role=Role(r), text=x) for r, x in turns])


@pytest.mark.parametrize(
    "checklist",
    ["slecht-nieuws", "nee-zeggen", "contactbezwaren", "naam-spellen", "reflectief-luisteren", "uitgaand-gesprek"],
)
def test_not_applicable_when_the_situation_never_arose(checklist: str) -> None:
    """A short friendly exchange without bad news, refusal, objection, unclear name, reflection or agreement."""
    t = _t(
        ("customer", "Goedemiddag, met Anouk de Vries. Ik wil graag mijn adres doorgeven."),
        ("trainee", "Goedemiddag mevrouw De Vries, met Sanne van Telnet. Wat is uw nieuwe adres?"),
        ("customer", "Dorpsstraat 4 in Ede."),
        ("trainee", "Ik zet het nu in uw gegevens. Fijne dag nog!"),
        checklists=[checklist],
    )
    card = make_judge("rules").score(t, [checklist])
    na_items = {i.id for i in card.items if i.verdict is NA}
    expected = {
        "slecht-nieuws": {
            "slecht-nieuws.direct-brengen",
            "slecht-nieuws.alternatief-direct",
            "slecht-nieuws.uitleg-later",
            "slecht-nieuws.reactie-opvangen",
        },
        "nee-zeggen": {
            "nee-zeggen.navragen-bij-twijfel",
            "nee-zeggen.geen-bot-nee",
            "nee-zeggen.alternatief",
            "nee-zeggen.voet-bij-stuk",
            "nee-zeggen.zakelijk",
        },
        "contactbezwaren": {
            "contactbezwaren.erkennen",
            "contactbezwaren.ombuigen",
            "contactbezwaren.geen-waarom",
            "contactbezwaren.respectvol-afronden",
        },
        "naam-spellen": {"naam-spellen.reden-noemen", "naam-spellen.laten-spellen"},
        "reflectief-luisteren": {
            "reflectief-luisteren.als-statement",
            "reflectief-luisteren.kernachtig",
            "reflectief-luisteren.doorvragen-na-bevestiging",
        },
        "uitgaand-gesprek": {"uitgaand-gesprek.afspraken-samenvatten"},
    }[checklist]
    assert na_items == expected


def test_behaviour_not_shown_is_not_met_not_na() -> None:
    t = _t(
        ("customer", "Ik bel voor de derde keer. Mijn wasmachine lekt nog steeds en niemand doet iets."),
        ("trainee", "Wat is uw ordernummer?"),
        ("customer", "48213."),
        ("trainee", "Oké. Dag."),
        checklists=["empathie-tonen", "actief-luisteren", "empathisch-luisteren"],
    )
    card = make_judge("rules").score(t, t.checklists or [])
    assert all(i.verdict is NOT_MET for i in card.items if i.id != "actief-luisteren.laten-uitpraten")
    assert card.score is not None and card.score < 15
    for item in card.items:
        if item.verdict is NOT_MET:
            assert item.tip and "Bijvoorbeeld:" in item.tip


def test_late_apology_does_not_count() -> None:
    t = _t(
        ("customer", "Ik bel voor de derde keer over mijn energierekening, die is veel te hoog en niemand belt terug."),
        ("trainee", "Ik stuur u vandaag een gecorrigeerde rekening."),
        ("customer", "Goed."),
        ("trainee", "Nogmaals sorry voor het ongemak, fijne dag."),
        checklists=["empathie-tonen"],
    )
    card = make_judge("rules").score(t, ["empathie-tonen"])
    assert {i.id: i.verdict for i in card.items}["empathie-tonen.excuses"] is NOT_MET


def test_score_counts_only_met_and_not_met() -> None:
    card, _ = score("weigering-aandringen.yaml")
    counted = [i for i in card.items if i.verdict in (MET, NOT_MET)]
    assert card.score == round(100 * sum(i.verdict is MET for i in counted) / len(counted), 1)
    assert set(card.subscores) == {"nee-zeggen", "slecht-nieuws"}


def test_rule_judge_is_deterministic() -> None:
    a, _ = score("naam-onduidelijk.yaml")
    b, _ = score("naam-onduidelijk.yaml")
    assert a.model_dump() == b.model_dump()


def test_every_catalogue_item_has_a_rule() -> None:
    from roleplay.judge._items import RULES

    lib = default_library()
    assert {it.id for cl in lib.checklists.values() for it in cl.items} == set(RULES)


def _judge(turns: list[tuple[str, str]], checklist: str) -> dict[str, Verdict]:
    t = Transcript(checklists=[checklist], turns=[Turn(role=Role(r), text=x) for r, x in turns])
    return verdicts(make_judge("rules", library=default_library()).score(t, [checklist]))


def test_cutting_in_on_a_customer_who_breaks_off_is_not_letting_them_finish() -> None:
    v = _judge(
        [
            ("customer", "Ik bel over mijn fiets, die staat al vijf weken bij jullie in de werkplaats, en —"),
            ("trainee", "Oké, dan moet u eigenlijk even de werkplaats zelf bellen, die hebben een eigen nummer."),
            ("customer", "Die heb ik al twee keer gebeld! Ik wil gewoon weten wanneer ik hem terugkrijg."),
            ("trainee", "Ik kijk het nu voor u na."),
        ],
        "actief-luisteren",
    )
    assert v["actief-luisteren.laten-uitpraten"] is NOT_MET


def test_news_the_customer_throws_back_after_being_talked_around() -> None:
    v = _judge(
        [
            ("customer", "Jullie verhuizers hebben mijn kast laten vallen. Krijg ik die vergoed of niet?"),
            ("trainee", "Kijk, in dit soort gevallen spelen er een aantal factoren mee bij de afhandeling, en er wordt "
                        "gekeken naar de aard van de schade en de inventarislijst."),
            ("customer", "Ik snap er niks van. Hoeveel krijg ik dan?"),
            ("trainee", "Dat is bij de standaardregeling vijfhonderd euro per stuk."),
            ("customer", "Vijfhonderd euro?! Die kast is veertienhonderd waard!"),
            ("trainee", "Ik begrijp dat dit een flinke tegenvaller is."),
        ],
        "slecht-nieuws",
    )
    assert v["slecht-nieuws.direct-brengen"] is NOT_MET  # the news was there, but only after asking twice


def test_a_casual_goodbye_fails_the_business_close() -> None:
    turns = [
        ("trainee", "Goedemiddag, u spreekt met Bas van SchoonPlan. Ik bel u omdat u een nieuw kantoor heeft."),
        ("customer", "Stuurt u maar wat informatie."),
        ("trainee", "Dan mail ik u vandaag de brochure. Oké, top. Doei!"),
    ]
    assert _judge(turns, "uitgaand-gesprek")["uitgaand-gesprek.afsluiting"] is NOT_MET
