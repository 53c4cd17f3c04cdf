"""Checking: every record against the rules and the database, collecting every error.

check_documents() turns the documents read from the seed files into a write plan, or raises
DatasetError listing every problem with its file and line. It only reads the database.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from legality.activities import ACTIVITIES, contradictions, doubts, field_name
from legality.geography import normalize_name
from legality.models import Jurisdiction, LegalStatus, Source, Substance

from . import activities
from .checks import (
    ENTRY_FIELDS,
    check_entry_fields,
    describe_unknown_substance,
    find_jurisdictions,
    parse_day,
    parse_published,
)
from .errors import DatasetError, RecordError
from .merging import last_loaded
from .reading import Document, Field, line_of, plain_value

UNDATED_NOTE = (
    "None of this entry's sources is dated, so its last-verified date is the day the seed data "
    "was gathered. Confirm it against a dated source."
)

# The keys a file may hold, by place in the file.
_REQUIRED = set(
    "jurisdiction substance status summary confidence confidence_reason sources".split()
)
_OPTIONAL = set(
    "minimum_age applies_to effective_from effective_from_precision effective_until notes "
    "previous_effective_from activities_note".split()
) | set(activities.KEYS)
_JURISDICTION_KEYS = set("ocd_id name level country state county".split())
_SOURCE_KEYS = set("url title publisher kind citation published".split())
_EXTRA_KEYS = set(
    "ocd_id name level division_type parent counties country_code is_incorporated "
    "is_official_ocd_id note".split()
)
_CONFIDENCES = ("high", "medium", "low")

SourceKey = tuple[str, str, str]  # (url, citation, title)
Period = tuple[date | None, date | None]  # half-open [start, end); None is open on that side


@dataclass
class PlannedEntry:
    """A checked record: the entry to upsert, where it was written, and its review note."""

    path: str
    line: int
    label: str  # "kratom in Alabama", for messages
    jurisdiction: int | str  # an id, or the OCD id of an extra jurisdiction still to create
    substance_id: int
    effective_from: date | None
    values: dict[str, Any]  # every other field the record sets
    source_keys: list[SourceKey]
    flag_notes: tuple[str, ...]  # each a reason for a `manual` review flag; () when none
    # A corrected start: the stored entry to correct is the one with this start (None: unknown).
    corrects_start: bool = False
    previous_effective_from: date | None = None

    @property
    def period(self) -> Period:
        return self.effective_from, self.values["effective_until"]


@dataclass
class Plan:
    """Everything a load writes, checked: extra jurisdictions, sources and entries."""

    extras: dict[str, dict[str, Any]]
    sources: dict[SourceKey, dict[str, Any]]
    entries: list[PlannedEntry]
    notes: list[str]
    history_reason: str
    # Shipped codings that disagree with their status word: loaded, flagged and reported.
    warnings: list[RecordError]


def check_documents(documents: list[Document]) -> Plan:
    """The write plan for these documents; raises DatasetError listing every problem."""
    return _Checker(documents).plan()


class _Checker:
    """Turns the documents into a write plan, or raises DatasetError with every problem."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.errors = [error for document in documents for error in document.errors]
        self.notes: list[str] = []
        self.warnings: list[RecordError] = []
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

    def plan(self) -> Plan:
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
        return Plan(self.extras, self.sources, entries, self.notes, reason[:100], self.warnings)

    def check_extra(self, path: str, line: int, fields: dict[str, Field]) -> None:
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
        self, path: str, line: int, fields: dict[str, Field], gathered_on: date | None
    ) -> PlannedEntry | None:
        errors_before = len(self.errors)
        for key in fields.keys() - _REQUIRED - _OPTIONAL:
            self.error(path, fields[key].line, f"unknown key {key!r}")
        for key in sorted(_REQUIRED - fields.keys()):
            self.error(path, line, f"missing {key!r}")
        label = _label(fields)
        jurisdiction = self.jurisdiction(path, fields.get("jurisdiction"))
        substance_id = self.substance(path, fields.get("substance"))
        values = self.entry_values(path, fields, jurisdiction)
        coding, problems = activities.activity_values(fields)
        for problem_line, message in problems:
            self.error(path, problem_line, message)
        values |= coding
        previous = self.previous_start(path, fields)
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
        notes += self.coding_warnings(path, fields, values, label)
        try:  # the model's own field rules (lengths, blanks), as the admin would apply them
            LegalStatus(**values).clean_fields(exclude=["jurisdiction", "substance"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.error(path, line, f"{name}: {' '.join(messages)}")
            return None
        return PlannedEntry(
            path=path,
            line=line,
            label=label,
            jurisdiction=jurisdiction[0],
            substance_id=substance_id,
            effective_from=values.pop("effective_from"),
            values=values,
            source_keys=source_keys,
            flag_notes=tuple(notes),
            corrects_start="previous_effective_from" in fields,
            previous_effective_from=previous,
        )

    def previous_start(self, path: str, fields: dict[str, Field]) -> date | None:
        """The start a corrected record was shipped with (None: unknown, or no correction)."""
        if "previous_effective_from" not in fields:
            return None
        return self.day(path, fields["previous_effective_from"], "previous_effective_from")

    def coding_warnings(
        self, path: str, fields: dict[str, Field], values: dict[str, Any], label: str
    ) -> list[str]:
        """Review notes for a coding that disagrees with the status word, each also a warning
        at the line of the record's activities."""
        rules = {activity: values[field_name(activity)] for activity in ACTIVITIES}
        found = contradictions(
            status=values["status"], minimum_age=values["minimum_age"], rules=rules
        ) + doubts(status=values["status"], rules=rules)
        line = fields["activities"].line if "activities" in fields else fields["status"].line
        self.warnings += [RecordError(path, line, f"{label}: {problem}") for problem in found]
        return [f"The seed data's activities disagree with its status: {p}." for p in found]

    def jurisdiction(self, path: str, f: Field | None) -> tuple[int | str, str] | None:
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

    def substance(self, path: str, f: Field | None) -> int | None:
        if f is not None and f.value not in self.substances:
            self.error(path, f.line, describe_unknown_substance(f.value, self.substances))
        return self.substances.get(f.value) if f else None

    def entry_values(
        self, path: str, fields: dict[str, Field], jurisdiction: tuple | None
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
        notes = "".join(f"\n\n{value(key)}" for key in ("notes", "activities_note") if value(key))
        return checked.values | {
            "internal_notes": f"Confidence: {value('confidence')}. {reason}" + notes,
        }

    def day(self, path: str, f: Field | None, name: str) -> date | None:
        if f is None or f.value is None:
            return None
        value = parse_day(f.value)
        if value is None:
            self.error(path, f.line, f"bad date in {name}: {f.value!r} (expected YYYY-MM-DD)")
        return value

    def check_sources(
        self, path: str, f: Field | None, label: str
    ) -> tuple[list[SourceKey], list[date]]:
        """The record's source keys, and the publication dates that make last_verified_at."""
        if f is not None and (not isinstance(f.node, yaml.SequenceNode) or not f.node.value):
            self.error(path, f.line, f"{label}: no source; every entry needs at least one")
        if f is None or not isinstance(f.node, yaml.SequenceNode):
            return [], []
        keys, published = [], []
        for node in f.node.value:
            if checked := self.source(path, line_of(node), plain_value(node)):
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

    def check_overlaps(self, entries: list[PlannedEntry]) -> None:
        """No two periods of one jurisdiction and substance meet, in the files or the database."""
        groups: dict[tuple[int | str, int], list[PlannedEntry]] = defaultdict(list)
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
        stored = list(
            LegalStatus.objects.filter(
                jurisdiction_id__in=[j for j, _ in groups if isinstance(j, int)]  # not extras
            ).values_list(
                "pk", "jurisdiction_id", "substance_id", "effective_from", "effective_until"
            )
        )
        # A record names a stored entry by its start, or by the start the newest load wrote
        # (a curator may have moved it since; the file still says the old one).
        loaded = last_loaded([row[0] for row in stored])
        for pk, jurisdiction_id, substance_id, start, end in stored:
            group = groups[jurisdiction_id, substance_id]
            starts = {start, loaded[pk]["effective_from"]} if pk in loaded else {start}
            if any(
                entry.effective_from in starts
                or (entry.corrects_start and entry.previous_effective_from in starts)
                for entry in group
            ):
                continue  # this record is that entry: it is updated, not kept beside it
            for entry in [entry for entry in group if _overlap((start, end), entry.period)]:
                until = end - timedelta(days=1) if end else "today"
                stored_period = f"{start or 'an unknown start'} to {until}"
                message = f"its period overlaps the stored entry #{pk} ({stored_period})"
                self.error(entry.path, entry.line, f"{entry.label}: {message}")


def _ocd_ids_in(fields: dict[str, Field]) -> list[str]:
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


def _label(fields: dict[str, Field]) -> str:
    facts = fields["jurisdiction"].value if "jurisdiction" in fields else {}
    place = (facts.get("name") or facts.get("ocd_id")) if isinstance(facts, dict) else None
    substance = fields["substance"].value if "substance" in fields else None
    return f"{substance or '?'} in {place or '?'}"


def _overlap(a: Period, b: Period) -> bool:
    """Half-open periods overlap when each starts before the other ends."""
    return (a[0] is None or b[1] is None or a[0] < b[1]) and (
        b[0] is None or a[1] is None or b[0] < a[1]
    )
