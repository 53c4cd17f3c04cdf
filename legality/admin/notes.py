"""Admin actions that ask for a note first: one page, shared by the review queue and the entries.

The action runs twice: first without a note, when it returns this page; then the page posts the
action and the selection back with the note, and the action does its work.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))

    def __init__(self, *args, required: bool, help_text: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        self.fields["note"].help_text = help_text


def note_form(request: HttpRequest, *, required: bool, help_text: str) -> NoteForm:
    """The note form, bound once the note page has been submitted."""
    submitted = request.POST if "with_note" in request.POST else None
    return NoteForm(submitted, required=required, help_text=help_text)


def note_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    form: NoteForm,
    action: str,
    title: str,
    intro: str,
    submit: str,
    describe=str,
) -> TemplateResponse:
    """The page that asks for the note of `action` on the selected rows, each listed as
    `describe(row)` says."""
    rows = list(queryset)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "intro": intro,
        "items": [describe(row) for row in rows],
        "selected": [row.pk for row in rows],
        "action": action,
        "submit": submit,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/legality/action_with_note.html", context)
