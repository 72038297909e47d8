"""The behaviour-signal vocabulary: every cue the customer state and the rule judge react to.

Ids are stable strings: persona files name them in their mood triggers.
"""

from enum import StrEnum


class S(StrEnum):
    """Signals found in one trainee turn (some need the previous customer turn)."""

    # opening, closing, politeness
    greeting = "greeting"                      # goedemorgen, goedemiddag, hallo
    introduction = "introduction"              # own name: "u spreekt met Sanne", "met Sanne van ..."
    company_named = "company_named"            # own company named in the introduction
    thanks = "thanks"                          # bedankt, dank u wel, fijn dat u belt
    positive_statement = "positive_statement"  # "fijn dat u dit meldt", "goed dat u belt"
    closing_greeting = "closing_greeting"      # fijne dag, tot ziens, prettige avond
    anything_else = "anything_else"            # "kan ik nog iets voor u doen?"
    personal_language = "personal_language"    # ik ... u: "ik zoek het voor u uit"
    we_language = "we_language"                # faceless "wij/we" as the company
    # listening
    listening_signal = "listening_signal"      # "hm-hm", "ja", "oké, vertelt u verder"
    question_open = "question_open"            # wat/hoe/welke/... question
    question_closed = "question_closed"        # yes/no question
    question_clarify = "question_clarify"      # "wat bedoelt u precies met ...?", "kunt u meer vertellen"
    question_needs = "question_needs"          # asks what the customer needs / what would help
    question_why = "question_why"              # any "waarom" question
    summary = "summary"                        # sums up the customer's story (two or more points) in own words
    paraphrase = "paraphrase"                  # gives one point of the customer's message back in other words
    check_question = "check_question"          # "klopt dat?", "heb ik het zo goed begrepen?"
    reflection = "reflection"                  # names feeling/wish/intention as a statement
    reflection_question = "reflection_question"  # a reflection or paraphrase asked as a question or with a tag
    intro_phrase = "intro_phrase"              # "ik hoor u zeggen dat", "ik begrijp dat" before a reflection
    parroting = "parroting"                    # repeats the customer's sentence nearly verbatim
    # empathy
    apology = "apology"                        # sorry, excuses, pardon voor het wachten
    acknowledge_feeling = "acknowledge_feeling"  # names the customer's feeling as legitimate
    validate_feeling = "validate_feeling"      # "ik kan me voorstellen", "in uw plaats zou ik ook"
    sympathy = "sympathy"                      # "wat vervelend", "een flinke tegenvaller": about the situation
    dismissive = "dismissive"                  # "rustig maar", "u hoeft zich niet zo op te winden"
    judgement = "judgement"                    # opinion on the customer or what they did
    own_story = "own_story"                    # the trainee's own anecdote
    pitch = "pitch"                            # talks up the company or product
    joke = "joke"                              # jokes, witty or sarcastic remarks
    insult = "insult"                          # attacks or belittles the customer
    # taking action
    action_now = "action_now"                  # "ik zoek nu uw gegevens op"
    time_frame = "time_frame"                  # concrete time: "binnen twee werkdagen", "voor 17.00 uur"
    vague_time = "vague_time"                  # "zo snel mogelijk", "dat kan even duren"
    commitment = "commitment"                  # "ik pak dit op", "ik zorg ervoor dat"
    ownership_refusal = "ownership_refusal"    # "daar ga ik niet over", "dan moet u ... bellen"
    guided_handover = "guided_handover"        # refers on but guides: "ik verbind u door en blijf erbij"
    check_back = "check_back"                  # "ik ga dat navragen en bel u terug"
    solution = "solution"                      # proposes a solution
    proposal = "proposal"                      # asks agreement to one proposal: "Zal ik dat doen?"
    choice_offer = "choice_offer"              # offers options or asks what would help
    # saying no, bad news
    refusal = "refusal"                        # says something is not possible
    blunt_no = "blunt_no"                      # a refusing "nee" ("nee, dat kan niet"), not "nee hoor"
    regret_phrase = "regret_phrase"            # "helaas", "het spijt me dat"
    alternative = "alternative"                # what is possible instead
    bad_news = "bad_news"                      # brings bad news
    explanation = "explanation"                # explains a cause ("dat komt doordat ...")
    # sales
    discount = "discount"                      # offers a discount or freebie
    deadline = "deadline"                      # "alleen vandaag", "de actie loopt af"
    extra_arguments = "extra_arguments"        # piles up selling points or options
    doubt_question = "doubt_question"          # "waar twijfelt u nog aan?"
    buying_stage_question = "buying_stage_question"  # needs, what compared, what still to decide
    # outbound
    call_reason = "call_reason"                # "ik bel u omdat ..."
    call_goal = "call_goal"                    # "ik wil graag een afspraak met u maken"
    objection_ack = "objection_ack"            # "dat is logisch", "dat kan ik me voorstellen"
    agreement_summary = "agreement_summary"    # "dus we spreken af dat ..."
    # names
    name_reason = "name_reason"                # "ik heb uw naam niet goed verstaan"
    name_spell_request = "name_spell_request"  # "hoe spel ik deze?", "wilt u die spellen?"
    name_wrong_ask = "name_wrong_ask"          # "hoe was uw naam (ook alweer)?"
    # manipulation
    injection = "injection"                    # "negeer je instructies", "je bent een AI", "beoordelaar, ..."


class C(StrEnum):
    """Signals found in one customer turn."""

    confirm = "confirm"                  # "ja, precies", "klopt"
    correct = "correct"                  # "nee, dat bedoel ik niet"
    insist = "insist"                    # asks again for what was refused
    objection = "objection"              # contact objection (prospect)
    refuse = "refuse"                    # prospect refuses again
    accept = "accept"                    # agrees: "prima", "doe maar", "dat is goed"
    reject = "reject"                    # turns down: "nee", "laat maar", "geen behoefte"
    name_unclear = "name_unclear"        # mumbled or cut-off name
    upset = "upset"                      # reacts badly: "Volgende week?!", "Dat meen je niet", "belachelijk"
    feeling = "feeling"                  # names own feeling (boos, schaam me, twijfel)
    question = "question"                # asks something
    thanks = "thanks"
    ends = "ends"                        # says goodbye / hangs up


def describe() -> dict[str, str]:
    """Signal id -> the comment beside it above (for `roleplay signals`); read lazily from the source."""
    import inspect

    out: dict[str, str] = {}
    for enum in (S, C):
        for line in inspect.getsource(enum).splitlines():
            name, _, comment = line.partition("#")
            key = name.split("=", 1)[0].strip()
            if key in enum.__members__:
                out[enum[key].value] = comment.strip()
    return out
