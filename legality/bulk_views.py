"""The bulk check page: paste ZIP codes, places or OCD ids (or upload a CSV), see a table.

The form posts (a list of 1,000 items does not belong in a URL) and is CSRF-exempt: it reads
and changes nothing, so a forged post gains nothing, and the page stays cookie-free like the
others. The same post with the download button answers the CSV the API gives.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from legality.bulk import (
    MAX_ITEMS,
    TooManyItems,
    UnreadableCSV,
    lookup_many,
    read_csv_queries,
    read_pasted_queries,
    write_csv,
)
from legality.resolution import KRATOM, SEVEN_OH

MAX_UPLOAD_BYTES = 1_000_000  # 1,000 rows of a shipper's export fit in far less


class BulkCheckForm(forms.Form):
    items = forms.CharField(
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        label="ZIP codes, places or OCD ids",
        help_text=f"One per line (ZIP codes may also be separated by commas or spaces); "
        f"at most {MAX_ITEMS:,}.",
    )
    file = forms.FileField(
        required=False,
        label="Or a CSV file",
        help_text="Its column named zip, zip_code, query or ocd_id is read, else its first column.",
    )
    substance = forms.ChoiceField(
        required=False,
        choices=[("", "Kratom and 7-OH"), (KRATOM, "Kratom only"), (SEVEN_OH, "7-OH only")],
    )
    as_of = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label="On (YYYY-MM-DD, default today)",
        error_messages={"invalid": "Give the date as YYYY-MM-DD, for example 2026-07-01."},
    )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("The file is larger than 1 MB.")
            text = upload.read().decode("utf-8-sig", errors="replace")
            try:
                data["queries"] = read_csv_queries(text)
            except UnreadableCSV as error:
                raise forms.ValidationError(str(error)) from None
            # The table's download button posts the list again, from the text box.
            self.data = self.data.copy()
            self.data["items"] = "\n".join(data["queries"])
        else:
            data["queries"] = read_pasted_queries(data.get("items", ""))
        if not data["queries"] and not self.errors:
            raise forms.ValidationError("Paste at least one ZIP code or place, or choose a file.")
        if len(data["queries"]) > MAX_ITEMS:
            raise forms.ValidationError(str(TooManyItems(len(data["queries"]))))
        return data


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def bulk_check(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "legality/bulk_check.html", {"form": BulkCheckForm()})
    form = BulkCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "legality/bulk_check.html", {"form": form}, status=400)
    params = form.cleaned_data
    on = params["as_of"] or timezone.localdate()
    substances = [params["substance"]] if params["substance"] else None
    items = lookup_many(params["queries"], on=on, substances=substances)
    if request.POST.get("download") == "csv":
        response = HttpResponse(write_csv(items), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kratom-bulk-check.csv"'
        return response
    context = {
        "form": form,
        "items": items,
        "on": on,
        "substances": [KRATOM, SEVEN_OH] if substances is None else substances,
        "errors": sum(item.error is not None for item in items),
    }
    return render(request, "legality/bulk_check.html", context)
