"""Public API v1: thin views over QuerySet filters and the domain functions."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_csv.renderers import PaginatedCSVRenderer

from legality.geography import AmbiguousPlace, UnknownPlace, find_place
from legality.models import Jurisdiction, LegalStatus, Source
from legality.resolution import UnknownSubstance, resolve

from .filters import JurisdictionFilter, LegalStatusFilter
from .serializers import (
    AmbiguousPlaceSerializer,
    ErrorSerializer,
    JurisdictionSerializer,
    LegalStatusSerializer,
    LookupQuerySerializer,
    LookupSerializer,
    PlaceCandidateSerializer,
    StatusChangeSerializer,
)

LIST_RENDERERS = [JSONRenderer, BrowsableAPIRenderer, PaginatedCSVRenderer]


@extend_schema(summary="Jurisdictions", description="Countries, states, counties and places.")
class JurisdictionListView(generics.ListAPIView):
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
class LegalStatusListView(generics.ListAPIView):
    serializer_class = LegalStatusSerializer
    filterset_class = LegalStatusFilter
    renderer_classes = LIST_RENDERERS
    # 1 count, 2 the page joined with jurisdiction and substance, 3 their sources
    queryset = published_statuses()


class StatusChangeFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(
        field_name="history_date", lookup_expr="gte", help_text="Changes at or after (ISO 8601)."
    )
    substance = filters.CharFilter(field_name="substance__slug", help_text="kratom or 7-oh.")
    country = filters.CharFilter(
        field_name="jurisdiction__country_code", lookup_expr="iexact", help_text="ISO alpha-2."
    )
    jurisdiction = filters.CharFilter(field_name="jurisdiction__ocd_id", help_text="OCD id.")
    status = filters.ChoiceFilter(choices=LegalStatus.Status.choices)


@extend_schema(
    summary="Recent changes",
    description="Every recorded change of a published entry, newest first.",
)
class StatusChangeListView(generics.ListAPIView):
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    renderer_classes = LIST_RENDERERS
    # 1 count, 2 the page of history rows joined with jurisdiction and substance
    queryset = (
        LegalStatus.history.filter(is_published=True)
        .select_related("jurisdiction", "substance")
        .order_by("-history_date", "-history_id")
    )


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
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

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
        return Response(LookupSerializer({"answer": answer, "match": match}).data)


def _bad_input(errors: dict) -> dict:
    """One sentence for `detail` (the first message of each field), and every message."""
    messages = [
        message if field == "non_field_errors" else f"{field}: {message}"
        for field, field_errors in errors.items()
        for message in field_errors[:1]
    ]
    return {"detail": " ".join(messages), "errors": errors}
