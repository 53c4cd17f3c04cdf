"""One factory per model, with defaults that make a valid row.

Tests set explicitly the fields they are about."""

from datetime import date

import factory
from django.contrib.auth.models import Group, User

from legality.geography import normalize_name
from legality.models import (
    Jurisdiction,
    LegalStatus,
    ReviewFlag,
    Source,
    Substance,
    ZipCode,
)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("ocd_id",)

    ocd_id = "ocd-division/country:us"
    name = "United States"
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    level = Jurisdiction.Level.COUNTRY
    division_type = "country"
    country_code = "US"
    iso_code = "US"


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("ocd_id",)

    parent = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"State {n}")
    ocd_id = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.ocd_id}/state:s{n}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    level = Jurisdiction.Level.STATE
    division_type = "state"
    country_code = "US"


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("ocd_id",)

    parent = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"County {n}")
    ocd_id = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.ocd_id}/county:c{n}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    level = Jurisdiction.Level.COUNTY
    division_type = "county"
    country_code = "US"


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("ocd_id",)

    parent = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Town {n}")
    ocd_id = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.ocd_id}/place:p{n}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    level = Jurisdiction.Level.PLACE
    division_type = "place"
    country_code = "US"


class ZipCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZipCode

    code = factory.Sequence(lambda n: f"{n % 100000:05d}")
    postal_city = "Springfield"
    county = factory.SubFactory(CountyFactory)
    state = factory.LazyAttribute(lambda o: o.county.parent)


class SubstanceFactory(factory.django.DjangoModelFactory):
    """The migration seeds kratom and 7-oh: this returns them, or another slug, once."""

    class Meta:
        model = Substance
        django_get_or_create = ("slug",)

    slug = "kratom"
    name = factory.LazyAttribute(lambda o: o.slug)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"An Act concerning kratom, No. {n}")
    url = factory.Sequence(lambda n: f"https://legislature.example.org/acts/{n}")
    publisher = "State legislature"
    kind = Source.Kind.STATUTE
    citation = factory.Sequence(lambda n: f"Example Code § {n}")
    published_on = date(2024, 1, 1)
    published_precision = "day"


class LegalStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalStatus
        skip_postgeneration_save = True

    jurisdiction = factory.SubFactory(StateFactory)
    substance = factory.SubFactory(SubstanceFactory)
    status = LegalStatus.Status.LEGAL
    summary = "No kratom-specific law."
    effective_from = None
    effective_from_precision = factory.LazyAttribute(lambda o: "day" if o.effective_from else "")
    is_published = True
    last_verified_at = date(2026, 1, 1)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if not create:
            return
        self.sources.set(extracted if extracted is not None else [SourceFactory()])


class ReviewFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewFlag

    legal_status = factory.SubFactory(LegalStatusFactory)
    reason = ReviewFlag.Reason.MANUAL
    note = "Check this."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


class CuratorFactory(UserFactory):
    """A staff user in the Curators group that the migration creates."""

    is_staff = True

    @factory.post_generation
    def curators_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Curators"))
            self.save()


def create_period_history(
    jurisdiction, substance, *, periods: int, sources: int, status_changes: bool = False
) -> None:
    """Yearly entries up to an open-ended one, each with `sources` sources and an open flag.

    Each entry is saved twice so the history tables grow too: the second save rewords the summary,
    or, with `status_changes`, turns regulated into banned and back (a change the public sees).
    """
    for year in range(periods):
        begins = date(2026 - periods + year, 1, 1)
        banned_first = bool(year % 2)
        entry = LegalStatusFactory(
            jurisdiction=jurisdiction,
            substance=substance,
            status=LegalStatus.Status.BANNED if banned_first else LegalStatus.Status.REGULATED,
            minimum_age=21,
            effective_from=begins,
            effective_until=None if year == periods - 1 else begins.replace(year=begins.year + 1),
            sources=SourceFactory.create_batch(sources),
        )
        if status_changes:
            entry.status = (
                LegalStatus.Status.REGULATED if banned_first else LegalStatus.Status.BANNED
            )
        else:
            entry.summary += " Confirmed."
        entry.save()
        ReviewFlagFactory(legal_status=entry)
