"""The entry point: read the seed files, check every record, then write them all or nothing."""

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from .planning import check_documents
from .reading import read_document
from .writing import LoadResult, write_plan

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "statuses"


def shipped_files() -> list[Path]:
    """The seed files that ship with the project, in a fixed order."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def load_statuses(paths: Iterable[Path]) -> LoadResult:
    """Check every record of the YAML files at `paths`, then write them all, or nothing.

    Raises DatasetError listing every problem (unknown jurisdiction or substance, bad status or
    date, overlapping periods, a record without a source, ...) with its file and line. A second
    run reports `created 0, updated 0`. Each entry is published with its sources;
    `last_verified_at` is the newest publication date among them (a year counts as 1 January, a
    month as its first day), or the file's `gathered_on` when none is dated. A low-confidence
    entry is `unverified`; it and an undated one get a `manual` review flag, raised once (a flag
    a curator resolved is not raised again by the next load).
    """
    documents = [read_document(Path(path)) for path in paths]
    with transaction.atomic():
        return write_plan(check_documents(documents))
