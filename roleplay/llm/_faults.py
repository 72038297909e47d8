"""Provider faults: which kind a litellm exception is, whether to try again, and what a trainee is told.

Kinds: timeout, rate_limit, connection, unavailable, empty (retried); auth, bad_request, not_found,
forbidden, setup, error (not retried).
"""

from typing import Any

from ..errors import ModelError

RETRYABLE = frozenset({"timeout", "rate_limit", "connection", "unavailable", "empty"})

_KEPT = " Uw gesprek blijft bewaard."
# kind -> (what happened, what to do)
_MESSAGES = {
    "timeout": ("Het taalmodel reageert niet (time-out).", "Probeer het over een ogenblik opnieuw."),
    "rate_limit": ("Het taalmodel krijgt op dit moment te veel verzoeken.",
                   "Wacht even en probeer het dan opnieuw."),
    "connection": ("Er is geen verbinding met het taalmodel.",
                   "Controleer de verbinding en probeer het opnieuw."),
    "unavailable": ("Het taalmodel is tijdelijk niet beschikbaar.", "Probeer het later opnieuw."),
    "empty": ("Het taalmodel gaf een leeg antwoord.", "Probeer het opnieuw."),
    "auth": ("Het taalmodel weigert de toegang: de API-sleutel ontbreekt of klopt niet.",
             "Vraag de beheerder de instellingen na te kijken."),
    "bad_request": ("Het taalmodel kon dit verzoek niet verwerken.",
                    "Vraag de beheerder de instellingen na te kijken."),
    "not_found": ("Het taalmodel '{model}' is onbekend.",
                  "Controleer ROLEPLAY_MODEL of ROLEPLAY_JUDGE_MODEL (bijvoorbeeld 'local' of "
                  "'openai/gpt-4o-mini')."),
    "error": ("Er ging iets mis bij het taalmodel.", "Probeer het opnieuw of vraag de beheerder om hulp."),
}
_MIDSTREAM = ("Het antwoord van het taalmodel brak halverwege af ({why}). Het deel dat al binnen was, "
              "blijft staan; probeer het opnieuw.")
_WHY = {"timeout": "time-out", "rate_limit": "te veel verzoeken", "connection": "verbinding verbroken",
        "unavailable": "niet beschikbaar"}


def model_error(kind: str, model: str, *, attempts: int = 1, partial: str = "") -> ModelError:
    """The ModelError a caller sees for a fault of `kind`, worded for a trainee."""
    if partial:
        message = _MIDSTREAM.format(why=_WHY.get(kind, "storing"))
    elif kind == "not_found" and not model.strip():
        message = ("Er is geen taalmodel ingesteld. Zet ROLEPLAY_MODEL, bijvoorbeeld op 'local' of "
                   "'openai/gpt-4o-mini'.")
    else:
        what, advice = _MESSAGES.get(kind, _MESSAGES["error"])
        tried = f" We hebben het {attempts} keer geprobeerd." if attempts > 1 else ""
        message = f"{what.format(model=model)}{tried} {advice}"
    if kind in RETRYABLE:
        message += _KEPT
    return ModelError(message, kind=kind, model=model, partial=partial)


def forbidden_error(model: str) -> ModelError:
    return ModelError(
        f"Echte taalmodellen zijn hier uitgeschakeld (ROLEPLAY_ALLOW_MODEL_REQUESTS=0), dus '{model}' wordt "
        "niet aangeroepen. Kies 'local' of een 'fake/...'-model.",
        kind="forbidden", model=model)


def setup_error(model: str, what: str, *, install: bool = True) -> ModelError:
    fix = ("Installeer het met: pip install 'roleplay[local]'." if install
           else "Controleer het pad in ROLEPLAY_MODEL of ROLEPLAY_JUDGE_MODEL.")
    return ModelError(f"Het lokale taalmodel '{model}' kan niet starten: {what}. {fix}", kind="setup",
                      model=model)


def classify(exc: BaseException, litellm: Any) -> str:
    """The fault kind of an exception raised by `litellm.completion` or while iterating its stream."""
    ex = litellm.exceptions
    if isinstance(exc, ex.MidStreamFallbackError) and exc.original_exception is not None:
        return classify(exc.original_exception, litellm)
    # Order matters: litellm's Timeout is an openai.APIConnectionError, and
    # MidStreamFallbackError (handled above) is a ServiceUnavailableError.
    if isinstance(exc, ex.Timeout | TimeoutError):
        return "timeout"
    if isinstance(exc, ex.RateLimitError):
        return "rate_limit"
    if isinstance(exc, ex.AuthenticationError | ex.PermissionDeniedError):
        return "auth"
    if isinstance(exc, ex.NotFoundError):
        return "not_found"
    if isinstance(exc, ex.BadRequestError):
        return "not_found" if "LLM Provider NOT provided" in str(exc) else "bad_request"
    if _missing_credentials(exc):
        # litellm reports a missing API key as InternalServerError/APIConnectionError; retrying cannot help.
        return "auth"
    if isinstance(exc, ex.APIConnectionError | ConnectionError):
        return "connection"
    if isinstance(exc, ex.ServiceUnavailableError | ex.InternalServerError):
        return "unavailable"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return "unavailable"
    return "error"


def _missing_credentials(exc: BaseException) -> bool:
    text = str(exc)
    return "Missing credentials" in text or ("api_key" in text and "environment variable" in text)
