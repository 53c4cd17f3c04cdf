"""Public API v1: thin views over QuerySet filters and the domain functions."""

import csv
import io

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from legality.bulk import (
    TooManyItems,
    UnreadableCSV,
    lookup_many_csv,
    lookup_many_data,
    read_csv_queries,
)
from legality.changes import status_changes
from legality.geography import AmbiguousPlace, UnknownPlace, find_place
from legality.models import Jurisdiction, LegalStatus, Source
from legality.resolution import UnknownSubstance, resolve

from .filters import JurisdictionFilter, LegalStatusFilter
from .lookup_data import lookup_data
from .renderers import OrjsonRenderer, SpreadsheetSafeCSVRenderer
from .serializers import (
    AmbiguousPlaceSerializer,
    BulkAnswerSerializer,
    BulkLookupSerializer,
    ChangesQuerySerializer,
    ErrorSerializer,
    JurisdictionSerializer,
    LegalStatusSerializer,
    LookupQuerySerializer,
    LookupSerializer,
    PlaceCandidateSerializer,
    StatusChangeSerializer,
)

LIST_RENDERERS = [JSONRenderer, BrowsableAPIRenderer, SpreadsheetSafeCSVRenderer]
# Every list takes these besides its own filters.
LIST_PARAMETERS = ("page", "format")


class RejectsUnknownParameters:
    """A list view that answers 400 to a query parameter it does not know, naming the valid
    ones: a misspelled filter must not silently return everything."""

    def known_parameters(self) -> list[str]:
        return [*LIST_PARAMETERS, *self.filterset_class.base_filters]

    def list(self, request: Request, *args, **kwargs) -> Response:
        known = self.known_parameters()
        if unknown := sorted(set(request.query_params) - set(known)):
            detail = (
                f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(unknown)}. Valid parameters: {', '.join(known)}."
            )
            _answer_errors_in_json(request)
            return Response({"detail": detail, "valid_parameters": known}, status=400)
        return self.list_known(request)

    def list_known(self, request: Request) -> Response:
        return super().list(request)


@extend_schema(summary="Jurisdictions", description="Countries, states, counties and places.")
class JurisdictionListView(RejectsUnknownParameters, generics.ListAPIView):
    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter
    renderer_classes = LIST_RENDERERS
    # 1 count, 2 the page of jurisdictions joined with their parent
    queryset = Jurisdiction.objects.select_related("parent").order_by("ocd_id")


@extend_schema(summary="One jurisdiction, by OCD division id")
class JurisdictionDetailView(generics.RetrieveAPIView):
    serializer_class = JurisdictionSerializer
    queryset = Jurisdiction.objects.select_related("parent")

    def get_object(self) -> Jurisdiction:
        return get_object_or_404(self.get_queryset(), ocd_id=self.kwargs["ocd_id"])


def published_statuses():
    """Published entries with everything their public shape needs, in a fixed number of queries."""
    return (
        LegalStatus.objects.published()
        .select_related("jurisdiction", "substance")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=Source.objects.only(
                    "title", "url", "citation", "publisher", "kind", "published_on"
                ),
            )
        )
        .with_is_stale()
        .order_by("jurisdiction__ocd_id", "substance_id", "effective_from")
    )


@extend_schema(summary="Legal statuses", description="Published entries with their sources.")
class LegalStatusListView(RejectsUnknownParameters, generics.ListAPIView):
    serializer_class = LegalStatusSerializer
    filterset_class = LegalStatusFilter
    renderer_classes = LIST_RENDERERS
    # 1 count, 2 the page joined with jurisdiction and substance, 3 their sources
    queryset = published_statuses()


@extend_schema(
    summary="Changes in the law",
    description="Each day a jurisdiction's rule changed, from the periods themselves: newest "
    "first by the day the law changed (changes still to come first, `is_upcoming`), with the day "
    "we recorded it. `previous_status` is null for a jurisdiction's first rule; `status` is null "
    "when a rule ended with none after it.",
    parameters=[ChangesQuerySerializer],
    responses={200: StatusChangeSerializer(many=True), 400: ErrorSerializer},
)
class StatusChangeListView(RejectsUnknownParameters, generics.ListAPIView):
    serializer_class = StatusChangeSerializer
    renderer_classes = LIST_RENDERERS
    filter_backends: list = []  # the query is validated and applied by status_changes()

    def known_parameters(self) -> list[str]:
        return [*LIST_PARAMETERS, *ChangesQuerySerializer().fields]

    def list_known(self, request: Request) -> Response:
        query = ChangesQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return Response(_bad_input(query.errors), status=400)
        # 1 query: the published periods (see legality.changes)
        changes = status_changes(**query.validated_data)
        page = self.paginate_queryset(changes)
        today = timezone.localdate()
        data = StatusChangeSerializer(page, many=True, context={"today": today}).data
        return self.get_paginated_response(data)


@extend_schema(
    summary="Look up a place on a date",
    description="The legal status of each substance in one place: which layer of law decides, "
    "every layer with its sources and dates, and the dated changes still to come. A ZIP code is "
    "certain for its state and county and approximate for its place (`approximate`, "
    "`zip_code.assumed_place`). Not legal advice.",
    parameters=[LookupQuerySerializer],
    responses={
        200: LookupSerializer,
        300: OpenApiResponse(AmbiguousPlaceSerializer, description="Several places match q."),
        400: OpenApiResponse(ErrorSerializer, description="Bad date, substance or query."),
        404: OpenApiResponse(ErrorSerializer, description="No place matches."),
    },
)
class LookupView(APIView):
    renderer_classes = [OrjsonRenderer, BrowsableAPIRenderer]

    def get(self, request: Request) -> Response:
        query = LookupQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return Response(_bad_input(query.errors), status=400)
        params = query.validated_data
        substance = params.get("substance")
        try:
            # 1 query to find the place, then resolve's 4 (see resolution.loading)
            match = find_place(params.get("q") or params["ocd_id"])
            answer = resolve(
                match,
                on=params.get("as_of") or timezone.localdate(),
                substances=[substance] if substance else None,
            )
        except AmbiguousPlace as error:
            matches = PlaceCandidateSerializer(error.described, many=True).data
            return Response({"detail": str(error), "matches": matches}, status=300)
        except UnknownPlace as error:
            suggestions = {"suggestions": list(error.suggestions)} if error.suggestions else {}
            return Response({"detail": str(error), **suggestions}, status=404)
        except UnknownSubstance as error:
            return Response({"detail": str(error)}, status=400)
        # The shape LookupSerializer documents, written directly (see lookup_data).
        return Response(lookup_data(answer, match))


def exception_handler(error: Exception, context: dict) -> Response | None:
    """DRF's handler, with a filter's or serializer's messages in the shape of ErrorSerializer."""
    response = drf_exception_handler(error, context)
    if response is not None:
        _answer_errors_in_json(context["request"])
    if response is not None and isinstance(error, ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = _bad_input(errors)
    return response


def _answer_errors_in_json(request: Request) -> None:
    # Errors are JSON, whatever format the request asked for (a CSV has no place for them).
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = "application/json"


def _bad_input(errors: dict) -> dict:
    """One sentence for `detail` (the first message of each field), and every message."""
    messages = [
        _first_message(field_errors)
        if field == "non_field_errors"
        else f"{field}: {_first_message(field_errors)}"
        for field, field_errors in errors.items()
    ]
    return {"detail": " ".join(messages), "errors": errors}


def _first_message(errors) -> str:
    """The first message of a field's errors: a list, or (a list's items, a nested serializer)
    a dict of them by index or name, which says where ("0: Not a valid string.")."""
    if isinstance(errors, dict):
        key, inner = next(iter(errors.items()))
        return f"{key}: {_first_message(inner)}"
    if isinstance(errors, list | tuple):
        return _first_message(errors[0]) if errors else ""
    return str(errors)


class CSVTextParser(BaseParser):
    """A text/csv request body, as text (legality.bulk reads its rows)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> str:
        return stream.read().decode("utf-8-sig", errors="replace")


class BulkCSVRenderer(BaseRenderer):
    """The CSV legality.bulk.write_csv wrote; an error as a one-cell `detail` table."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict):
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerows([["detail"], [data["detail"]]])
            data = out.getvalue()
        return data.encode(self.charset)


@extend_schema(
    summary="Look up many ZIP codes, places or OCD ids at once",
    description='Up to 1,000 items: a JSON list, `{"items": [...]}`, or a CSV upload (text/csv '
    "body or a multipart `file`); CSV in gives CSV out (one row per item and substance). Each "
    "item gets its answer or its own error (unknown code, ambiguous name with its candidates); "
    "one bad item never fails the others. ZIP codes and OCD ids are found and resolved as sets; "
    "place names are read one by one. Not legal advice.",
    request={
        "application/json": BulkLookupSerializer,
        "text/csv": {"type": "string"},
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        },
    },
    parameters=[
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: today."),
        OpenApiParameter("substance", str, description="kratom or 7-oh; default: both."),
    ],
    responses={
        200: BulkAnswerSerializer,
        400: OpenApiResponse(ErrorSerializer, description="Bad date, substance or body."),
        413: OpenApiResponse(ErrorSerializer, description="More than 1,000 items."),
    },
)
class BulkLookupView(APIView):
    parser_classes = [JSONParser, CSVTextParser, MultiPartParser]
    renderer_classes = [OrjsonRenderer, BulkCSVRenderer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "bulk_lookup"
    # No OPTIONS description: the schema documents the endpoint, and DRF's metadata is a dict
    # the CSV renderer cannot write (OPTIONS answers 405).
    metadata_class = None

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # CSV in gives CSV out, whatever the client accepts.
        if _is_csv_upload(request):
            return BulkCSVRenderer(), BulkCSVRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def post(self, request: Request) -> Response:
        body = _bulk_body(request)
        if isinstance(body, Response):
            return body
        query = BulkLookupSerializer(data=body)
        if not query.is_valid():
            return Response(_bad_input(query.errors), status=400)
        params = query.validated_data
        substance = params.get("substance")
        as_csv = isinstance(request.accepted_renderer, BulkCSVRenderer)
        try:
            data = (lookup_many_csv if as_csv else lookup_many_data)(
                params["items"],
                on=params.get("as_of") or timezone.localdate(),
                substances=[substance] if substance else None,
            )
        except TooManyItems as error:
            return Response({"detail": str(error)}, status=413)
        except UnknownSubstance as error:
            return Response({"detail": str(error)}, status=400)
        if as_csv:
            return Response(data, headers=_csv_attachment("kratom-bulk-lookup.csv"))
        errors = sum("error" in item for item in data)
        return Response({"count": len(data), "errors": errors, "items": data})


def _is_csv_upload(request: Request) -> bool:
    content_type = request.content_type.split(";")[0].strip()
    return content_type in ("text/csv", "multipart/form-data")


def _bulk_body(request: Request) -> dict | Response:
    """The request as BulkLookupSerializer reads it, or a 400 saying what is wrong."""
    options = {
        k: request.query_params[k] for k in ("as_of", "substance") if k in request.query_params
    }
    try:
        data = request.data
    except ParseError as error:
        return Response({"detail": f"The body is not valid: {error.detail}"}, status=400)
    try:
        if isinstance(data, str):  # text/csv
            return {**options, "items": read_csv_queries(data)}
        if "file" in request.FILES:
            text = request.FILES["file"].read().decode("utf-8-sig", errors="replace")
            return {**options, **_form_options(data), "items": read_csv_queries(text)}
    except UnreadableCSV as error:
        return Response({"detail": str(error)}, status=400)
    if isinstance(data, list):
        return {**options, "items": data}
    if _is_csv_upload(request):
        return Response({"detail": "Upload the CSV in the multipart field `file`."}, status=400)
    if not isinstance(data, dict):  # a bare number or null
        return Response(
            {"detail": 'The body is a JSON list of items, or an object with "items".'},
            status=400,
        )
    return {**options, **data}


def _form_options(data) -> dict:
    return {k: data[k] for k in ("as_of", "substance") if data.get(k)}


def _csv_attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
