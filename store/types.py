"""Column types that make SQLite and PostgreSQL hand back the same Python values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

HOURS_SCALE = 2
_QUANTUM = Decimal(1).scaleb(-HOURS_SCALE)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored in UTC, always read back timezone-aware in UTC.

    PostgreSQL keeps the offset (`timestamptz`) but returns it in the session's time zone; SQLite keeps
    no offset at all. Naive datetimes are refused rather than guessed at, since a guess is how deadlines
    drift by eight hours (Asia/Taipei).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime ({value.isoformat()}); pass an aware one")
        utc = value.astimezone(UTC)
        # SQLite's DATETIME text has no offset; storing UTC wall time keeps text order equal to time order.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Hours(TypeDecorator[Decimal]):
    """Hours as an exact decimal with two places (R14 logs half hours).

    A value with more places would be rounded silently by both databases, so it is refused instead:
    what is read back always equals what was written.
    """

    impl = Numeric(8, HOURS_SCALE)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if value != value.quantize(_QUANTUM):
            raise ValueError(f"{value} hours has more than {HOURS_SCALE} decimal places and would be rounded")
        return value
