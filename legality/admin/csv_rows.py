"""How a CSV row maps to a model row, for the curators' imports (see legality.admin.resources).

CsvResource is django-import-export's ModelResource made strict: a misspelt column stops the
import, a row is matched by id or by a natural key, every problem of a row is reported by
column, a column the file leaves out keeps the stored value, and a row that changes nothing is
neither saved nor recorded in history.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from import_export import fields, resources, widgets
from import_export.results import Result

from legality.errors import TrackerError
from legality.exports import spreadsheet_safe, spreadsheet_text

Problems = defaultdict[str, list[str]]  # messages by column


class CsvWidget(widgets.Widget):
    """A value as the CSV writes it: empty for None, ISO dates, true or false."""

    def render(self, value: Any, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, date):
            return value.isoformat()
        return spreadsheet_safe(str(value))


def column(
    name: str, attribute: str = "", *, widget: widgets.Widget | None = None, readonly: bool = False
) -> fields.Field:
    """The column `name`, read from `attribute` (default: the same name), as the CSV writes it."""
    return fields.Field(
        attribute=attribute or name,
        column_name=name,
        widget=widget or CsvWidget(),
        readonly=readonly,
    )


def cell_text(value: Any) -> str:
    """A cell as stripped text ('' when empty)."""
    return "" if value is None else str(value).strip()


def same_text(stored: str, written: str) -> bool:
    # A browser sends a textarea's lines ending in CRLF; a CSV read back has plain LF.
    return stored.replace("\r\n", "\n") == written.replace("\r\n", "\n")


class CsvResource(resources.ModelResource):
    """Rows matched by id or natural key and checked in full before anything is saved.

    Subclasses load what the rows name (`load_known`), read a row's values into an instance
    (`read_row`), add checks of their own (`extra_problems`) and save (`save_instance`).
    """

    noun = "row"
    column_of: dict[str, str] = {}  # the column of a model field whose name differs
    compared_fields: tuple[str, ...] = ()  # an existing row is unchanged when all are equal

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.known_by_id: dict[int, Model] = {}
        self.claimed: dict[int, int] = {}  # id of a stored row -> the file's row updating it
        self.row_number = 0
        self.change_reason = ""

    def get_import_fields(self) -> list[fields.Field]:
        # Read-only columns are exported for reference and ignored on import.
        return [field for field in super().get_import_fields() if not field.readonly]

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ) -> Result:
        if problem := self.header_problem(list(dataset.headers or [])):
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            self.handle_import_error(result, TrackerError(problem), raise_errors)
            return result
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )

    def header_problem(self, headers: list[str]) -> str:
        """Why the header row cannot be read, or ''.

        A misspelt column would otherwise be left out of every row without a word.
        """
        columns = [field.column_name for field in self.get_export_fields()]
        unknown = [header for header in headers if header not in columns]
        twice = sorted({header for header in headers if headers.count(header) > 1})
        if unknown:
            return (
                f"Unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"
                f": the columns are {', '.join(columns)}. Nothing was imported."
            )
        if twice:
            return f"Columns given twice: {', '.join(twice)}. Nothing was imported."
        return ""

    def before_import(self, dataset, **kwargs) -> None:
        # History's change reason holds 100 characters.
        self.change_reason = f"Imported from {kwargs.get('file_name') or 'a CSV file'}"[:100]
        self.load_known(dataset.dict)

    def load_known(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def before_import_row(self, row, row_number=None, **kwargs) -> None:
        self.row_number = row_number or 0

    def get_instance(self, instance_loader, row) -> Model | None:
        written_id = cell_text(row.get("id"))
        if written_id:
            instance = self.known_by_id.get(int(written_id)) if written_id.isdigit() else None
            if instance is None:
                message = f"no {self.noun} has the id {written_id}: leave id empty to add one"
                raise ValidationError({"id": message})
        elif (instance := self.find_by_natural_key(row)) is None:
            return None
        first = self.claimed.setdefault(instance.pk, self.row_number)
        if first != self.row_number:
            raise ValidationError(
                f"row {first} already updates this {self.noun} (id {instance.pk})"
            )
        return instance

    def find_by_natural_key(self, row) -> Model | None:
        raise NotImplementedError

    def import_instance(self, instance: Model, row, **kwargs) -> None:
        # A column the file leaves out keeps the stored value: read that as the export writes it.
        stored = {field.column_name: field.export(instance) for field in self.get_import_fields()}
        written = {
            column: spreadsheet_text(
                ("" if row[column] is None else str(row[column])) if column in row else value
            )
            for column, value in stored.items()
        }
        problems: Problems = defaultdict(list)
        self.read_row(instance, written, problems)
        if errors := {column: messages for column, messages in problems.items() if messages}:
            raise ValidationError(errors)

    def read_row(self, instance: Model, written: dict[str, str], problems: Problems) -> None:
        """Check the row's values; set them on `instance` only if `problems` stays empty."""
        raise NotImplementedError

    def validate_instance(
        self, instance: Model, import_validation_errors=None, validate_unique=True
    ) -> None:
        # The row's own problems first: the model's checks would only repeat them, worse.
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        errors: dict[str, list[str]] = {}
        try:
            instance.full_clean(validate_unique=validate_unique)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(self.column_of.get(name, name), []).extend(messages)
        for column, message in self.extra_problems(instance):
            errors.setdefault(column, []).append(message)
        if errors:
            raise ValidationError(errors)

    def extra_problems(self, instance: Model) -> list[tuple[str, str]]:
        return []

    def skip_row(self, instance: Model, original: Model, row, import_validation_errors=None):
        """A stored row that the file repeats unchanged is left alone: no save, no history."""
        if import_validation_errors or original.pk is None:
            return False
        return all(
            getattr(instance, name) == getattr(original, name) for name in self.compared_fields
        ) and self.same_relations(original)

    def same_relations(self, original: Model) -> bool:
        return True

    def save_m2m(self, instance: Model, row, **kwargs) -> None:
        """Nothing: save_instance() writes a row with its relations."""
