"""Errors users can act on: they name the file, the line and the field, and never show a traceback."""

from pathlib import Path


class RoleplayError(Exception):
    """Any failure the CLI reports as one line and exit status 1."""

    exit_code = 1


class InputError(RoleplayError):
    """Bad input from the user (a file, an id, a flag): exit status 2."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ContentError(InputError):
    """A persona, checklist or transcript file that does not validate."""


class ModelError(RoleplayError):
    """An LLM provider failed after retries. The conversation so far is kept by the caller."""

    def __init__(self, message: str, *, kind: str = "error", model: str | None = None,
                 partial: str = "") -> None:
        self.kind = kind
        self.model = model
        self.partial = partial  # text a stream delivered before it broke off; the caller keeps it
        super().__init__(message)
