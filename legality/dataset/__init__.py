"""The seed data: read, check and load the legal statuses in legality/data/statuses/*.yaml.

`load_statuses(paths)` reads every file, checks every record and, only when nothing is wrong,
writes them all in one transaction. legality/data/statuses/README.md describes the format.
Entries are upserted on (jurisdiction, substance, effective_from) and sources on (url, citation,
title), so a second run changes nothing.

The rules for an entry's own fields, the lookup of jurisdictions by OCD id and the dates of
sources are public functions here: the curators' CSV import in the admin
(legality.admin.resources) checks its rows with the same ones.

The modules, in the order a load uses them: `reading` (YAML with line numbers), `checks` (the
rules shared with the CSV import), `planning` (every record checked against the rules and the
database, into a write plan), `writing` (the upserts) and `loading` (the entry point, in one
transaction); `errors` holds the problems and the error that lists them.
"""

from .checks import (
    ENTRY_FIELDS,
    check_entry_fields,
    describe_unknown_substance,
    find_jurisdictions,
    first_day_no_longer_in_force,
    format_published,
    parse_day,
    parse_published,
)
from .errors import DatasetError
from .loading import load_statuses, shipped_files
from .planning import UNDATED_NOTE

__all__ = [
    "ENTRY_FIELDS",
    "UNDATED_NOTE",
    "DatasetError",
    "check_entry_fields",
    "describe_unknown_substance",
    "find_jurisdictions",
    "first_day_no_longer_in_force",
    "format_published",
    "load_statuses",
    "parse_day",
    "parse_published",
    "shipped_files",
]
