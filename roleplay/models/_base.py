from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for user-written content: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(ValueError):
    """Raised by cross-field validators so the error points at the field at fault, not the model."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(message)
