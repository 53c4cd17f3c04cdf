"""CSV import and export in the admin (django-import-export), on the curators' terms.

Upload, then a preview of what would change (a dry run in a transaction that is rolled back),
then "Confirm import". A file with any bad row shows every row's problems and writes nothing,
at the preview and again at the confirmation (the data may have changed in between). The rows'
rules live in legality.admin.resources.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV


class CsvImportExportMixin(ImportExportMixin):
    """Import and export as CSV for users who may add and change (import) or view (export)."""

    import_formats = [CSV]
    export_formats = [CSV]
    import_template_name = "admin/legality/import.html"
    import_help = ""  # what the columns hold, shown above the upload form

    def has_import_permission(self, request: HttpRequest) -> bool:
        # An import adds and changes rows. import-export's own check allows any staff user
        # unless IMPORT_EXPORT_IMPORT_PERMISSION_CODE is set; the model's permissions say more.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs) -> dict:
        # At the confirmation, one bad row undoes the rows before it: all or nothing.
        return super().get_import_data_kwargs(**kwargs) | {"rollback_on_validation_errors": True}

    def get_import_context_data(self, **kwargs) -> dict:
        return super().get_import_context_data(**kwargs) | {"import_help": self.import_help}

    def process_result(self, result, request: HttpRequest) -> HttpResponse:
        if result.has_errors() or result.has_validation_errors():
            # The preview passed, so the data changed in between (another curator's save).
            self.message_user(
                request,
                "Nothing was imported: the file no longer passes the checks, because the data "
                "changed since the preview. Upload it again to see which rows fail.",
                messages.ERROR,
            )
            info = self.get_model_info()
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))
        return super().process_result(result, request)
