"""Everything the app says to a trainee, in Dutch, in one place."""

from ..customer import NPS_QUESTION
from ..judge import VERDICT_NL
from ..session import _OUTCOME_NL as OUTCOME_NL

__all__ = ["NPS_QUESTION", "OUTCOME_NL", "VERDICT_NL"]

TITLE = "Rollenspel klantcontact"

OFFLINE_NOTICE = (
    "**Offline oefenmodus.** Er is geen taalmodel ingesteld, dus je oefent met de **gescripte klant** en de "
    "**regelbeoordelaar**. Wil je met een taalmodel oefenen? Start de app dan met `--model` of zet "
    "`ROLEPLAY_MODEL` (elke litellm-modelnaam, bijvoorbeeld `openai/gpt-4o-mini`, `ollama/llama3` of "
    "`local`)."
)
MODEL_NOTICE = "Klant: taalmodel **{model}**. Beoordelaar: **{judge}**."
NO_LLM_CUSTOMER = (
    "**Let op:** taalmodel **{model}** is ingesteld, maar de LLM-klant is in deze versie nog niet beschikbaar. "
    "Je oefent daarom met de **gescripte klant**."
)
JUDGE_RULES = "regelbeoordelaar (offline)"
JUDGE_LLM = "taalmodel {model}"
LOCAL_NOTICE = (
    "Er zijn geen gebruikers ingesteld: de app draait voor één lokale gebruiker op deze computer "
    "(127.0.0.1). Voor meerdere gebruikers: `--users BESTAND` of `ROLEPLAY_USERS`."
)
LOGIN_MESSAGE = "Log in met je gebruikersnaam en wachtwoord om te oefenen."

OPENS_CUSTOMER = "De klant begint het gesprek."
OPENS_TRAINEE = "Jij begint het gesprek: jij belt de klant."
DIFFICULTY = {"makkelijk": "makkelijk", "gemiddeld": "gemiddeld", "moeilijk": "moeilijk"}
START = "Start"
CHOOSE = "## Kies een scenario"
YOUR_TURN_FIRST = "_Jij opent het gesprek. Stel je voor en vertel waarom je belt._"
PLACEHOLDER = "Typ wat je tegen de klant zegt en druk op Enter"
SEND = "Versturen"
END_CALL = "Gesprek beëindigen"
NEW_CALL = "Nieuw gesprek"
RETRY = "Opnieuw proberen"
USE_SCRIPTED = "Verder met de gescripte klant"
RESUMED = "Je open gesprek is hersteld. Je kunt verdergaan waar je gebleven was."
PENDING_AFTER_RESUME = ("De klant had nog niet geantwoord op je laatste beurt. Kies **Opnieuw proberen** of "
                        "**Verder met de gescripte klant**.")
CUSTOMER_ENDED = "De klant heeft het gesprek beëindigd."

MODEL_FAILED = ("**De klant kon niet antwoorden.** {error}\n\nJe gesprek en wat je typte zijn bewaard. "
                "Kies **Opnieuw proberen** of ga **verder met de gescripte klant**.")
PARTIAL_MARK = " … _(afgebroken)_"
BUSY = "Er loopt nog een verzoek voor dit gesprek. Wacht even en probeer het opnieuw."
EMPTY_TURN = "Typ eerst wat je tegen de klant wilt zeggen."
PENDING = "De klant heeft nog niet geantwoord op je vorige beurt. Kies eerst Opnieuw proberen."
NOTHING_PENDING = "Er wacht geen beurt op een antwoord van de klant."
CLOSED = "Dit gesprek is afgesloten. Begin een nieuw gesprek."
ENDED = "De klant heeft het gesprek beëindigd. Bekijk je beoordeling."
NOT_FOUND = "Dit gesprek bestaat niet of je hebt er geen toegang toe."
NO_SESSION = "Er is geen gesprek gekozen."
NPS_FALLBACK = "De klant kon de NPS-vraag niet via het taalmodel beantwoorden ({error}); de gescripte klant antwoordde."
JUDGE_FALLBACK = "De beoordelaar met taalmodel viel uit ({error}); de regelbeoordelaar heeft beoordeeld."

JUDGE_NAMES = {"rules": "regelbeoordelaar", "llm": "beoordelaar met taalmodel"}
NPS_CATEGORY = {"promoter": "promotor", "passive": "passief", "detractor": "criticaster"}
SCORE = "Totaalscore"
NO_SCORE = "geen score (geen items die voldaan of niet voldaan konden zijn)"
EVIDENCE = "Bewijs"
REASON = "Reden"
TIP = "Tip"
SOURCE = "Bron"
TURN = "beurt"
TRAINEE = "Jij"
CUSTOMER = "Klant"
TRANSCRIPT = "Het gesprek, met het bewijs gemarkeerd"

# Article 003, "Omgaan met afwijzing": three short steps, in our own words.
REJECTED_OUTCOMES = ("rejected", "hung_up", "gave_up")
REFLECTION_TITLE = "Even stilstaan bij de afwijzing"
REFLECTION_INTRO = (
    "Een afwijzing aan de telefoon doet pijn, ook als het 'nee' over het moment of het aanbod gaat en niet "
    "over jou. Hoe steviger je beeld van jezelf, hoe sneller je weer opkrabbelt. Neem daarom drie korte "
    "stappen voordat je het volgende gesprek begint. Je antwoorden worden bij dit gesprek bewaard."
)
REFLECTION_QUESTIONS = (
    ("tot_jezelf_komen", "1. Kom even tot jezelf",
     "Hoe voel je je nu? Wat helpt jou om weer rustig te worden (even opstaan, diep ademhalen, iets drinken)?"),
    ("sterke_punten", "2. Zet je sterke punten op een rij",
     "Noem drie dingen waar je goed in bent of die je in dit gesprek goed deed."),
    ("mensen_die_je_waarderen", "3. Denk aan mensen die je niet afwijzen",
     "Wie waardeert jou wel zoals je bent? Schrijf een of twee namen op en wat zij in je zien."),
)
REFLECTION_SAVE = "Reflectie opslaan"
REFLECTION_SAVED = "Je reflectie is opgeslagen. Succes met het volgende gesprek!"
REFLECTION_EMPTY = "Vul minstens één vraag in voordat je opslaat."

TAB_PRACTICE = "Oefenen"
TAB_HISTORY = "Geschiedenis"
TAB_PROGRESS = "Voortgang"
TAB_INSTRUCTOR = "Instructeur"
REFRESH = "Vernieuwen"
SHOW = "Tonen"
SESSION = "Gesprek"
USER = "Gebruiker"
ALL_USERS = "(iedereen)"
DOWNLOAD_YAML = "Transcript (YAML)"
DOWNLOAD_MD = "Verslag (Markdown)"
DOWNLOAD_HTML = "Verslag (HTML)"
NO_SESSIONS = "_Nog geen gesprekken._"
NO_PROGRESS = "_Nog geen beoordeelde gesprekken._"
STATUS = {"open": "open", "abandoned": "afgebroken", "done": "afgerond"}
SCRIPTED_ACTIVE = (
    "De **gescripte klant** is actief: er is geen prompt. De antwoorden komen uit het script in het "
    "personabestand en volgen de toestand hieronder (signalen en gebeurtenissen van de laatste beurt)."
)
NO_PROMPT_EXPOSED = "De LLM-klant toont zijn prompt niet (geen `system_prompt(session)`)."
