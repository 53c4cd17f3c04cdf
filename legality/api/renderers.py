"""The API's CSV: djangorestframework-csv's paginated renderer, with formula cells neutralised."""

from rest_framework_csv.renderers import PaginatedCSVRenderer

from legality.exports import spreadsheet_safe


class SpreadsheetSafeCSVRenderer(PaginatedCSVRenderer):
    """Each page's results as CSV; a cell a spreadsheet would run as a formula starts with '."""

    def tablize(self, data, header=None, labels=None):
        for row in super().tablize(data, header=header, labels=labels):
            yield [spreadsheet_safe(cell) for cell in row]
