"""Database constraints that only PostgreSQL can hold."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.db import models


class DateRange(models.Func):
    """daterange(start, end, '[)'): half-open, and a NULL on either end is unbounded there."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(start, end, models.Value("[)"))


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only.

    SQLite has no EXCLUDE. clean() reports overlapping periods on every backend, so validate()
    does nothing here rather than run PostgreSQL-only SQL through model validation.
    """

    @staticmethod
    def _is_postgres(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if self._is_postgres(schema_editor)
            else None
        )

    def create_sql(self, model, schema_editor):
        return (
            super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None
        )

    def remove_sql(self, model, schema_editor):
        return (
            super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None
        )

    def validate(self, *args, **kwargs) -> None:
        return None
