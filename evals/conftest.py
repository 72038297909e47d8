"""Setup for the deepeval evals in this folder (`deepeval test run evals/`, or plain `pytest evals/`).

Telemetry is off by default. deepeval 2.9 decides at import time: it pings api.ipify.org, starts Sentry,
an OpenTelemetry exporter and PostHog unless DEEPEVAL_TELEMETRY_OPT_OUT is exactly "YES" ("1" does not
count in 2.9). So the variables are set here, before any test module imports deepeval:

- DEEPEVAL_TELEMETRY_OPT_OUT=YES    no telemetry, no IP lookup, no Sentry/PostHog/OTLP
- DEEPEVAL_DISABLE_DOTENV=1         later deepeval versions read a .env file at import; 2.9 reads none
- DEEPEVAL_UPDATE_WARNING_OPT_IN    left unset: only "YES" makes deepeval ask PyPI for a newer version
- ERROR_REPORTING                   left unset: only "YES" installs deepeval's Sentry excepthook

`deepeval test run` imports deepeval (and so starts telemetry) before pytest reads this file. For that
command set the variable in the shell as well:

    DEEPEVAL_TELEMETRY_OPT_OUT=YES deepeval test run evals/

A run that forgot it gets a warning on stderr; the rest of the run is then opted out (deepeval re-reads the
variable for every metric it times), but the start-up ping has already been tried.

The metrics here use our rule judge (offline) unless a test says otherwise; LLM-backed evals run only
when ROLEPLAY_JUDGE_MODEL is set. Real model requests are allowed here (these are evals, not unit tests):
ROLEPLAY_ALLOW_MODEL_REQUESTS=0 forbids them as everywhere else.
"""

import os
import sys

import pytest

_TELEMETRY_WAS_ON = "deepeval.telemetry" in sys.modules and os.environ.get("DEEPEVAL_TELEMETRY_OPT_OUT") != "YES"

if os.environ.get("DEEPEVAL_TELEMETRY_OPT_OUT", "").strip().lower() in ("", "1", "true", "yes", "on"):
    os.environ["DEEPEVAL_TELEMETRY_OPT_OUT"] = "YES"
os.environ.setdefault("DEEPEVAL_DISABLE_DOTENV", "1")


def pytest_configure(config: pytest.Config) -> None:
    if _TELEMETRY_WAS_ON and sys.__stderr__ is not None:  # `deepeval test run` hides pytest's warnings
        sys.__stderr__.write(
            "WARNING: deepeval was imported with telemetry on before evals/conftest.py could turn it off "
            "(deepeval's CLI imports it first). Run: DEEPEVAL_TELEMETRY_OPT_OUT=YES deepeval test run evals/\n")
