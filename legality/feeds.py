"""Atom feeds of status changes: the whole dataset, and every layer of one jurisdiction."""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from legality.models import Jurisdiction, PlaceCounty
from legality.overview import status_changes
from legality.views import describe_change

FEED_ITEMS = 50


class ChangesFeed(Feed):
    """Every status change of a published entry, newest first."""

    feed_type = Atom1Feed
    title = "Kratom Legality Tracker: status changes"
    subtitle = (
        "New and changed legal statuses of kratom and 7-OH, with their effective dates. "
        "Not legal advice: confirm locally."
    )

    def link(self) -> str:
        return reverse("legality:changes")

    def items(self, obj=None) -> list:
        # Query: the newest status changes with their jurisdiction and substance.
        return list(status_changes()[:FEED_ITEMS])

    def item_title(self, item) -> str:
        words = describe_change(item, on=timezone.localdate())
        status = "entry removed" if words["removed"] else words["status"]["words"].lower()
        if words["status"]["age"]:
            status += f", {words['status']['age']}"
        was = f" (was {words['previous'].lower()})" if words["previous"] else ""
        return f"{item.substance.name} in {item.jurisdiction.name}: {status}{was}"

    def item_description(self, item) -> str:
        words = describe_change(item, on=timezone.localdate())
        unverified = " Unverified: not yet confirmed in a primary text." if item.unverified else ""
        period = f" In force: {words['period']}." if words["period"] else ""
        return f"{item.summary}{period}{unverified}"

    def item_link(self, item) -> str:
        url = reverse("legality:jurisdiction", args=[item.jurisdiction.ocd_id])
        return f"{url}#change-{item.history_id}"

    def item_guid(self, item) -> str:
        return f"urn:kratom-legality-tracker:change:{item.history_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.history_date

    def item_updateddate(self, item):
        return item.history_date

    def item_categories(self, item) -> tuple[str, ...]:
        return (item.substance.slug, item.status)


class JurisdictionChangesFeed(ChangesFeed):
    """The status changes of one jurisdiction and every layer above it (its counties, its state
    and its country): everything that changes the answer there."""

    def get_object(self, request: HttpRequest, ocd_id: str) -> Jurisdiction:
        # Query: the jurisdiction (by OCD id or alias) with its parent chain.
        found = (
            Jurisdiction.objects.filter(Q(ocd_id=ocd_id) | Q(ocd_aliases__ocd_id=ocd_id))
            .select_related("parent__parent__parent")
            .first()
        )
        if found is None:
            raise Http404(f"No division has the OCD id “{ocd_id}”.")
        return found

    def title(self, obj: Jurisdiction) -> str:
        return f"Kratom Legality Tracker: status changes for {obj.name}"

    def link(self, obj: Jurisdiction) -> str:
        return reverse("legality:jurisdiction", args=[obj.ocd_id])

    def items(self, obj: Jurisdiction) -> list:
        chain, row = [], obj
        while row is not None:
            chain.append(row.pk)
            row = row.parent
        counties = PlaceCounty.objects.filter(place_id=obj.pk, has_residents=True)
        layers = Q(jurisdiction_id__in=chain) | Q(jurisdiction_id__in=counties.values("county_id"))
        # Query: the newest status changes of those layers (counties as a subquery).
        return list(status_changes().filter(layers)[:FEED_ITEMS])
