"""The trainee web app (Gradio): scenario cards, a streamed chat with the simulated customer, NPS and the
scorecard with the evidence marked, history, progress, an instructor view, logins and storage.

`build_app(...)` makes the Gradio Blocks, `launch(...)` serves it, `serve(...)` is what `roleplay ui` runs.
Gradio is imported only inside these functions, so importing this package stays cheap.
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._auth import LOCAL_USER, Users, hash_password, load_users, users_file, verify_password
from ._engine import CustomerFactory, Settings, Trainer
from ._storage import NotFound, Store, Viewer, default_db_url

if TYPE_CHECKING:
    import gradio as gr

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def resolve_settings(model: str | None = None, judge: str | None = None, judge_model: str | None = None,
                     *, local: bool = True, customer_factory: CustomerFactory | None = None) -> Settings:
    """Which customer and judge the app uses, and the Dutch notice that says so.

    No model configured (flag or ROLEPLAY_MODEL): the scripted customer and the rule judge. A model: the LLM
    customer on it (the scripted one if the LLM customer is not available) and, unless --judge says
    otherwise, the LLM judge on --judge-model / ROLEPLAY_JUDGE_MODEL / the same model.
    """
    from ..llm import default_model
    from . import _texts as T

    model = model or default_model("customer")
    if model is None:
        judge = judge or "rules"
        jm = (judge_model or default_model("judge")) if judge == "llm" else None
        notice = T.OFFLINE_NOTICE if judge == "rules" else T.OFFLINE_NOTICE + " " + T.MODEL_NOTICE.format(
            model="–", judge=T.JUDGE_LLM.format(model=jm))
        return Settings("scripted", None, judge, jm, local, notice)
    judge = judge or "llm"
    jm = (judge_model or default_model("judge") or model) if judge == "llm" else None
    judge_text = T.JUDGE_RULES if judge == "rules" else T.JUDGE_LLM.format(model=jm)
    customer = "llm"
    try:
        if customer_factory is not None:
            customer_factory("llm", model)
        else:
            from ..customer import make_customer

            make_customer("llm", model=model)
    except Exception:  # the LLM customer is not available in this version: play scripted
        customer = "scripted"
    if customer == "scripted":
        notice = T.NO_LLM_CUSTOMER.format(model=model) + " " + T.MODEL_NOTICE.format(model=model, judge=judge_text)
    else:
        notice = T.MODEL_NOTICE.format(model=model, judge=judge_text)
    return Settings(customer, model, judge, jm, local, notice)


def build_app(db: str | Store | None = None, *, settings: Settings | None = None, users: Users | None = None,
              customer_factory: CustomerFactory | None = None) -> "gr.Blocks":
    """The Gradio Blocks of the app on a database (URL or Store); settings default to resolve_settings()."""
    from ._layout import Ui

    store = db if isinstance(db, Store) else Store(db)
    settings = settings or resolve_settings(local=users is None, customer_factory=customer_factory)
    trainer = Trainer(store, settings, customer_factory=customer_factory)
    demo = Ui(trainer, users).build()
    demo.roleplay_trainer = trainer  # type: ignore[attr-defined]  # for tests and benchmarks
    return demo


def launch(demo: "gr.Blocks", *, host: str = "127.0.0.1", port: int = 7860, users: Users | None = None,
           block: bool = True, quiet: bool = False) -> Any:
    """Serve the app; with users, Gradio's login guards every page and API call."""
    from . import _texts as T
    from ._views import CSS

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    return demo.launch(server_name=host, server_port=port, auth=users.check if users else None,
                       auth_message=T.LOGIN_MESSAGE if users else None, prevent_thread_lock=not block,
                       quiet=quiet, css=CSS, footer_links=[], ssr_mode=False, max_threads=64, share=False)


def check_host(host: str, users: Users | None) -> None:
    from ..errors import InputError

    if users is None and host not in LOCAL_HOSTS:
        raise InputError(f"refusing to serve on {host} without logins: give --users FILE (or ROLEPLAY_USERS), "
                         "or use --host 127.0.0.1", field="--host")


def serve(*, host: str = "127.0.0.1", port: int = 7860, model: str | None = None, judge: str | None = None,
          judge_model: str | None = None, db: str | None = None, users: str | Path | None = None,
          block: bool = True, on_ready: Any = None) -> Any:
    """`roleplay ui`: check the options (bad files fail before Gradio loads), then build and serve."""
    file = users_file(users)
    loaded = load_users(file) if file else None
    check_host(host, loaded)
    store = Store(db)
    settings = resolve_settings(model, judge, judge_model, local=loaded is None)
    demo = build_app(store, settings=settings, users=loaded)
    result = launch(demo, host=host, port=port, users=loaded, block=False, quiet=True)
    if on_ready is not None:
        on_ready(demo, store, settings)
    if block:
        demo.block_thread()
    return result


__all__ = [
    "LOCAL_USER",
    "NotFound",
    "Settings",
    "Store",
    "Trainer",
    "Users",
    "Viewer",
    "build_app",
    "check_host",
    "default_db_url",
    "hash_password",
    "launch",
    "load_users",
    "resolve_settings",
    "serve",
    "users_file",
    "verify_password",
]
