"""The `roleplay` command. Subcommands live in `roleplay/commands/` and are imported only when run,
so `roleplay --help` never pays for litellm, gradio or deepeval."""

import importlib
import sys

import click

from .errors import RoleplayError

# name -> (module in roleplay.commands, one-line help shown by --help without importing it)
COMMANDS: dict[str, tuple[str, str]] = {
    "personas": ("content", "List the personas (scenarios)."),
    "checklists": ("content", "List the checklists and their items."),
    "validate": ("content", "Check personas, checklists and transcripts; exit 0 or 2."),
    "schema": ("content", "Print the JSON Schema of a persona, checklist or transcript file."),
    "signals": ("content", "List the behaviour signals, or show those found in a sentence."),
    "play": ("play", "Play a persona: interactive chat, or a trainee script (--trainee FILE)."),
    "judge": ("judge", "Score a transcript against its checklists."),
    "eval": ("eval", "Measure the judge on the golden set: agreement, consistency, invariance."),
    "selfplay": ("selfplay", "Let a scripted trainee play a persona and check the persona's behaviour."),
    "ui": ("ui", "Start the trainee web app (Gradio)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"roleplay.commands.{COMMANDS[name][0]}")
        cmd: click.Command = getattr(module, name.replace("-", "_") + "_cmd")
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, helptext) for name, (_, helptext) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="roleplay")
@click.option(
    "--personas",
    "personas_dir",
    type=click.Path(file_okay=False),
    envvar="ROLEPLAY_PERSONAS",
    help="Folder with persona YAML files (default: the shipped ones).",
)
@click.option(
    "--checklists",
    "checklists_dir",
    type=click.Path(file_okay=False),
    envvar="ROLEPLAY_CHECKLISTS",
    help="Folder with checklist YAML files.",
)
@click.option(
    "--prompts",
    "prompts_dir",
    type=click.Path(file_okay=False),
    envvar="ROLEPLAY_PROMPTS",
    help="Folder with the jinja2 prompt templates.",
)
def cli(personas_dir: str | None, checklists_dir: str | None, prompts_dir: str | None) -> None:
    """Role-play training for Dutch customer service: simulated customers and a checklist judge."""
    from . import paths

    paths.set_dir("personas", personas_dir)
    paths.set_dir("checklists", checklists_dir)
    paths.set_dir("prompts", prompts_dir)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: errors become one line on stderr and an exit status, never a traceback."""
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting.
        rc = cli.main(args=argv, prog_name="roleplay", standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except click.Abort:
        click.echo("Afgebroken.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RoleplayError as exc:
        click.echo(f"roleplay: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    finally:
        from . import paths

        paths.reset()
