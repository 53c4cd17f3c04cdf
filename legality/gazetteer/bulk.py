"""Writing many rows of one table with few statements, without model instances.

The gazetteer writes ~250,000 rows on a fresh load. Django's bulk_create and bulk_update build a
model instance per row and compile SQL value by value, which cost most of the load's time. Here
each row is a tuple of values already in the form the database driver takes (str, int, bool,
float, Decimal, None). An INSERT carries as many rows as the parameter limit allows, and one
prepared statement serves all full batches (`executemany`). Nothing here runs save(), signals
or field validation: the callers hand over checked rows, and the tables' constraints still hold.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Model

# Parameters of one statement at most: PostgreSQL allows 65,535, larger statements gain nothing.
_MAX_PARAMETERS = 10_000


def insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """INSERT each row: the values of `fields` (attnames, e.g. 'parent_id'), in that order.

    Several rows go in one statement, as many as the database's parameter limit allows (62 of
    16 columns on SQLite): PostgreSQL executes each statement of an executemany separately,
    so one row per statement costs it a server round of work per row.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(model, name) for name in fields)
    row = f"({', '.join(['%s'] * len(fields))})"

    def statement(row_count: int) -> str:
        return f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * row_count)}"

    params = list(rows)
    limit = min(connection.features.max_query_params or _MAX_PARAMETERS, _MAX_PARAMETERS)
    per_statement = max(1, limit // len(fields))
    whole = len(params) - len(params) % per_statement
    _execute_many(
        statement(per_statement),
        (_flat(params[start : start + per_statement]) for start in range(0, whole, per_statement)),
    )
    if rest := params[whole:]:
        _execute_many(statement(len(rest)), [_flat(rest)])


def update(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UPDATE the row whose primary key is each row's last value with its other values.

    One statement per row (an executemany): updates are the few rows a source changed.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{_column(model, name)} = %s" for name in fields)
    key = connection.ops.quote_name(model._meta.pk.column)
    _execute_many(f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)


def insert_history(
    model: type[Model],
    rows: Iterable[dict[str, object]],
    *,
    history_type: str,
    change_reason: str,
    date: datetime,
) -> None:
    """Add a simple-history record ('+' created, '~' changed) for each row of `model`.

    Each row maps the attnames of the tracked fields ('id', 'parent_id', ...) to their values.
    Writes what simple-history's bulk_history_create writes for objects saved outside a request:
    the same date and change reason for all, and the default history user (none in a command).
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model  # type: ignore[attr-defined]
    tracked = [field.attname for field in history.tracked_fields]
    user = history.get_default_history_user(model())
    fixed = (
        history._meta.get_field("history_date").get_db_prep_save(date, connection),
        change_reason,
        history_type,
        user.pk if user is not None else None,
    )
    insert(
        history,
        (*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"),
        (tuple(row[name] for name in tracked) + fixed for row in rows),
    )


def _column(model: type[Model], attname: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(attname).column)


def _flat(rows: Sequence[Sequence[object]]) -> list[object]:
    return [value for row in rows for value in row]


def _execute_many(sql: str, rows: Iterable[Sequence[object]]) -> None:
    params = list(rows)
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
