"""Queries a lookup runs on every request, compiled once per process and shape.

Django builds and compiles a QuerySet anew each time it runs: for a cold lookup that was about a
third of its Python, more than reading the rows. A CompiledQuery builds its QuerySet once for each
shape of its arguments (how many values each list holds), keeps the SQL text, its converters and
where each argument goes among the parameters, then runs that SQL with the new values. Only the
statement is kept, never a row: every call reads the database (like a prepared statement).

A list longer than MAX_COMPILED_LIST (a bulk lookup's thousand ZIP codes) is padded to the next
power of two by repeating its last value (IN reads a value once however often it is listed), so
that its shapes repeat too: compiling a thousand values cost a bulk lookup more than its rows.
Lists over MAX_PADDED_LIST build the QuerySet as usual. An empty list is a shape of its own,
compiled as Django compiles it (an `IN ()` that cannot match drops out of an OR, or leaves a query
that answers no rows without running): a name search with no code to look for compiled its
QuerySet anew on every run, 5 ms.

A statement binding at most MAX_COMPILED_LIST argument values is kept with named placeholders
(`%(p0)s`, one per argument value: an argument used twice is bound once). Given a list of
parameters, SQLite's cursor rewrites each `%s` to `?` with a regular expression over the whole
statement on every run (70 us for the name search's 5 KB, about 0.2 ms of a lookup's six
queries); given a dict it only formats the names in. SQLite binds a value by name 1.4 us slower
than by position, though, so the padded lists of a bulk lookup (128 values and more) keep their
`%s`.
"""

import datetime
import decimal
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable

MAX_COMPILED_LIST = 64
MAX_PADDED_LIST = 4096  # far below SQLite's limit of 32,766 parameters

# Stand-ins for the arguments while compiling: no real id is negative, no real text has a NUL.
_FIRST_NUMBER = -(10**15)


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: no rows, whatever the values
    # Per parameter in order: (argument name, index in its list or None for a single value), or
    # (None, the constant the QuerySet itself put there).
    slots: tuple[tuple[str | None, object], ...]
    # The placeholders' names, in the order of `slots`; None: the SQL binds by position.
    names: tuple[str, ...] | None
    converters: dict
    width: int  # the columns values_list asked for (the SQL may select more, to order by)


class CompiledQuery:
    """A values_list() QuerySet built by `build(**arguments)`, compiled once per shape.

    Arguments are ints, strings, or lists/tuples/sets of them; lists are de-duplicated in order
    (as SQL's IN reads them). `rows(**arguments)` returns the rows as values_list would.
    """

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def rows(self, using: str = "default", **arguments) -> list[tuple]:
        values = {name: _plain(value) for name, value in arguments.items()}
        lists = {name: value for name, value in values.items() if isinstance(value, list)}
        if any(len(value) > MAX_PADDED_LIST for value in lists.values()):
            return list(self.build(**values).using(using))
        for name, value in lists.items():
            if len(value) > MAX_COMPILED_LIST:
                values[name] = value + [value[-1]] * (_padded_length(len(value)) - len(value))
        shape = (using, *sorted((name, _kind(value)) for name, value in values.items()))
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = _compile(self.build, values, using)
        if compiled.sql is None:
            return []
        params = [
            (values[name] if index is None else values[name][index]) if name is not None else index
            for name, index in compiled.slots
        ]
        if compiled.names is not None:
            params = dict(zip(compiled.names, params, strict=True))
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = _converted(rows, compiled.converters, connections[using])
        if rows and len(rows[0]) > compiled.width:  # columns selected only to order by
            return [row[: compiled.width] for row in rows]
        return rows


def _converted(rows: list, converters: dict, connection) -> list:
    # As SQLCompiler.apply_converters, with this thread's connection, a column at a time (a
    # bulk lookup converts thousands of values).
    if not rows:
        return rows
    columns = list(zip(*rows, strict=True))
    for position, (functions, expression) in converters.items():
        columns[position] = _converted_column(columns[position], functions, expression, connection)
    return list(zip(*columns, strict=True))


# Values a converter may hand to two rows at once: nobody can change them.
_IMMUTABLE = frozenset(
    {bool, int, float, str, bytes, type(None), datetime.date, datetime.datetime, decimal.Decimal}
)


def _converted_column(column, functions, expression, connection) -> list:
    """The column's values through the converters, each distinct value converted once: a
    column repeats its values (SQLite's 0 and 1 of a thousand booleans, a few dozen dates), and
    a converter is a Python call per value. A value converted into a mutable object (a JSON
    field's list) is converted anew for every row, so that no two rows share it."""
    done: dict = {}
    converted = []
    for value in column:
        try:
            found = done.get(value, _NOT_DONE)
        except TypeError:  # unhashable: a driver's own JSON decoding (PostgreSQL)
            found = _NOT_DONE
        if found is _NOT_DONE:
            found = value
            for function in functions:
                found = function(found, expression, connection)
            if type(found) in _IMMUTABLE:
                try:
                    done[value] = found
                except TypeError:
                    pass
        converted.append(found)
    return converted


_NOT_DONE = object()


def _padded_length(length: int) -> int:
    return 1 << (length - 1).bit_length()


def _plain(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset):
        return list(dict.fromkeys(value))
    return value


def _kind(value: object) -> object:
    if isinstance(value, list):
        return (len(value), tuple(type(item).__name__ for item in value))
    return type(value).__name__


def _compile(build: Callable[..., QuerySet], values: dict, using: str) -> _Compiled:
    numbers = itertools.count(_FIRST_NUMBER)
    where: dict[object, tuple[str, int | None]] = {}

    def stand_in(name: str, index: int | None, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"{name}: a compiled query takes ints and strings, not {value!r}")
        token = next(numbers) if isinstance(value, int) else f"\x00{name}\x00{index}\x00"
        where[token] = (name, index)
        return token

    stand_ins = {
        name: [stand_in(name, i, item) for i, item in enumerate(value)]
        if isinstance(value, list)
        else stand_in(name, None, value)
        for name, value in values.items()
    }
    queryset = build(**stand_ins).using(using)
    if queryset._iterable_class is not ValuesListIterable:
        raise TypeError("A compiled query is a values_list() QuerySet.")
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # an empty list that every row must match: Django runs no query
        return _Compiled(None, (), None, {}, 0)
    slots: list[tuple[str | None, object]] = []
    for param in params:
        if param in where and type(param) is not bool:
            slots.append(where[param])
        elif isinstance(param, str) and "\x00" in param:
            # A lookup rewrote the argument (contains, iexact): it cannot be filled in later.
            raise TypeError(f"A compiled query's argument was rewritten: {param!r}")
        else:
            slots.append((None, param))
    if set(where.values()) - {slot for slot in slots if slot[0] is not None}:
        raise TypeError("A compiled query left an argument out of its SQL.")
    names = None
    if len({slot for slot in slots if slot[0] is not None}) <= MAX_COMPILED_LIST:
        sql, slots, names = _named_placeholders(sql, slots)
    # As SQLCompiler.results_iter reads them: the SQL selects values_list's columns in the
    # order asked (Django 5.2), then any it needs to order by.
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    return _Compiled(sql, tuple(slots), names, converters, compiler.col_count)


_PLACEHOLDER_OR_PERCENT = re.compile(r"(%%|%s)")


def _named_placeholders(sql: str, slots: list) -> tuple[str, list, tuple[str, ...]]:
    """The SQL with `%(pN)s` for each `%s` in turn (`%%`, a literal percent sign, kept), the
    slot of each name and the names: an argument's value is one name however often the SQL
    uses it."""
    names: dict[tuple, str] = {}
    named: dict[str, tuple[str | None, object]] = {}
    parts = _PLACEHOLDER_OR_PERCENT.split(sql)
    positions = iter(slots)
    for i in range(1, len(parts), 2):
        if parts[i] == "%s":
            slot = next(positions)
            # A constant keeps its own name: constants of equal value may differ in type.
            key = slot if slot[0] is not None else (None, len(named))
            if key not in names:
                names[key] = f"p{len(named)}"
                named[names[key]] = slot
            parts[i] = f"%({names[key]})s"
    if next(positions, None) is not None:
        raise TypeError("A compiled query's SQL has fewer placeholders than parameters.")
    return "".join(parts), list(named.values()), tuple(named)


def compiled(build: Callable[..., QuerySet]) -> CompiledQuery:
    """Decorator: `build` (keyword arguments, returning a values_list QuerySet) compiled once
    per shape."""
    return CompiledQuery(build)
