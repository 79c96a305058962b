"""Hours in the public contract: a JSON number in half hours (R14), in every response and list alike.

The workflows keep hours as exact decimals; Pydantic writes a Decimal as a JSON string (`"4.00"`), which a
portal's generated client reads as text. Here they leave as numbers (`4`, `4.5`), and the schema says so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from domain.work import hours_number

HOURS_SCHEMA = {"type": "number", "multipleOf": 0.5, "minimum": 0}

Hours = Annotated[
    Decimal,
    PlainSerializer(hours_number, return_type=int | float, when_used="json"),
    WithJsonSchema(HOURS_SCHEMA),
]
