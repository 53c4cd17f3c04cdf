"""Atom feeds of status changes: the whole dataset, and every layer of one jurisdiction."""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from legality.changes import StatusChange, status_changes
from legality.dates import describe_end
from legality.models import Jurisdiction, PlaceCounty
from legality.wording import describe_change

FEED_ITEMS = 50


class ChangesFeed(Feed):
    """The status changes of the published entries, newest first by the day the law changed
    (changes still to come first); each item is dated when we recorded it."""

    feed_type = Atom1Feed
    title = "Kratom Legality Tracker: status changes"
    subtitle = (
        "New and changed legal statuses of kratom and 7-OH, with their effective dates. "
        "Not legal advice: confirm locally."
    )

    def link(self) -> str:
        return reverse("legality:changes")

    def items(self, obj=None) -> list[StatusChange]:
        # Query: every dated change (see legality.changes).
        return status_changes()[:FEED_ITEMS]

    def item_title(self, item: StatusChange) -> str:
        words = describe_change(item, today=timezone.localdate())
        when = f"from {words['when']}" if words["is_upcoming"] else words["when"]
        return f"{words['title']}, {when}"

    def item_description(self, item: StatusChange) -> str:
        unverified = " Unverified: not yet confirmed in a primary text." if item.unverified else ""
        ends = describe_end(item.effective_until)
        period = f" In force {ends}." if ends else ""
        # Atom sends it as <summary type="html">: a reader renders it as HTML, so the text is
        # escaped as HTML here (and once more as XML by the feed writer).
        return escape(f"{item.summary}{period}{unverified}")

    def item_link(self, item: StatusChange) -> str:
        url = reverse("legality:jurisdiction", args=[item.jurisdiction.ocd_id])
        return f"{url}#change-{item.key}"

    def item_guid(self, item: StatusChange) -> str:
        return f"urn:kratom-legality-tracker:change:{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: StatusChange):
        return item.recorded_at

    def item_updateddate(self, item: StatusChange):
        return item.recorded_at

    def item_categories(self, item: StatusChange) -> tuple[str, ...]:
        return (item.substance.slug, item.status or "none")


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

    def items(self, obj: Jurisdiction) -> list[StatusChange]:
        chain, row = [], obj
        while row is not None:
            chain.append(row.pk)
            row = row.parent
        # Query: the counties where the place has residents (a part with none is not a layer).
        counties = PlaceCounty.objects.filter(place_id=obj.pk, has_residents=True)
        layers = [*chain, *counties.values_list("county_id", flat=True)]
        # Query: the status changes of those layers.
        return status_changes(jurisdiction_ids=layers)[:FEED_ITEMS]
