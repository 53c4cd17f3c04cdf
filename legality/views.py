"""Public pages: each view parses the query, calls one domain function and renders.

Bad input answers 400 with the reason, an unknown place 404 with the helpful page. The words for
statuses, headlines and changes are legality.wording's; what a place's page shows is prepared by
legality.place_page.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from legality.badges import badge_svg
from legality.changes import status_changes
from legality.dates import format_date
from legality.gazetteer.attribution import PLACE_DATA_ATTRIBUTION, WORLD_NAMES_ATTRIBUTION
from legality.geography import (
    AmbiguousPlace,
    Candidate,
    UnknownPlace,
    city_abroad_in,
    describe_candidates,
    find_place,
)
from legality.input_limits import MAX_QUERY_LENGTH, validate_place_query
from legality.maps.rendering import render_us_map
from legality.models import Jurisdiction, Substance
from legality.overview import GlanceRow, overview, place_overview
from legality.place_page import (
    change_rows,
    full_place_name,
    jurisdiction_urls,
    place_notes,
    result_context,
    within_words,
)
from legality.resolution import (
    KRATOM,
    SubstanceRef,
    UnknownSubstance,
    resolve,
)
from legality.timelines import place_timelines
from legality.wording import (
    STATUS_WORDS,
    STATUSES,
    headline,
)

CHANGES_PER_PAGE = 50


class PageQueryForm(forms.Form):
    """What a jurisdiction page accepts in its query string."""

    as_of = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Give the date as YYYY-MM-DD, for example 2026-07-01."},
    )
    zip = forms.RegexField(
        r"^\d{5}$",
        required=False,
        error_messages={"invalid": "A ZIP code is five digits, for example 92101."},
    )
    also = forms.CharField(required=False, max_length=200)
    q = forms.CharField(required=False, max_length=200)  # what was searched: kept in the box
    city = forms.CharField(required=False, max_length=200)  # a city abroad searched: lies here


class ChangesQueryForm(forms.Form):
    """The filters of the changes page (the API's /api/v1/changes/ takes the same)."""

    within = forms.ChoiceField(required=False, label="State or country")
    substance = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False,
        label="New status",
        choices=[
            ("", "any"),
            *[(value, STATUS_WORDS[value]) for value in STATUSES],
            ("none", "rule ended"),
        ],
    )
    since = forms.DateField(
        required=False,
        label="From",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the dates as YYYY-MM-DD, for example 2026-07-01."},
    )
    until = forms.DateField(
        required=False,
        label="To",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the dates as YYYY-MM-DD, for example 2026-07-01."},
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Query: the US states and the countries, for the "State or country" list.
        places = Jurisdiction.objects.filter(
            Q(level=Jurisdiction.Level.COUNTRY)
            | Q(level=Jurisdiction.Level.STATE, country_code="US")
        ).order_by("-level", "name")
        self.fields["within"].choices = [
            ("", "anywhere"),
            *[(j.ocd_id, j.name) for j in places.only("ocd_id", "name", "level")],
        ]
        # Query: the substances.
        self.fields["substance"].choices = [
            ("", "both"),
            *Substance.objects.order_by("id").values_list("slug", "name"),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The “from” date comes after the “to” date.")
        return data


class SearchQueryForm(forms.Form):
    """What /search/ accepts: a place query of bounded length and parts."""

    q = forms.CharField(
        strip=True,
        validators=[validate_place_query],
        error_messages={"required": "Type a ZIP code, a city, a county, a state or a country."},
    )


# Views


def home(request: HttpRequest) -> HttpResponse:
    glance = overview(on=timezone.localdate())
    url = jurisdiction_urls()
    return render(
        request,
        "legality/home.html",
        {
            "overview": glance,
            "us_states": [_glance_row(row, on=glance.as_of) for row in glance.us_states],
            "countries": [
                _glance_row(row, on=glance.as_of) for row in glance.countries if row.is_known
            ],
            "unknown_countries": [row.jurisdiction for row in glance.countries if not row.is_known],
            "changes": change_rows(glance.recent_changes, today=glance.as_of, url=url),
            "upcoming": change_rows(glance.upcoming_changes, today=glance.as_of, url=url),
            "us_map": render_us_map(substance=KRATOM, on=glance.as_of, table_open=False),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    form = SearchQueryForm(request.GET)
    if not form.is_valid():
        reason = " ".join(message for errors in form.errors.values() for message in errors)
        return _bad_request(request, reason, request.GET.get("q", "")[:MAX_QUERY_LENGTH])
    query = form.cleaned_data["q"]
    try:
        match = find_place(query)
    except AmbiguousPlace as error:
        return _search_results(request, query, error.described, "Several places have that name.")
    except UnknownPlace as error:
        return not_found(request, str(error), query=query, suggestions=error.suggestions)
    if request.GET.get("all") and match.alternatives:
        candidates = describe_candidates(
            (match.jurisdiction, *match.alternatives), cities=match.alternative_cities
        )
        return _search_results(request, query, candidates, f"Places called “{query}”.")
    params = {"zip": match.zip_code.code} if match.zip_code is not None else {}
    if match.city is not None:
        params["city"] = match.city.name
    if match.alternatives:
        params["also"] = query
    elif match.zip_code is None:
        params["q"] = query  # kept in the search box of the answer page
    return _redirect(match.jurisdiction.ocd_id, params)


def jurisdiction(request: HttpRequest, ocd_id: str) -> HttpResponse:
    form = PageQueryForm(request.GET)
    if not form.is_valid():
        reason = " ".join(message for errors in form.errors.values() for message in errors)
        return _bad_request(request, reason)
    as_of, zip_code = form.cleaned_data["as_of"], form.cleaned_data["zip"]
    if not ocd_id.startswith("ocd-division/"):
        return not_found(request, f"“{ocd_id}” is not an Open Civic Data division id.")
    try:
        # A ZIP code finds its own state, county and (approximate) place: its page is the place's.
        match = find_place(zip_code or ocd_id)
    except UnknownPlace as error:
        return not_found(request, str(error))
    if match.jurisdiction.ocd_id != ocd_id:  # an alias, another spelling, or another ZIP's place
        return _redirect(match.jurisdiction.ocd_id, request.GET.dict(), permanent=not zip_code)
    today = timezone.localdate()
    place = place_overview(match, on=as_of or today)
    answer = place.answer
    layers = answer.results[0].layers
    url = jurisdiction_urls()
    return render(
        request,
        "legality/jurisdiction.html",
        {
            "answer": answer,
            "match": match,
            "full_name": full_place_name(answer.place, layers),
            "within": within_words(layers, answer.place.id),
            # What was searched stays in the box (a ZIP code or a name with other readings
            # is in the address already).
            "query": form.cleaned_data["q"] or form.cleaned_data["also"] or zip_code or "",
            "place_notes": place_notes(answer),
            "results": [
                result_context(result, on=answer.as_of, url=url) for result in answer.results
            ],
            "changes": change_rows(place.changes, today=today, url=url),
            "is_today": answer.as_of == today,
            "as_of_words": format_date(answer.as_of),
            "also": form.cleaned_data["also"],
            # 1 more query, only when a search for a city abroad led here.
            "city": city_abroad_in(match.jurisdiction, form.cleaned_data["city"])
            if form.cleaned_data["city"]
            else None,
            "feed_url": reverse("legality:jurisdiction-feed", args=[answer.place.ocd_id]),
            "badges": [
                _badge_snippet(answer.place.ocd_id, r.substance, page_url=url(answer.place.ocd_id))
                for r in answer.results
            ],
            "timelines": place_timelines(answer, today=today, entries=place.entries),
        },
    )


def badge(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """A place's status for one substance as an SVG badge linking to its page (today's answer).

    Errors answer in plain text, since an image tag shows nothing of an HTML page.
    """
    substance = request.GET.get("substance", KRATOM)
    if not ocd_id.startswith("ocd-division/"):
        return _plain(f"“{ocd_id}” is not an Open Civic Data division id.", status=404)
    try:
        match = find_place(ocd_id)
        answer = resolve(match.jurisdiction, on=timezone.localdate(), substances=[substance])
    except UnknownPlace as error:
        return _plain(str(error), status=404)
    except UnknownSubstance as error:
        return _plain(f"{error} Use substance=kratom or substance=7-oh.", status=400)
    if match.jurisdiction.ocd_id != ocd_id:  # an alias: the badge lives at the canonical id
        url = reverse("legality:badge", args=[match.jurisdiction.ocd_id])
        return HttpResponsePermanentRedirect(f"{url}?{urlencode({'substance': substance})}")
    page = settings.SITE_URL + reverse("legality:jurisdiction", args=[answer.place.ocd_id])
    svg = badge_svg(answer.results[0], place=answer.place, link=page)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def about_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legality/about_data.html",
        {"attribution": (*PLACE_DATA_ATTRIBUTION, WORLD_NAMES_ATTRIBUTION)},
    )


def changes(request: HttpRequest) -> HttpResponse:
    form = ChangesQueryForm(request.GET)
    if not form.is_valid():
        reason = " ".join(message for errors in form.errors.values() for message in errors)
        return _bad_request(request, reason)
    filters = {k: v for k, v in form.cleaned_data.items() if k != "page" and v}
    today = timezone.localdate()
    found = status_changes(**filters)
    url = jurisdiction_urls()
    upcoming = [c for c in reversed(found) if c.is_upcoming(today)]
    past = [c for c in found if not c.is_upcoming(today)]
    page = Paginator(past, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: request.GET[k] for k in filters if k in request.GET}
    return render(
        request,
        "legality/changes.html",
        {
            "form": form,
            "is_filtered": bool(filters),
            "page": page,
            "page_query": urlencode(query),
            "upcoming": change_rows(upcoming, today=today, url=url),
            "changes": change_rows(page, today=today, url=url),
        },
    )


def not_found(
    request: HttpRequest, reason: str, *, query: str = "", suggestions: Iterable[str] = ()
) -> HttpResponse:
    context = {"exception": reason, "query": query, "suggestions": suggestions}
    return render(request, "404.html", context, status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an Http404 raised with a message for the reader shows it; a URL that matches
    no pattern (Django's Resolver404, whose argument is not a sentence) shows the page's default."""
    message = exception.args[0] if exception.args else ""
    return not_found(request, message if isinstance(message, str) else "")


def _plain(reason: str, *, status: int) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _bad_request(request: HttpRequest, reason: str, query: str = "") -> HttpResponse:
    return render(
        request, "legality/bad_request.html", {"reason": reason, "query": query}, status=400
    )


def _search_results(
    request: HttpRequest, query: str, candidates: Iterable[Candidate], detail: str
) -> HttpResponse:
    return render(
        request,
        "legality/search.html",
        {"query": query, "detail": detail, "candidates": candidates},
    )


def _redirect(ocd_id: str, params: dict, *, permanent: bool = False) -> HttpResponseRedirect:
    url = reverse("legality:jurisdiction", args=[ocd_id])
    params = {key: value for key, value in params.items() if value}
    response_class = HttpResponsePermanentRedirect if permanent else HttpResponseRedirect
    return response_class(f"{url}?{urlencode(params)}" if params else url)


# Words for pages and feeds


def _badge_snippet(ocd_id: str, substance: SubstanceRef, *, page_url: str) -> dict:
    """The badge image and the HTML another site pastes to show it, with absolute links;
    `page_url` is the jurisdiction's page, without the site."""
    query = urlencode({"substance": substance.slug})
    image_url = f"{settings.SITE_URL}{reverse('legality:badge', args=[ocd_id])}?{query}"
    page_url = settings.SITE_URL + page_url
    alt = f"{substance.name} legal status, from the Kratom Legality Tracker"
    snippet = format_html('<a href="{}"><img src="{}" alt="{}"></a>', page_url, image_url, alt)
    return {
        "slug": substance.slug,
        "name": substance.name,
        "image_url": image_url,
        "alt": alt,
        "snippet": snippet,
    }


def _glance_row(row: GlanceRow, *, on: datetime.date) -> dict:
    return {
        "jurisdiction": row.jurisdiction,
        "results": [{"result": r, "status": headline(r, on=on)} for r in row.results],
    }
