"""`roleplay ui`: start the trainee web app (Gradio). Gradio is imported only when the app starts."""

import sys
import time

import click

_T0 = time.perf_counter()


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; anything but localhost needs --users.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--model", default=None, help="litellm model string for the customer (default: ROLEPLAY_MODEL; "
              "none: the offline scripted customer).")
@click.option("--judge", "judge", type=click.Choice(["rules", "llm"]), default=None,
              help="Judge: rules (offline) or llm (default: llm when a model is configured, else rules).")
@click.option("--judge-model", default=None, help="litellm model string for --judge llm "
              "(default: ROLEPLAY_JUDGE_MODEL, else the customer's model).")
@click.option("--db", default=None, help="SQLAlchemy database URL (default: ROLEPLAY_DB, else "
              "~/.local/share/roleplay/roleplay.sqlite). PostgreSQL works: postgresql+psycopg://...")
@click.option("--users", "users", default=None, type=click.Path(dir_okay=False),
              help="YAML file with users (name, role trainee|instructor, password_hash); default: "
              "ROLEPLAY_USERS, else one local user on 127.0.0.1.")
@click.option("--hash-password", "hash_pw", is_flag=True,
              help="Ask for a password, print its hash for the users file, and exit.")
def ui_cmd(host: str, port: int, model: str | None, judge: str | None, judge_model: str | None, db: str | None,
           users: str | None, hash_pw: bool) -> None:
    """Start the trainee web app (Gradio)."""
    if hash_pw:
        from ..app._auth import hash_password

        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt=sys.stdin.isatty(),
                                err=True)
        click.echo(hash_password(password))
        return
    from ..app import serve

    def ready(demo: object, store: object, settings: object) -> None:
        url = f"http://{host}:{port}/"
        click.echo(f"roleplay ui: serving on {url} ({time.perf_counter() - _T0:.1f} s after start; "
                   f"database {getattr(store, 'url', '?')}; customer {getattr(settings, 'customer', '?')}, "
                   f"judge {getattr(settings, 'judge', '?')})", err=True)

    serve(host=host, port=port, model=model, judge=judge, judge_model=judge_model, db=db, users=users,
          on_ready=ready)
