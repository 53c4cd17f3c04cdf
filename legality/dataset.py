"""The seed data: read, check and load the legal statuses in legality/data/statuses/*.yaml.

`load_statuses(paths)` reads every file, checks every record and, only when nothing is wrong,
writes them all in one transaction. legality/data/statuses/README.md describes the format.
Entries are upserted on (jurisdiction, substance, effective_from) and sources on (url, citation,
title), so a second run changes nothing.

The rules for an entry's own fields, the lookup of jurisdictions by OCD id and the dates of
sources are public functions here: the curators' CSV import in the admin
(legality.admin.resources) checks its rows with the same ones.
"""

import os
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from legality.errors import TrackerError
from legality.geography import normalize_name
from legality.models import (
    DatePrecision,
    Jurisdiction,
    LegalStatus,
    OcdAlias,
    ReviewFlag,
    Source,
    Substance,
)

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "statuses"
UNDATED_NOTE = (
    "None of this entry's sources is dated, so its last-verified date is the day the seed data "
    "was gathered. Confirm it against a dated source."
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# The keys a file may hold, by place in the file.
_REQUIRED = set(
    "jurisdiction substance status summary confidence confidence_reason sources".split()
)
_OPTIONAL = set(
    "minimum_age applies_to effective_from effective_from_precision effective_until notes".split()
)
_JURISDICTION_KEYS = set("ocd_id name level country state county".split())
_SOURCE_KEYS = set("url title publisher kind citation published".split())
_EXTRA_KEYS = set(
    "ocd_id name level division_type parent counties country_code is_incorporated "
    "is_official_ocd_id note".split()
)
_CONFIDENCES = ("high", "medium", "low")
_SOURCE_FIELDS = ["publisher", "kind", "published_on", "published_precision"]

SourceKey = tuple[str, str, str]  # (url, citation, title)
Period = tuple[date | None, date | None]  # half-open [start, end); None is open on that side


@dataclass(frozen=True)
class RecordError:
    """One problem in a seed file, at the line of the value (or record) that has it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


class DatasetError(TrackerError):
    """The seed files have errors and nothing was written; `errors` lists every one of them."""

    def __init__(self, errors: Sequence[RecordError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0))
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class LoadResult:
    """What a load did, counted in entries; `notes` names facts matched by an alias or a name."""

    created: int
    updated: int
    unchanged: int
    sources_created: int
    sources_updated: int
    flags_created: int
    jurisdictions_created: int
    notes: tuple[str, ...] = ()


def first_day_no_longer_in_force(last_day: date | None) -> date | None:
    """The model's half-open end for the seed data's inclusive one (None: still in force).

    The seed files write `effective_until` as the last day in force, as the reference does; the
    database stores the first day the entry no longer applies. This is the one place that
    converts; `legality.dates.last_day_in_force` converts back.
    """
    return last_day + timedelta(days=1) if last_day is not None else None


def shipped_files() -> list[Path]:
    """The seed files that ship with the project, in a fixed order."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


# Rules shared with the curators' CSV import: the seed files and the CSV write an entry alike.

# The fields of an entry that check_entry_fields() reads, by the name the files give them.
ENTRY_FIELDS = (
    "status",
    "minimum_age",
    "applies_to",
    "summary",
    "effective_from",
    "effective_from_precision",
    "effective_until",
)


@dataclass(frozen=True)
class CheckedFields:
    """An entry's own fields as the model stores them, and what is wrong with them.

    Each problem pairs the key it is in (a seed file's key, a CSV column) with its message.
    """

    values: dict[str, Any]
    problems: tuple[tuple[str, str], ...]


def check_entry_fields(written: Mapping[str, Any], *, level: str | None) -> CheckedFields:
    """Check an entry's own fields as a seed file or a curator's CSV writes them; convert them.

    `written` holds ENTRY_FIELDS as written: dates as YYYY-MM-DD strings, `effective_until` as
    the last day in force, `minimum_age` as an int; None (or a missing key) is empty. `status`
    and `summary` are checked only when present: a missing key is the caller's to report.
    `level` is the jurisdiction's level; None (not known) skips the county-only scope rule.
    In the values, `effective_until` is the model's first day no longer in force, and a start
    written without its precision is known to the day.
    """
    problems: list[tuple[str, str]] = []
    status = written.get("status")
    if "status" in written and status not in LegalStatus.Status.values:
        allowed = ", ".join(LegalStatus.Status.values)
        problems.append(("status", f"bad status {status!r} ({allowed})"))
    age = written.get("minimum_age")
    if age is not None and (type(age) is not int or not 0 < age < 100):
        problems.append(("minimum_age", f"bad minimum_age {age!r}"))
    applies_to = written.get("applies_to") or ""
    if applies_to not in ["", *LegalStatus.AppliesTo.values]:
        problems.append(("applies_to", f"bad applies_to {applies_to!r}"))
    elif applies_to and level is not None and level != Jurisdiction.Level.COUNTY:
        problems.append(("applies_to", "applies_to is only for county entries"))
    summary = written.get("summary")
    if "summary" in written and not (isinstance(summary, str) and summary.strip()):
        problems.append(("summary", "summary must be some text"))
    start, precision, last_day = _check_period(written, problems)
    values = {
        "status": status,
        "minimum_age": age,
        "applies_to": applies_to,
        "summary": summary or "",
        "effective_from": start,
        "effective_from_precision": precision,
        "effective_until": first_day_no_longer_in_force(last_day),
    }
    return CheckedFields(values=values, problems=tuple(problems))


def _check_period(
    written: Mapping[str, Any], problems: list[tuple[str, str]]
) -> tuple[date | None, str, date | None]:
    """(start, its precision, last day in force), once the three agree with each other."""
    start = _written_day(written, "effective_from", problems)
    last_day = _written_day(written, "effective_until", problems)
    precision = written.get("effective_from_precision")
    if start is None:
        if precision and written.get("effective_from") is None:  # not a bad date
            problems.append(("effective_from_precision", "a precision without an effective_from"))
        return None, "", last_day
    precision = precision or "day"
    if precision not in DatePrecision.values:
        problems.append(("effective_from_precision", f"bad precision {precision!r}"))
    elif (precision == "month" and start.day != 1) or (
        precision == "year" and (start.month, start.day) != (1, 1)
    ):
        message = f"a {precision} start is written as the first day of its {precision}"
        problems.append(("effective_from", message))
    if last_day is not None and last_day < start:
        problems.append(("effective_until", "effective_until is before the start"))
    return start, precision, last_day


def _written_day(
    written: Mapping[str, Any], key: str, problems: list[tuple[str, str]]
) -> date | None:
    if (value := written.get(key)) is None:
        return None
    day = parse_day(value)
    if day is None:
        problems.append((key, f"bad date in {key}: {value!r} (expected YYYY-MM-DD)"))
    return day


def find_jurisdictions(ocd_ids: Collection[str]) -> dict[str, Jurisdiction]:
    """The jurisdictions these OCD ids name: by their own OCD id, or else by an OCD alias.

    Two queries. A jurisdiction found by an alias is keyed by the alias (its own `ocd_id` is
    the official one); an OCD id that names nothing is left out.
    """
    found = {j.ocd_id: j for j in Jurisdiction.objects.filter(ocd_id__in=ocd_ids)}
    aliases = OcdAlias.objects.filter(ocd_id__in=set(ocd_ids) - found.keys())
    return found | {
        alias.ocd_id: alias.jurisdiction for alias in aliases.select_related("jurisdiction")
    }


def describe_unknown_substance(slug: Any, known: Iterable[str]) -> str:
    """The message for a substance slug that names none of the `known` ones."""
    return f"unknown substance {slug!r} (known: {', '.join(sorted(known))})"


def parse_day(value: Any) -> date | None:
    """A YYYY-MM-DD string as a date; None for anything else, or a day the calendar lacks."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and _DAY.match(value) else None
    except ValueError:
        return None


def parse_published(value: Any) -> tuple[date | None, str] | None:
    """(date, precision) of a source's `published`: YYYY, YYYY-MM or YYYY-MM-DD; None if bad.

    A month or year is stored as its first day. Empty (None) is an undated source: (None, "").
    """
    if value is None:
        return None, ""
    if not (match := _PUBLISHED.match(str(value))):
        return None
    year, month, day = match.groups()
    try:
        published = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return published, "day" if day else "month" if month else "year"


def format_published(published_on: date | None, precision: str) -> str:
    """A source's publication date as `published` writes it (parse_published() reads it back)."""
    if published_on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{published_on:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{published_on:%Y-%m}"
    return published_on.isoformat()


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
    documents = [_read(Path(path)) for path in paths]
    with transaction.atomic():
        return _write(_Checker(documents).plan())


# Reading. YAML nodes keep their line numbers, so every error can say where it is.


@dataclass(frozen=True)
class _Field:
    value: Any  # plain Python; dates stay the strings they were written as
    line: int
    node: yaml.Node


@dataclass
class _Document:
    path: str
    errors: list[RecordError] = field(default_factory=list)
    gathered_on: _Field | None = None
    extras: list[tuple[int, dict[str, _Field]]] = field(default_factory=list)
    records: list[tuple[int, dict[str, _Field]]] = field(default_factory=list)

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(RecordError(self.path, line, message))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {key.value: _plain(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if node.tag.endswith((":null", ":bool", ":int", ":float")):
        return yaml.constructor.SafeConstructor().construct_object(node)
    return node.value  # strings, and dates as written: each is checked where it is used


def _fields(document: _Document, node: yaml.Node, what: str) -> dict[str, _Field] | None:
    """A mapping's values by key, each with its line; None (and an error) if not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        document.error(_line(node), f"this {what} is not a mapping")
        return None
    fields: dict[str, _Field] = {}
    for key, value in node.value:
        if key.value in fields:
            document.error(_line(key), f"{key.value!r} appears twice in this {what}")
        fields[key.value] = _Field(_plain(value), _line(value), value)
    return fields


def _read(path: Path) -> _Document:
    relative = os.path.relpath(path)
    document = _Document(relative if not relative.startswith("..") else str(path))
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        document.error(None, f"cannot read the file: {error.strerror}")
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        document.error(mark.line + 1 if mark else None, f"not valid YAML: {error.problem}")
        return document
    top = _fields(document, root, "file") if root is not None else None
    if top is None or "entries" not in top:
        document.error(None, "the file has no 'entries'")
        return document
    for key in top.keys() - {"gathered_on", "extra_jurisdictions", "entries"}:
        document.error(top[key].line, f"unknown key {key!r}")
    document.gathered_on = top.get("gathered_on")
    for key, items in (("extra_jurisdictions", document.extras), ("entries", document.records)):
        node = top[key].node if key in top else yaml.SequenceNode("", [])
        if not isinstance(node, yaml.SequenceNode):
            document.error(_line(node), f"{key} is not a list")
            continue
        for item in node.value:
            if (fields := _fields(document, item, "record")) is not None:
                items.append((_line(item), fields))
    return document


# Checking: every record against the rules and the database, collecting every error.


@dataclass
class _Entry:
    path: str
    line: int
    label: str  # "kratom in Alabama", for messages
    jurisdiction: int | str  # an id, or the OCD id of an extra jurisdiction still to create
    substance_id: int
    effective_from: date | None
    values: dict[str, Any]  # every other field the record sets
    source_keys: list[SourceKey]
    flag_note: str  # "" when the entry needs no review flag

    @property
    def period(self) -> Period:
        return self.effective_from, self.values["effective_until"]


@dataclass
class _Plan:
    extras: dict[str, dict[str, Any]]
    sources: dict[SourceKey, dict[str, Any]]
    entries: list[_Entry]
    notes: list[str]
    history_reason: str


class _Checker:
    """Turns the documents into a write plan, or raises DatasetError with every problem."""

    def __init__(self, documents: list[_Document]) -> None:
        self.documents = documents
        self.errors = [error for document in documents for error in document.errors]
        self.notes: list[str] = []
        self.sources: dict[SourceKey, dict[str, Any]] = {}
        self.source_first_seen: dict[SourceKey, str] = {}
        self.extras: dict[str, dict[str, Any]] = {}
        self.substances = dict(Substance.objects.values_list("slug", "id"))
        records = [fields for d in documents for _, fields in d.records + d.extras]
        ocd_ids = {ocd_id for fields in records for ocd_id in _ocd_ids_in(fields)}
        found = find_jurisdictions(ocd_ids)
        self.known = {o: (j.pk, j.level) for o, j in found.items() if j.ocd_id == o}
        self.aliases = {o: (j.pk, j.level, j.ocd_id) for o, j in found.items() if j.ocd_id != o}

    def error(self, path: str, line: int | None, message: str) -> None:
        self.errors.append(RecordError(path, line, message))

    def plan(self) -> _Plan:
        for document in self.documents:
            for line, fields in document.extras:
                self.check_extra(document.path, line, fields)
        entries = []
        for document in self.documents:
            gathered_on = self.day(document.path, document.gathered_on, "gathered_on")
            for line, fields in document.records:
                if entry := self.check_record(document.path, line, fields, gathered_on):
                    entries.append(entry)
        self.check_overlaps(entries)
        if self.errors:
            raise DatasetError(self.errors)
        # History's change reason holds 100 characters: the file names, not their folders.
        reason = "Loaded from " + ", ".join(Path(d.path).name for d in self.documents)
        return _Plan(self.extras, self.sources, entries, self.notes, reason[:100])

    def check_extra(self, path: str, line: int, fields: dict[str, _Field]) -> None:
        """A jurisdiction the OCD lists lack, to create unless the geography has it by now."""
        for key in fields.keys() - _EXTRA_KEYS:
            self.error(path, fields[key].line, f"unknown key {key!r} in an extra jurisdiction")
        values = {key: f.value for key, f in fields.items()}
        ocd_id, name, level = values.get("ocd_id"), values.get("name"), values.get("level")
        if not ocd_id or not name or level not in Jurisdiction.Level.values:
            self.error(path, line, "an extra jurisdiction needs an ocd_id, a name and a level")
        elif ocd_id not in self.known:
            values["counties"] = values.get("counties") or []
            if missing := [
                o for o in [values.get("parent"), *values["counties"]] if o not in self.known
            ]:
                self.error(path, line, f"{ocd_id}: unknown parent or county {missing}")
                return
            self.extras[ocd_id] = values
            self.known[ocd_id] = (None, level)
            self.notes.append(f"{path}:{line}: adds {name} ({ocd_id}), not in the OCD lists")

    def check_record(
        self, path: str, line: int, fields: dict[str, _Field], gathered_on: date | None
    ) -> _Entry | None:
        errors_before = len(self.errors)
        for key in fields.keys() - _REQUIRED - _OPTIONAL:
            self.error(path, fields[key].line, f"unknown key {key!r}")
        for key in sorted(_REQUIRED - fields.keys()):
            self.error(path, line, f"missing {key!r}")
        label = _label(fields)
        jurisdiction = self.jurisdiction(path, fields.get("jurisdiction"))
        substance_id = self.substance(path, fields.get("substance"))
        values = self.entry_values(path, fields, jurisdiction)
        source_keys, published = self.check_sources(path, fields.get("sources"), label)
        if len(self.errors) > errors_before or not jurisdiction or not substance_id:
            return None
        if not published and gathered_on is None:
            self.error(path, line, f"{label}: no source is dated and the file has no gathered_on")
            return None
        low = fields["confidence"].value == "low"
        values |= {
            "last_verified_at": max(published, default=gathered_on),
            "unverified": low,
            "is_published": True,  # it has at least one source: checked above
        }
        notes = ([fields["confidence_reason"].value] if low else []) + (
            [] if published else [UNDATED_NOTE]
        )
        try:  # the model's own field rules (lengths, blanks), as the admin would apply them
            LegalStatus(**values).clean_fields(exclude=["jurisdiction", "substance"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.error(path, line, f"{name}: {' '.join(messages)}")
            return None
        return _Entry(
            path=path,
            line=line,
            label=label,
            jurisdiction=jurisdiction[0],
            substance_id=substance_id,
            effective_from=values.pop("effective_from"),
            values=values,
            source_keys=source_keys,
            flag_note="\n\n".join(notes),
        )

    def jurisdiction(self, path: str, f: _Field | None) -> tuple[int | str, str] | None:
        """(id, or the OCD id of an extra still to create; level): by OCD id, alias, then name."""
        facts = f.value if f and isinstance(f.value, dict) else {}
        if f is None or not isinstance(facts.get("ocd_id"), str):
            if f is not None:
                self.error(path, f.line, "jurisdiction: needs an ocd_id")
            return None
        for key in facts.keys() - _JURISDICTION_KEYS:
            self.error(path, f.line, f"jurisdiction: unknown key {key!r}")
        ocd_id = facts["ocd_id"]
        if ocd_id in self.known:
            pk, level = self.known[ocd_id]
            return (ocd_id if pk is None else pk), level
        if ocd_id in self.aliases:
            pk, level, canonical = self.aliases[ocd_id]
            self.notes.append(f"{path}:{f.line}: {ocd_id} matched by its OCD alias: {canonical}")
            return pk, level
        if match := _match_by_name(facts):
            self.notes.append(f"{path}:{f.line}: {ocd_id} matched by name and state: {match[2]}")
            return match[0], match[1]
        where = ", ".join(str(facts[k]) for k in ("name", "state", "country") if facts.get(k))
        message = f"unknown jurisdiction {ocd_id} ({where}): no jurisdiction has this OCD id, "
        self.error(
            path, f.line, message + "an OCD alias of it, or this name and level in this state"
        )
        return None

    def substance(self, path: str, f: _Field | None) -> int | None:
        if f is not None and f.value not in self.substances:
            self.error(path, f.line, describe_unknown_substance(f.value, self.substances))
        return self.substances.get(f.value) if f else None

    def entry_values(
        self, path: str, fields: dict[str, _Field], jurisdiction: tuple | None
    ) -> dict[str, Any]:
        """The entry's own fields, checked; its end converted to the model's half-open period."""
        value = {key: f.value for key, f in fields.items()}.get
        checked = check_entry_fields(
            {key: fields[key].value for key in ENTRY_FIELDS if key in fields},
            level=jurisdiction[1] if jurisdiction else None,
        )
        for key, message in checked.problems:
            self.error(path, fields[key].line, message)
        if "confidence" in fields and value("confidence") not in _CONFIDENCES:
            self.error(path, fields["confidence"].line, f"bad confidence {value('confidence')!r}")
        reason = value("confidence_reason")
        if "confidence_reason" in fields and not (isinstance(reason, str) and reason.strip()):
            self.error(
                path, fields["confidence_reason"].line, "confidence_reason must be some text"
            )
        notes = f"\n\n{value('notes')}" if value("notes") else ""
        return checked.values | {
            "internal_notes": f"Confidence: {value('confidence')}. {reason}" + notes,
        }

    def day(self, path: str, f: _Field | None, name: str) -> date | None:
        if f is None or f.value is None:
            return None
        value = parse_day(f.value)
        if value is None:
            self.error(path, f.line, f"bad date in {name}: {f.value!r} (expected YYYY-MM-DD)")
        return value

    def check_sources(
        self, path: str, f: _Field | None, label: str
    ) -> tuple[list[SourceKey], list[date]]:
        """The record's source keys, and the publication dates that make last_verified_at."""
        if f is not None and (not isinstance(f.node, yaml.SequenceNode) or not f.node.value):
            self.error(path, f.line, f"{label}: no source; every entry needs at least one")
        if f is None or not isinstance(f.node, yaml.SequenceNode):
            return [], []
        keys, published = [], []
        for node in f.node.value:
            if checked := self.source(path, _line(node), _plain(node)):
                keys.append(checked[0])
                published += [checked[1]] if checked[1] else []
        return keys, published

    def source(self, path: str, line: int, source: Any) -> tuple[SourceKey, date | None] | None:
        if not isinstance(source, dict):
            self.error(path, line, "this source is not a mapping")
            return None
        for key in source.keys() - _SOURCE_KEYS:
            self.error(path, line, f"unknown key {key!r} in a source")
        if (published := parse_published(source.get("published"))) is None:
            self.error(path, line, f"bad published date {source.get('published')!r}")
            return None
        values = {key: source.get(key) or "" for key in ("url", "title", "publisher", "citation")}
        values |= {"kind": source.get("kind"), "published_on": published[0]}
        values["published_precision"] = published[1]
        if not values["url"] and not values["citation"]:
            self.error(path, line, "a source needs a url or a citation")
            return None
        try:  # the model's rules: a valid URL, a known kind, a title, lengths
            Source(**values).clean_fields()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.error(path, line, f"source {name}: {' '.join(messages)}")
            return None
        key = (values["url"], values["citation"], values["title"])
        if self.sources.setdefault(key, values) != values:
            first = self.source_first_seen[key]
            self.error(path, line, f"this source is given with other details at {first}")
        self.source_first_seen.setdefault(key, f"{path}:{line}")
        return key, published[0]

    def check_overlaps(self, entries: list[_Entry]) -> None:
        """No two periods of one jurisdiction and substance meet, in the files or the database."""
        groups: dict[tuple[int | str, int], list[_Entry]] = defaultdict(list)
        for entry in entries:
            groups[entry.jurisdiction, entry.substance_id].append(entry)
        for group in groups.values():
            for i, later in enumerate(group):
                for earlier in group[:i]:
                    where = f"{earlier.path}:{earlier.line}"
                    if earlier.effective_from == later.effective_from:
                        message = f"the same jurisdiction, substance and start as {where}"
                    elif _overlap(earlier.period, later.period):
                        message = f"its period overlaps the one at {where}"
                    else:
                        continue
                    self.error(later.path, later.line, f"{later.label}: {message}")
        stored = LegalStatus.objects.filter(
            jurisdiction_id__in=[j for j, _ in groups if isinstance(j, int)]  # not extras to add
        ).values_list("pk", "jurisdiction_id", "substance_id", "effective_from", "effective_until")
        for pk, jurisdiction_id, substance_id, start, end in stored:
            group = groups[jurisdiction_id, substance_id]
            if any(entry.effective_from == start for entry in group):
                continue  # this record is that entry: it is updated, not kept beside it
            for entry in [entry for entry in group if _overlap((start, end), entry.period)]:
                until = end - timedelta(days=1) if end else "today"
                stored_period = f"{start or 'an unknown start'} to {until}"
                message = f"its period overlaps the stored entry #{pk} ({stored_period})"
                self.error(entry.path, entry.line, f"{entry.label}: {message}")


def _ocd_ids_in(fields: dict[str, _Field]) -> list[str]:
    """Every OCD id a record or an extra jurisdiction names, to look them all up at once."""
    values = [fields[key].value for key in ("ocd_id", "parent") if key in fields]
    if "counties" in fields and isinstance(fields["counties"].value, list):
        values += fields["counties"].value
    if "jurisdiction" in fields and isinstance(fields["jurisdiction"].value, dict):
        values.append(fields["jurisdiction"].value.get("ocd_id"))
    return [value for value in values if isinstance(value, str)]


def _match_by_name(facts: dict[str, Any]) -> tuple[int, str, str] | None:
    """(id, level, OCD id) of the one jurisdiction with this name, level, country and state."""
    name, level, country = facts.get("name"), facts.get("level"), facts.get("country")
    if not name or not level or not country:
        return None
    matches = Jurisdiction.objects.filter(
        search_name=normalize_name(name), level=level, country_code=country
    )
    if state := facts.get("state"):
        # The reference writes a US state as its postal code (CA), others in ISO (AU-NSW).
        code = state if "-" in state else f"{country}-{state}"
        if level == Jurisdiction.Level.STATE:
            matches = matches.filter(iso_code=code)
        else:
            matches = matches.filter(parent__iso_code=code)
    found = list(matches.values_list("id", "level", "ocd_id")[:2])
    return found[0] if len(found) == 1 else None


def _label(fields: dict[str, _Field]) -> str:
    facts = fields["jurisdiction"].value if "jurisdiction" in fields else {}
    place = (facts.get("name") or facts.get("ocd_id")) if isinstance(facts, dict) else None
    substance = fields["substance"].value if "substance" in fields else None
    return f"{substance or '?'} in {place or '?'}"


def _overlap(a: Period, b: Period) -> bool:
    """Half-open periods overlap when each starts before the other ends."""
    return (a[0] is None or b[1] is None or a[0] < b[1]) and (
        b[0] is None or a[1] is None or b[0] < a[1]
    )


# Writing, in the caller's transaction: upserts on natural keys, with history.


def _write(plan: _Plan) -> LoadResult:
    extra_ids = _create_extras(plan)
    source_ids, sources_created, sources_updated = _upsert_sources(plan)
    entry_ids, created, updated = _upsert_entries(plan, extra_ids, source_ids)
    return LoadResult(
        created=created,
        updated=updated,
        unchanged=len(plan.entries) - created - updated,
        sources_created=sources_created,
        sources_updated=sources_updated,
        flags_created=_raise_flags(plan, entry_ids),
        jurisdictions_created=len(extra_ids),
        notes=tuple(plan.notes),
    )


def _create_extras(plan: _Plan) -> dict[str, int]:
    """Jurisdictions the OCD lists lack (a town incorporated after them), ids by OCD id."""
    wanted = {o for values in plan.extras.values() for o in [values["parent"], *values["counties"]]}
    ids = dict(Jurisdiction.objects.filter(ocd_id__in=wanted).values_list("ocd_id", "id"))
    for ocd_id, values in plan.extras.items():
        jurisdiction = Jurisdiction(
            ocd_id=ocd_id,
            name=values["name"],
            search_name=normalize_name(values["name"]),
            level=values["level"],
            division_type=values.get("division_type") or values["level"],
            parent_id=ids[values["parent"]],
            country_code=values.get("country_code") or "",
            is_incorporated=values.get("is_incorporated"),
            is_official_ocd_id=values.get("is_official_ocd_id", True),
        )
        jurisdiction._change_reason = plan.history_reason
        jurisdiction.save()
        jurisdiction.counties.set([ids[county] for county in values["counties"]])
        ids[ocd_id] = jurisdiction.pk
    return {ocd_id: ids[ocd_id] for ocd_id in plan.extras}


def _upsert_sources(plan: _Plan) -> tuple[dict[SourceKey, int], int, int]:
    """Source ids by (url, citation, title): stored ones brought up to date, missing ones added."""
    urls = {url for url, _, _ in plan.sources}
    citations = {citation for url, citation, _ in plan.sources if not url}
    stored = Source.objects.filter(Q(url__in=urls) | Q(url="", citation__in=citations))
    by_key: dict[SourceKey, Source] = {}
    for source in stored.order_by("pk"):
        by_key.setdefault((source.url, source.citation, source.title), source)
    changed = []
    for key, source in by_key.items():
        wanted = plan.sources.get(key)
        if wanted and any(getattr(source, name) != wanted[name] for name in _SOURCE_FIELDS):
            for name in _SOURCE_FIELDS:
                setattr(source, name, wanted[name])
            changed.append(source)
    reason = plan.history_reason
    bulk_update_with_history(changed, Source, _SOURCE_FIELDS, default_change_reason=reason)
    new = [Source(**values) for key, values in plan.sources.items() if key not in by_key]
    for source in bulk_create_with_history(new, Source, default_change_reason=reason):
        by_key[source.url, source.citation, source.title] = source
    return {key: by_key[key].pk for key in plan.sources}, len(new), len(changed)


def _upsert_entries(
    plan: _Plan, extra_ids: dict[str, int], source_ids: dict[SourceKey, int]
) -> tuple[list[int], int, int]:
    """Entry ids in plan order. Saved one by one: history then records them with their sources."""
    for entry in plan.entries:
        if isinstance(entry.jurisdiction, str):
            entry.jurisdiction = extra_ids[entry.jurisdiction]
    stored = LegalStatus.objects.filter(
        jurisdiction_id__in={entry.jurisdiction for entry in plan.entries}
    ).prefetch_related("sources")
    by_key = {(s.jurisdiction_id, s.substance_id, s.effective_from): s for s in stored}
    ids, created, updated = [], 0, 0
    for entry in plan.entries:
        wanted_sources = {source_ids[key] for key in entry.source_keys}
        status = by_key.get((entry.jurisdiction, entry.substance_id, entry.effective_from))
        if status is None:
            status = LegalStatus(
                jurisdiction_id=entry.jurisdiction,
                substance_id=entry.substance_id,
                effective_from=entry.effective_from,
            )
            created += 1
        elif all(getattr(status, k) == v for k, v in entry.values.items()) and wanted_sources == {
            source.pk for source in status.sources.all()
        }:
            ids.append(status.pk)
            continue
        else:
            updated += 1
        for name, value in entry.values.items():
            setattr(status, name, value)
        status._change_reason = plan.history_reason
        status.save()
        status.sources.set(wanted_sources)  # history records the new set (m2m_fields)
        ids.append(status.pk)
    return ids, created, updated


def _raise_flags(plan: _Plan, entry_ids: list[int]) -> int:
    """A `manual` review flag where a record asks for one and none was raised before."""
    notes = zip(entry_ids, [entry.flag_note for entry in plan.entries], strict=True)
    wanted = {pk: note for pk, note in notes if note}
    raised = ReviewFlag.objects.filter(legal_status_id__in=wanted, reason=ReviewFlag.Reason.MANUAL)
    # Not beside an open manual flag (one per reason), nor again once a curator resolved it.
    skip = {
        pk
        for pk, note, resolved_at in raised.values_list("legal_status_id", "note", "resolved_at")
        if resolved_at is None or note == wanted[pk]
    }
    flags = [
        ReviewFlag(legal_status_id=pk, reason=ReviewFlag.Reason.MANUAL, note=note)
        for pk, note in wanted.items()
        if pk not in skip
    ]
    bulk_create_with_history(flags, ReviewFlag, default_change_reason=plan.history_reason)
    return len(flags)
