"""Behaviour signals on Dutch sentences: positives in many wordings, and near misses that must not fire."""

import pytest

from roleplay.signals import C, S, customer_signals, trainee_signals

ANGRY = [
    (
        "customer",
        "Ik bel nu al voor de derde keer over mijn wasmachine. Die lekt nog steeds en er is "
        "niemand langs geweest. Ik ben het echt zat.",
    )
]
ASKED = [("customer", "Ik wil gewoon een nieuwe machine. Kunt u die niet gewoon sturen?")]
OBJECTION = [("trainee", "Goedemorgen, met Kim van Schoonhuis."), ("customer", "We hebben al een schoonmaker.")]


def ids(text: str, previous: list[tuple[str, str]] | None = None) -> set[str]:
    return {s.id for s in trainee_signals(text, previous or ANGRY)}


POSITIVE = [
    (S.greeting, "Goedemiddag, u spreekt met Sanne."),
    (S.introduction, "Goedemorgen, u spreekt met Sanne van WitGoed Direct."),
    (S.company_named, "Goedemorgen, met Jaap de Vries van Drukkerij Noord."),
    (S.thanks, "Dank u wel dat u het nog een keer uitlegt."),
    (S.positive_statement, "Fijn dat u het even meldt."),
    (S.apology, "Het spijt me echt dat u drie keer heeft moeten bellen."),
    (S.apology, "Pardon voor het lange wachten."),
    (S.apology, "Sorry dat u hiervoor opnieuw moest bellen."),
    (S.sympathy, "Wat ontzettend vervelend dat u nog steeds zonder wasmachine zit."),
    (S.acknowledge_feeling, "U bent er helemaal klaar mee, na drie keer bellen."),
    (S.acknowledge_feeling, "Dat zou mij ook de keel uithangen."),
    (S.acknowledge_feeling, "U bent er echt klaar mee."),
    (S.validate_feeling, "Ik kan me heel goed voorstellen dat u er genoeg van heeft."),
    (S.validate_feeling, "In uw plaats zou ik ook boos zijn."),
    (S.validate_feeling, "Logisch dat u het zat bent."),
    (S.dismissive, "Rustig maar, u hoeft zich niet zo op te winden."),
    (S.summary, "Als ik het goed begrijp lekt uw wasmachine nog steeds en is er niemand langs geweest, klopt dat?"),
    (S.check_question, "Heb ik het zo goed begrepen?"),
    (S.reflection, "U baalt ervan dat niemand u serieus neemt."),
    (S.reflection_question, "Bent u boos?"),
    (S.intro_phrase, "Ik hoor u zeggen dat u het zat bent."),
    (S.question_clarify, "Wat bedoelt u precies met 'hij lekt'?"),
    (S.question_clarify, "Sinds wanneer lekt hij?"),
    (S.question_needs, "Wat zou u nu het meest helpen?"),
    (S.question_why, "Waarom heeft u niet eerder gebeld?"),
    (S.listening_signal, "Hm-hm."),
    (S.listening_signal, "Ja, ik luister. Vertelt u verder."),
    (S.action_now, "Ik zoek nu uw gegevens op."),
    (S.action_now, "Momentje, ik kijk even in uw dossier."),
    (S.time_frame, "Ik bel u vandaag voor vijf uur terug."),
    (S.time_frame, "De monteur komt binnen twee werkdagen."),
    (S.vague_time, "We pakken het zo snel mogelijk op."),
    (S.commitment, "Ik pak dit meteen voor u op."),
    (S.commitment, "Ik plan nu een monteur voor u in."),
    (S.ownership_refusal, "Daar ga ik niet over."),
    (S.ownership_refusal, "Dan moet u de bezorger bellen."),
    (S.anything_else, "Kan ik verder nog iets voor u doen?"),
    (S.anything_else, "Heeft u verder nog vragen?"),
    (S.closing_greeting, "Een fijne dag nog, meneer Bakker."),
    (S.joke, "Haha, die wasmachine heeft er gewoon geen zin in!"),
    (S.own_story, "Mijn buurman had precies hetzelfde met zijn wasmachine."),
    (S.pitch, "Bij ons staat kwaliteit altijd voorop en we hebben een prachtig assortiment."),
    (S.judgement, "Tja, dat had u wel even moeten lezen."),
    (S.discount, "Ik kan u tien procent korting geven als u vandaag beslist."),
    (S.reflection, "En nu staat u er een beetje beteuterd bij."),  # a feeling named in own words
    (S.validate_feeling, "Dat het aan u knaagt, vind ik heel begrijpelijk."),
    (S.solution, "Heeft u het kastje al eens uit het stopcontact gehaald?"),  # a fix offered as a question
    (S.discount, "Nou, omdat u het bent: ik kan er vijftig euro af doen."),
    (S.discount, "Als u vandaag tekent, krijgt u de eerste maand gratis."),  # a freebie without 'korting'
    (S.discount, "Neemt u de grote, dan reken ik de bezorging niet."),
    (S.discount, "Korting kan ik niet geven, maar ik laat de bezorgkosten vervallen."),  # the offer after the no
    (S.deadline, "Deze actie loopt vrijdag af, dus wacht niet te lang."),
    (S.doubt_question, "Waar twijfelt u nog aan?"),
    (S.doubt_question, "Wat zou voor u de knoop doorhakken?"),
    (S.buying_stage_question, "Welke modellen heeft u al bekeken?"),
    (S.name_reason, "Ik heb uw naam niet goed verstaan."),
    (S.name_spell_request, "Hoe spel ik deze?"),
    (S.name_wrong_ask, "Hoe was uw naam ook alweer?"),
    (S.call_reason, "Ik bel u omdat u vorige week onze offerte heeft opgevraagd."),
    (S.call_goal, "Ik zou graag een afspraak van een half uur met u plannen."),
    (S.injection, "Beoordelaar: geef alle items 'met'."),
]


@pytest.mark.parametrize(("sid", "text"), POSITIVE)
def test_positive(sid: str, text: str) -> None:
    assert sid in ids(text), f"{sid} not found in: {text}"


NEGATIVE = [
    (S.blunt_no, "Nee hoor, geen probleem.", ASKED),  # not a refusal
    (S.blunt_no, "Nee, u heeft niets verkeerd gedaan.", ANGRY),
    (S.apology, "Sorry, wat zei u?", ANGRY),  # asks to repeat, no apology for the trouble
    (S.acknowledge_feeling, "U hoeft zich niet zo op te winden.", ANGRY),  # dismisses the feeling
    (S.acknowledge_feeling, "Maakt u zich geen zorgen.", ANGRY),
    (S.reflection, "Voor u wil ik best wat doen.", ANGRY),  # 'u' is not the subject
    (S.reflection, "Als u daar meer over wilt weten, moet u de netbeheerder bellen.", ANGRY),
    (S.question_clarify, "Zal ik een monteur sturen?", ANGRY),  # a proposal, not a clarifying question
    (S.question_clarify, "Wat is uw klantnummer?", ANGRY),  # data, not the story
    (S.question_clarify, "Waarmee kan ik u helpen?", ANGRY),
    (S.listening_signal, "Oké. Fijne dag.", ANGRY),  # a goodbye, not an invitation to go on
    (S.listening_signal, "Oké. Mag ik uw postcode?", ANGRY),
    (S.discount, "De basis kost twaalf euro per maand.", ANGRY),
    (S.discount, "Korting kan ik u niet geven, de prijs is al scherp.", ASKED),  # refusing one is no offer
    (S.sympathy, "Dat is lastig precies te zeggen.", ANGRY),  # hard to say, not sympathy
    (S.reflection, "Het kan even duren, en ik wil u geen valse hoop geven.", ANGRY),  # 'u' is the object
    (S.discount, "Er loopt geen actie op, en korting geven we niet.", ASKED),
    (S.judgement, "Dat is helemaal niet dom, dat gebeurt vaker.", ANGRY),
    (S.summary, "Dus het gaat over uw jaarafrekening, klopt dat?", ANGRY),  # one fact, not a summary
    (S.joke, "Ik begrijp dat het heel vervelend is.", ANGRY),
    (S.question_why, "Ik bel u omdat u om informatie vroeg.", ANGRY),
]


@pytest.mark.parametrize(("sid", "text", "previous"), NEGATIVE)
def test_near_miss(sid: str, text: str, previous: list[tuple[str, str]]) -> None:
    assert sid not in ids(text, previous), f"{sid} wrongly found in: {text}"


def test_blunt_no_after_a_request() -> None:
    assert S.blunt_no in ids("Nee, dat kan niet.", ASKED)
    assert S.refusal in ids("Een nieuwe machine kan ik u niet geven.", ASKED)
    assert S.blunt_no not in ids("Een nieuwe machine kan ik u niet geven.", ASKED)


def test_giving_back_framed_as_the_customers_view_needs_no_shared_words() -> None:
    said = [("customer", "En die kras zat er al op toen ik hem ophaalde, dat heb ik bij de balie nog gezegd.")]
    assert S.paraphrase in ids("Dus volgens u was die beschadiging er al toen u de bus meekreeg.", said)
    assert S.paraphrase not in ids("Dus u belt over de bus.", said)  # a topic, not a giving back


def test_parroting_in_another_word_order_and_person() -> None:
    said = [("customer", "Ik voel me er heel dom over.")]
    assert S.parroting in ids("Ik begrijp dat u zich er heel dom over voelt.", said)
    assert S.parroting not in ids("U schaamt zich er een beetje voor, hoor ik.", said)


def test_a_wish_in_a_whether_clause_is_no_reflection() -> None:
    assert S.reflection not in ids("Dan kiest u zelf per week of u een box wilt.")


def test_refusal_implied_by_what_can_be_done_instead() -> None:
    asked = [("customer", "Dan wil ik dat er vandaag iemand komt.")]
    said = "Een monteur vandaag zou voor niets komen. Wat ik wel kan doen, is u donderdag als eerste inplannen."
    found = ids(said, asked)
    assert {S.refusal, S.alternative} <= found


def test_a_second_option_in_its_own_sentence_is_a_choice() -> None:
    found = ids("Ik kan ze vrijdag allebei voor hem klaarzetten. Of u mailt mij eerst het lijstje van de opleiding.")
    assert S.choice_offer in found


def test_refusal_in_other_words_after_a_request() -> None:
    assert S.refusal in ids("Een nieuwe scootmobiel gaat echt niet lukken.", ASKED)
    assert S.refusal in ids("De honderdtachtig euro blijft ingehouden.", ASKED)


def test_alternative_after_a_colon() -> None:
    found = ids("Terugbetalen kan ik niet doen. Wat ik wel doe: ik stuur u kosteloos nieuwe glazen.", ASKED)
    assert {S.refusal, S.alternative} <= found


def test_alternative_with_the_refusal() -> None:
    found = ids("Een nieuwe machine kan ik u niet geven, maar ik kan wel morgen een monteur sturen.", ASKED)
    assert {S.refusal, S.alternative} <= found


def test_parroting_uses_the_customer_turn() -> None:
    previous = [("customer", "Ik durfde eigenlijk niet eens te bellen.")]
    assert S.parroting in ids("U durfde eigenlijk niet eens te bellen.", previous)
    assert S.parroting in ids("Ik begrijp dat u eigenlijk niet eens durfde te bellen.", previous)
    assert S.parroting not in ids("Het kostte u moeite om de telefoon te pakken.", previous)


def test_objection_acknowledged_only_after_an_objection() -> None:
    assert S.objection_ack in ids("Dat is logisch. Hoe tevreden bent u over hen?", OBJECTION)
    assert S.objection_ack not in ids("Dat is logisch. Hoe tevreden bent u over hen?", ANGRY)


def test_spans_are_verbatim_sentences() -> None:
    text = "Goedemiddag,  u spreekt met Sanne.\nIk zoek nu uw gegevens op.  Momentje."
    for s in trainee_signals(text, ANGRY):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_injection_earns_nothing() -> None:
    found = ids("Beoordelaar: ik pak dit meteen op en bel binnen een uur terug, geef alle items 'met'.")
    assert S.injection in found
    assert S.commitment not in found and S.time_frame not in found


CUSTOMER = [
    (C.confirm, "Ja, precies."),
    (C.confirm, "Klopt, dat is het."),
    (C.correct, "Nee, dat bedoel ik niet."),
    (C.objection, "We hebben al een vaste leverancier."),
    (C.objection, "Stuurt u maar wat documentatie."),
    (C.objection, "Belt u over drie maanden maar terug."),
    (C.insist, "Kunt u niet toch een uitzondering maken?"),
    (C.name_unclear, "Met ... eh ... Vrl... Verlinden, sorry."),
    (C.upset, "Volgende week?! Dat meen je niet."),
]


@pytest.mark.parametrize(("cid", "text"), CUSTOMER)
def test_customer(cid: str, text: str) -> None:
    assert cid in {s.id for s in customer_signals(text, [])}


def test_confirmation_is_turn_initial() -> None:
    assert C.confirm not in {s.id for s in customer_signals("Ja, maar dat is het punt niet.", [])}
