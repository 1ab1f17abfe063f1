from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """Input schema that refuses unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
