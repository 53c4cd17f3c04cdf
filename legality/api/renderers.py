"""The API's CSV: djangorestframework-csv's paginated renderer, with formula cells neutralised
and a header row even when a page has no results."""

from rest_framework import serializers
from rest_framework_csv.renderers import PaginatedCSVRenderer

from legality.exports import spreadsheet_safe


class SpreadsheetSafeCSVRenderer(PaginatedCSVRenderer):
    """Each page's results as CSV; a cell a spreadsheet would run as a formula starts with '."""

    def render(self, data, media_type=None, renderer_context=None, writer_opts=None):
        renderer_context = renderer_context or {}
        results = data.get(self.results_field, []) if isinstance(data, dict) else data
        view = renderer_context.get("view")
        if not results and view is not None and hasattr(view, "get_serializer"):
            # An empty body would go out without a Content-Type (DRF drops it): send the header.
            renderer_context = {**renderer_context, "header": _columns(view.get_serializer())}
        return super().render(data, media_type, renderer_context, writer_opts)

    def tablize(self, data, header=None, labels=None):
        for row in super().tablize(data, header=header, labels=labels):
            yield [spreadsheet_safe(cell) for cell in row]


def _columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The flattened column names of a serializer's rows, as the renderer names them."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += _columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns
