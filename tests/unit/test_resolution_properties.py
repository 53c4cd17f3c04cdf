"""Properties of resolution that hold for any layers, periods and dates (hypothesis)."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from legality.models import LegalStatus, Substance
from legality.resolution import (
    UNKNOWN,
    Enclosure,
    Entry,
    JurisdictionRef,
    SourceRef,
    Standing,
    SubstanceRef,
    resolve,
    resolve_layers,
)
from legality.resolution.answers import RANK
from tests.factories import LegalStatusFactory, ReviewFlagFactory, SourceFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

FIRST_DAY = date(2000, 1, 1)
DAYS = 365 * 30  # the periods drawn lie between 2000 and 2030
KRATOM = SubstanceRef(1, "kratom", "Kratom")
SEVEN_OH = SubstanceRef(2, "7-oh", "7-OH products")
US = JurisdictionRef(1, "ocd-division/country:us", "United States", "country")
MS = JurisdictionRef(2, "ocd-division/country:us/state:ms", "Mississippi", "state")

days = st.integers(min_value=0, max_value=DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
statuses = st.sampled_from(list(LegalStatus.Status.values))
ages = st.none() | st.sampled_from([18, 19, 21])


def rank(status: str) -> int:
    return RANK.get(status, -1)  # unknown is looser than legal


@st.composite
def periods(draw, where: JurisdictionRef, substance: str, first_id: int) -> tuple[Entry, ...]:
    """Non-overlapping entries of one layer and substance; the first may have no known start,
    the last may be open-ended, and there may be gaps between them."""
    count = draw(st.integers(min_value=0, max_value=3))
    bounds = sorted(draw(st.sets(days, min_size=count + 1, max_size=count + 1)))
    open_start, open_end = draw(st.booleans()), draw(st.booleans())
    entries = []
    for i in range(count):
        if not draw(st.booleans()) and count > 1:
            continue  # a gap: no entry for that period
        start = None if i == 0 and open_start else bounds[i]
        dated = draw(st.none() | days)
        entries.append(
            Entry(
                id=first_id + i,
                jurisdiction_id=where.id,
                substance=substance,
                status=draw(statuses),
                minimum_age=draw(ages),
                applies_to=draw(st.sampled_from(["", "whole", "unincorporated"]))
                if where.level == "county"
                else "",
                effective_from=start,
                effective_from_precision="day" if start else "",
                effective_until=None if i == count - 1 and open_end else bounds[i + 1],
                unverified=draw(st.booleans()),
                last_verified_at=draw(st.none() | days),
                has_open_flag=draw(st.booleans()),
                sources=(
                    SourceRef(
                        first_id + i,
                        "A source",
                        published_on=dated,
                        published_precision="day" if dated else "",
                    ),
                ),
            )
        )
    return tuple(entries)


def free_periods(entries: list[Entry]) -> list[tuple[date | None, date | None]]:
    """The parts of the timeline that none of `entries` (non-overlapping) covers, as
    (effective_from, effective_until); None is open on that side, as in the model."""
    free: list[tuple[date | None, date | None]] = []
    free_from: date | None = None  # None: free from the beginning of time
    for entry in sorted(entries, key=lambda e: e.effective_from or date.min):
        if entry.effective_from is not None and (
            free_from is None or free_from < entry.effective_from
        ):
            free.append((free_from, entry.effective_from))
        if entry.effective_until is None:
            return free  # in force until further notice: nothing is free after it
        free_from = entry.effective_until
    return [*free, (free_from, None)]


@st.composite
def enclosures_of(draw, where: JurisdictionRef, *, approximate: bool = False) -> Enclosure:
    kratom = draw(periods(where, "kratom", where.id * 100))
    seven_oh = draw(periods(where, "7-oh", where.id * 100 + 50))
    return Enclosure(where, kratom + seven_oh, approximate)


@dataclass(frozen=True)
class World:
    place: JurisdictionRef
    enclosures: tuple[Enclosure, ...]
    zip_code: str | None

    def answer(self, on: date, enclosures=None):
        layers = self.enclosures if enclosures is None else enclosures
        return resolve_layers(
            self.place, layers, on=on, substances=[KRATOM, SEVEN_OH], zip_code=self.zip_code
        )


def county(n: int) -> JurisdictionRef:
    return JurisdictionRef(10 + n, f"{MS.ocd_id}/county:c{n}", f"County {n}", "county")


@st.composite
def worlds(draw) -> World:
    """A town (incorporated, not, or unknown) in 0-2 counties, asked by name or by ZIP code."""
    town = JurisdictionRef(
        9, f"{MS.ocd_id}/place:town", "Town", "place", draw(st.sampled_from([True, False, None]))
    )
    counties = [county(n) for n in range(draw(st.integers(min_value=0, max_value=2)))]
    zip_code = draw(st.sampled_from([None, "38801"]))
    layers = [US, MS, *counties, town]
    enclosures = [
        draw(enclosures_of(j, approximate=zip_code is not None and j == town)) for j in layers
    ]
    return World(town, tuple(enclosures), zip_code)


@given(worlds(), days, st.data())
def test_adding_a_more_permissive_layer_never_loosens_the_answer(world, on, data):
    extra = data.draw(enclosures_of(county(5)))
    before = world.answer(on)
    after = world.answer(on, enclosures=(*world.enclosures, extra))

    for old, new in zip(before.results, after.results, strict=True):
        assert rank(new.status) >= rank(old.status)
    kratom = before.results[0]
    if kratom.status != UNKNOWN and all(
        rank(e.status) <= rank(kratom.status) for e in extra.entries
    ):
        assert after.results[0].status == kratom.status


@given(worlds(), days)
def test_the_answer_is_never_less_restrictive_than_a_layer_in_force(world, on):
    for result in world.answer(on).results:
        applying = [layer for layer in result.layers if layer.applies]
        assert all(rank(result.status) >= rank(layer.status) for layer in applying)
        assert (result.status == UNKNOWN) == (not applying)
        if applying:  # decided by the broadest layer of the most restrictive status
            decider = next(la for la in applying if la.status == result.status)
            assert result.decided_by == decider.jurisdiction


@given(worlds(), days)
def test_the_minimum_age_is_the_highest_that_applies(world, on):
    for result in world.answer(on).results:
        ages = [la.minimum_age for la in result.layers if la.applies and la.minimum_age is not None]
        assert result.minimum_age == max(ages, default=None)


@given(worlds(), st.data())
def test_a_date_inside_a_period_always_finds_that_period(world, data):
    # Entries whose period is known: a dated start, or a legal entry (in force from the start).
    candidates = [
        (enclosure, entry)
        for enclosure in world.enclosures
        for entry in enclosure.entries
        if entry.start is not None or entry.status == LegalStatus.Status.LEGAL
    ]
    assume(candidates)
    enclosure, entry = data.draw(st.sampled_from(candidates))
    first = entry.start or FIRST_DAY
    last = (entry.effective_until or FIRST_DAY + timedelta(days=DAYS + 1)) - timedelta(days=1)
    on = data.draw(st.integers(0, (last - first).days).map(lambda n: first + timedelta(days=n)))

    result = world.answer(on).result_for(entry.substance)

    layer = next(la for la in result.layers if la.jurisdiction == enclosure.jurisdiction)
    assert layer.entry == entry
    assert layer.standing in (Standing.APPLIES, Standing.OUTSIDE_SCOPE)


@given(worlds(), days)
def test_the_answer_for_a_place_is_the_answer_of_its_layers_combined(world, on):
    whole = world.answer(on)
    each = [world.answer(on, enclosures=[enclosure]) for enclosure in world.enclosures]

    for i, result in enumerate(whole.results):
        alone = [answer.results[i] for answer in each]
        assert result.status == max((r.status for r in alone), key=rank, default=UNKNOWN)
        # Layers run broadest first, and a tie goes to the broadest.
        decider = next((r for r in alone if r.status == result.status and r.decided_by), None)
        assert result.decided_by == (decider.decided_by if decider else None)
        ages = [r.minimum_age for r in alone if r.minimum_age is not None]
        assert result.minimum_age == max(ages, default=None)
        assert result.layers == tuple(r.layers[0] for r in alone)
        assert set(result.upcoming) == {change for r in alone for change in r.upcoming}


class TestResolveMatchesItsLayers(TestCase):
    """The database lookup gives the same answer as the rules on the layers it should load."""

    @settings(max_examples=25, deadline=None)
    @given(st.data(), days)
    def test_resolve_equals_the_rules_on_the_loaded_layers(self, data, on):
        state = UsStateFactory(name="Mississippi", postal_code="MS")
        lee = NamedCountyFactory(parent=state, name="Lee County")
        tupelo = NamedPlaceFactory(
            parent=state, name="Tupelo", counties=[lee], is_incorporated=data.draw(st.booleans())
        )
        substances = {s.slug: s for s in Substance.objects.all()}
        enclosures = []
        for where in (state.parent, state, lee, tupelo):
            ref = JurisdictionRef(
                where.pk, where.ocd_id, where.name, where.level, where.is_incorporated
            )
            drawn = data.draw(enclosures_of(ref))
            enclosures.append(
                replace(
                    drawn, entries=tuple(self.save(e, where, substances) for e in drawn.entries)
                )
            )
            # An unpublished entry never counts, even where it would be in force on `on`. Like
            # every entry it takes a part of the timeline its layer leaves free: periods of one
            # place and substance never overlap (PostgreSQL's exclusion constraint says so).
            kratom_entries = [entry for entry in drawn.entries if entry.substance == "kratom"]
            if (free := free_periods(kratom_entries)) and data.draw(st.booleans()):
                start, until = data.draw(st.sampled_from(free))
                LegalStatusFactory(
                    jurisdiction=where,
                    substance=substances["kratom"],
                    is_published=False,
                    status="banned",
                    effective_from=start,
                    effective_until=until,
                )
        wanted = [SubstanceRef(s.pk, s.slug, s.name) for s in substances.values()]

        expected = resolve_layers(enclosures[-1].jurisdiction, enclosures, on=on, substances=wanted)

        assert resolve(tupelo, on=on) == expected

    @staticmethod
    def save(entry: Entry, where, substances) -> Entry:
        """Write the drawn entry; return it as the loader should read it back."""
        dated = entry.sources[0].published_on
        source = SourceFactory(published_on=dated, published_precision="day" if dated else "")
        row = LegalStatusFactory(
            jurisdiction=where,
            substance=substances[entry.substance],
            status=entry.status,
            minimum_age=entry.minimum_age,
            applies_to=entry.applies_to,
            effective_from=entry.effective_from,
            effective_until=entry.effective_until,
            unverified=entry.unverified,
            last_verified_at=entry.last_verified_at,
            sources=[source],
        )
        flag = ReviewFlagFactory(legal_status=row) if entry.has_open_flag else None
        source_ref = SourceRef(
            source.pk,
            source.title,
            url=source.url,
            citation=source.citation,
            publisher=source.publisher,
            kind=source.kind,
            published_on=source.published_on,
            published_precision=source.published_precision,
        )
        return replace(
            entry,
            id=row.pk,
            jurisdiction_id=where.pk,
            summary=row.summary,
            recorded_on=timezone.localdate(row.created_at),
            flagged_on=timezone.localdate(flag.created_at) if flag else None,
            sources=(source_ref,),
        )
