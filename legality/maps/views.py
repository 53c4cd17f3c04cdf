"""Map pages: the United States, one state by county, the world. Server-rendered SVG, no script.

Each view parses `substance` and `as_of`, asks `rendering` for the cached map and renders the
page around it; bad input answers 400 with the reason, an unknown state 404.
"""

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from legality.models import Jurisdiction, Substance
from legality.resolution import KRATOM, UnknownSubstance

from .rendering import render_state_map, render_us_map, render_world_map


class MapQueryForm(forms.Form):
    """What a map page accepts in its query string."""

    substance = forms.SlugField(required=False, max_length=20)
    as_of = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Give the date as YYYY-MM-DD, for example 2020-06-01."},
    )


def us_map(request: HttpRequest) -> HttpResponse:
    states = Jurisdiction.objects.us_states().order_by("name").only("name", "iso_code", "level")
    return _map_page(
        request,
        lambda substance, on: render_us_map(substance=substance, on=on),
        heading="The United States",
        extra={"states": states},
    )


def state_map(request: HttpRequest, postal_code: str) -> HttpResponse:
    state = (
        Jurisdiction.objects.us_states().filter(iso_code=f"US-{postal_code.upper()}").first()
        if len(postal_code) == 2
        else None
    )
    if state is None:
        reason = f"“{postal_code}” is not the postal code of a US state, DC or territory."
        return render(request, "404.html", {"exception": reason}, status=404)
    return _map_page(
        request,
        lambda substance, on: render_state_map(state, substance=substance, on=on),
        heading=f"{state.name} by county",
        extra={"state": state},
    )


def world_map(request: HttpRequest) -> HttpResponse:
    return _map_page(
        request,
        lambda substance, on: render_world_map(substance=substance, on=on),
        heading="The world by country",
    )


def _map_page(request: HttpRequest, render_map, *, heading: str, extra=None) -> HttpResponse:
    form = MapQueryForm(request.GET)
    if not form.is_valid():
        reason = " ".join(message for errors in form.errors.values() for message in errors)
        return _bad_request(request, reason)
    today = timezone.localdate()
    as_of: datetime.date = form.cleaned_data["as_of"] or today
    slug = form.cleaned_data["substance"] or KRATOM
    try:
        map_html = render_map(slug, as_of)
    except UnknownSubstance as error:
        return _bad_request(request, str(error))
    substances = Substance.objects.order_by("id").only("slug", "name")
    return render(
        request,
        "legality/maps/page.html",
        {
            "heading": heading,
            "map": map_html,
            "substances": substances,
            "substance": next((s for s in substances if s.slug == slug), None),
            "as_of": as_of,
            "is_today": as_of == today,
            **(extra or {}),
        },
    )


def _bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "legality/bad_request.html", {"reason": reason}, status=400)
