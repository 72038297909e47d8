"""Checklists: what the judge scores. One YAML file per checklist in `checklists/`."""

from typing import Literal

from pydantic import Field, model_validator

from ._base import FieldError, Strict


class Source(Strict):
    article: str = Field(description="Title of the training article the item comes from.")
    section: str = Field(description="Section of that article.")
    file: str | None = Field(default=None, description="Article file in ../shared/articles (for reviewers).")

    def label(self) -> str:
        return f"{self.article} — {self.section}"


class ChecklistItem(Strict):
    id: str = Field(
        pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$",
        description="Full item id '<checklist>.<item>', as in the catalogue (a contract).",
    )
    title: str = Field(description="Short Dutch name shown in the scorecard.")
    polarity: Literal["show", "avoid"] = Field(
        default="show",
        description="'show': met when the behaviour occurs at least once where it applies; "
        "'avoid': not_met as soon as the behaviour occurs once.",
    )
    definition: str = Field(description="What the item is about, in the project's own Dutch words.")
    met: str = Field(description="When the item is met.")
    not_met: str = Field(description="When the item is not met.")
    not_applicable: str = Field(description="When the item does not apply (the situation never arose).")
    example_pass: str = Field(description="A trainee utterance that meets the item.")
    example_fail: str = Field(description="A trainee utterance that does not meet it.")
    tip: str = Field(description="The coaching tip a trainee gets when the item is not met.")
    tip_example: str = Field(description="An example sentence to say instead.")
    source: Source = Field(description="Where in the articles the item comes from.")


class Checklist(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Checklist id, as in the catalogue (a contract).")
    title: str = Field(description="Dutch title.")
    description: str = Field(description="What the checklist trains, in one or two Dutch sentences.")
    source: Source = Field(description="The article this checklist comes from.")
    items: list[ChecklistItem] = Field(min_length=1, description="The items, in scoring order.")

    @model_validator(mode="after")
    def _items_belong(self) -> "Checklist":
        seen: set[str] = set()
        for n, item in enumerate(self.items):
            prefix = item.id.split(".", 1)[0]
            if prefix != self.id:
                raise FieldError(("items", n, "id"), f"item id '{item.id}' must start with '{self.id}.'")
            if item.id in seen:
                raise FieldError(("items", n, "id"), f"duplicate item id '{item.id}'")
            seen.add(item.id)
        return self

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
