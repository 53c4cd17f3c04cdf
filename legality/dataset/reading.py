"""Reading the seed files. YAML nodes keep their line numbers, so every error can say where
it is."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import RecordError


@dataclass(frozen=True)
class Field:
    """A value of a mapping in a file, with the line it is on and its YAML node."""

    value: Any  # plain Python; dates stay the strings they were written as
    line: int
    node: yaml.Node


@dataclass
class Document:
    """One file's extra jurisdictions and records, and what is wrong with its shape."""

    path: str
    errors: list[RecordError] = field(default_factory=list)
    gathered_on: Field | None = None
    extras: list[tuple[int, dict[str, Field]]] = field(default_factory=list)
    records: list[tuple[int, dict[str, Field]]] = field(default_factory=list)

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(RecordError(self.path, line, message))


def line_of(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_mark.line + 1


def plain_value(node: yaml.Node) -> Any:
    """A node as plain Python: dicts, lists, None, bools, numbers; other scalars as written."""
    if isinstance(node, yaml.MappingNode):
        return {key.value: plain_value(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain_value(item) for item in node.value]
    if node.tag.endswith((":null", ":bool", ":int", ":float")):
        return yaml.constructor.SafeConstructor().construct_object(node)
    return node.value  # strings, and dates as written: each is checked where it is used


def _fields(document: Document, node: yaml.Node, what: str) -> dict[str, Field] | None:
    """A mapping's values by key, each with its line; None (and an error) if not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        document.error(line_of(node), f"this {what} is not a mapping")
        return None
    fields: dict[str, Field] = {}
    for key, value in node.value:
        if key.value in fields:
            document.error(line_of(key), f"{key.value!r} appears twice in this {what}")
        fields[key.value] = Field(plain_value(value), line_of(value), value)
    return fields


def read_document(path: Path) -> Document:
    """The file at `path` as records that keep their lines; problems of shape are its errors.

    A file that cannot be read, is not YAML or has no `entries` has those errors and no records.
    """
    relative = os.path.relpath(path)
    document = Document(relative if not relative.startswith("..") else str(path))
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
            document.error(line_of(node), f"{key} is not a list")
            continue
        for item in node.value:
            if (fields := _fields(document, item, "record")) is not None:
                items.append((line_of(item), fields))
    return document
