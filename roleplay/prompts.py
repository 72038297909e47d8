"""Render the jinja2 prompt templates in `prompts/` (or the user's --prompts folder).

StrictUndefined: a template that names a missing variable fails loudly instead of sending a hole to a model.
"""

from functools import cache
from typing import Any

from . import paths
from .errors import InputError


@cache
def _environment(folder: str) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # prompts are plain text, not HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """Render `prompts/<name>` with the given variables."""
    import jinja2

    folder = paths.data_dir("prompts")
    try:
        text: str = _environment(str(folder)).get_template(name).render(**context)
        return text.strip() + "\n"
    except jinja2.TemplateNotFound:
        raise InputError("prompt template not found", file=folder / name) from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template error: {exc.message}", file=exc.filename or folder / name,
                         line=exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise InputError(f"template uses an undefined variable: {exc.message}", file=folder / name) from None
