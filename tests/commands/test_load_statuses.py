"""The load_statuses command: its output and errors, and the shipped data on the real geography."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from legality.curation import save_legal_status
from legality.dataset import UNDATED_NOTE, shipped_files
from legality.models import Jurisdiction, LegalStatus, PlaceCounty, ReviewFlag, Source
from legality.resolution import Target, resolve_many
from tests.factories import CountryFactory, StateFactory, UserFactory

GATHERED_ON = date(2026, 11, 25)  # the reference facts' day, and "today" for these lookups
US = "ocd-division/country:us"

RECORD = """\
- jurisdiction: {{ocd_id: {ocd_id}, name: Alabama, level: state, country: US, state: AL}}
  substance: kratom
  status: {status}
  effective_from: '2016-05-10'
  summary: Kratom is a Schedule I substance.
  confidence: medium
  confidence_reason: News reports agree.
  sources:
  - {{url: 'https://news.example.org/ban', title: Ban, kind: news, published: '2016-05-12'}}
"""


def run(*args: str, verbosity: int = 1) -> str:
    out = StringIO()
    call_command("load_statuses", *args, verbosity=verbosity, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_prints_counts_and_a_second_run_changes_nothing(tmp_path, kratom):
    StateFactory(ocd_id=f"{US}/state:al", parent=CountryFactory(ocd_id=US))
    path = tmp_path / "al.yaml"
    path.write_text("entries:\n" + RECORD.format(ocd_id=f"{US}/state:al", status="banned"))

    first, second = run(str(path)), run(str(path))

    assert first.startswith("created 1, updated 0, unchanged 0 in ")
    assert second.startswith("created 0, updated 0, unchanged 1 in ")
    assert first.endswith(" s\n")


@pytest.mark.django_db
def test_a_reload_keeps_what_curators_changed_and_says_so(tmp_path, kratom):
    StateFactory(ocd_id=f"{US}/state:al", parent=CountryFactory(ocd_id=US))
    path = tmp_path / "al.yaml"
    path.write_text("entries:\n" + RECORD.format(ocd_id=f"{US}/state:al", status="banned"))
    assert run(str(path)).startswith("created 1, ")
    status = LegalStatus.objects.get()
    status.summary = "Edited by a curator."
    save_legal_status(status, sources=list(status.sources.all()), by=UserFactory())
    path.write_text("entries:\n" + RECORD.format(ocd_id=f"{US}/state:al", status="restricted"))

    assert run(str(path)).startswith("created 0, updated 0, unchanged 0, held for a curator 1 in ")
    assert LegalStatus.objects.get().summary == "Edited by a curator."
    assert "- status: 'restricted'" in ReviewFlag.objects.get().note


@pytest.mark.django_db
def test_codings_that_disagree_with_their_status_are_warnings(tmp_path, kratom):
    StateFactory(ocd_id=f"{US}/state:al", parent=CountryFactory(ocd_id=US))
    path = tmp_path / "al.yaml"
    record = RECORD.format(ocd_id=f"{US}/state:al", status="legal")
    path.write_text(
        "entries:\n" + record + "  activities: {sale: prohibited, possession: allowed, "
        "use: allowed, manufacture: allowed, distribution: allowed, import: allowed}\n"
    )
    err = StringIO()

    call_command("load_statuses", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue() == (
        f"warning: {path}:{len(path.read_text().splitlines())}: kratom in Alabama: a legal "
        "entry prohibits nothing, but sale is coded 'prohibited'\n"
    )
    assert LegalStatus.objects.get().sale_rule == "prohibited"  # loaded all the same


@pytest.mark.django_db
def test_every_error_is_reported_as_file_and_line_and_nothing_is_written(tmp_path, kratom):
    StateFactory(ocd_id=f"{US}/state:al", parent=CountryFactory(ocd_id=US))
    path = tmp_path / "bad.yaml"
    records = [
        RECORD.format(ocd_id=f"{US}/state:al", status="banned"),
        RECORD.format(ocd_id=f"{US}/state:zz", status="forbidden"),
    ]
    path.write_text("entries:\n" + "".join(records))

    with pytest.raises(CommandError) as raised:
        run(str(path))

    assert str(raised.value).splitlines() == [
        "Nothing was loaded:",
        f"{path}:11: unknown jurisdiction {US}/state:zz (Alabama, AL, US): no jurisdiction has "
        "this OCD id, an OCD alias of it, or this name and level in this state",
        f"{path}:13: bad status 'forbidden' (legal, regulated, restricted, banned)",
    ]
    assert not LegalStatus.objects.exists()
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.yaml: cannot read the file"):
        run(str(tmp_path / "missing.yaml"))


# The shipped data on the real geography. Loading the geography takes about half a minute, so
# it is loaded once for this module, inside a transaction rolled back at the end; each test runs
# in a savepoint inside it.


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    """The output of `load_statuses -v 2` after `load_jurisdictions`, on the shipped files."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_jurisdictions", verbosity=0)
            yield run(verbosity=2)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def in_force(ocd_id: str, substance: str, day: date) -> list[tuple[str, int | None]]:
    """(status, minimum age) of the entries in force on `day` for one jurisdiction."""
    entries = LegalStatus.objects.in_force_on(day).filter(
        jurisdiction__ocd_id=ocd_id, substance__slug=substance
    )
    return list(entries.values_list("status", "minimum_age"))


@pytest.mark.django_db
def test_the_shipped_data_loads_and_every_fact_finds_its_jurisdiction(shipped):
    # Every fact matched by its OCD id, except these, which the output names.
    us_yaml = "legality/data/statuses/us.yaml"
    lines = Path(us_yaml).read_text().splitlines()
    denver = [n for n, line in enumerate(lines, 1) if line.endswith("state:co/place:denver")]
    assert len(denver) == 2
    # Gluckstadt, an extra jurisdiction of the seed file, is in the census places already.
    assert shipped.splitlines()[:-2] == [
        *(
            f"{us_yaml}:{line}: {US}/state:co/place:denver matched by its OCD alias: "
            f"{US}/state:co/county:denver"
            for line in denver
        ),
    ]
    assert shipped.splitlines()[-1].startswith("created 301, updated 0, unchanged 0 in ")
    assert LegalStatus.objects.filter(is_published=True).count() == 301
    assert Source.objects.count() == 576


@pytest.mark.django_db
def test_reloading_the_shipped_data_changes_nothing(shipped):
    assert run().startswith("created 0, updated 0, unchanged 301 in ")


@pytest.mark.django_db
def test_a_state_that_bans_kratom(shipped):
    assert in_force(f"{US}/state:al", "kratom", GATHERED_ON) == [("banned", None)]
    assert in_force(f"{US}/state:al", "7-oh", GATHERED_ON) == [("banned", None)]
    # Banned from the day the act was signed; the sources say nothing of Alabama before it.
    assert in_force(f"{US}/state:al", "kratom", date(2016, 5, 9)) == []


@pytest.mark.django_db
def test_a_city_that_bans_kratom_in_a_state_that_does_not(shipped):
    san_diego, california = f"{US}/state:ca/place:san_diego", f"{US}/state:ca"
    assert in_force(san_diego, "kratom", date(2020, 1, 1)) == [("banned", None)]
    assert in_force(california, "kratom", date(2020, 1, 1)) == [("legal", None)]
    assert in_force(san_diego, "kratom", GATHERED_ON) == [("banned", None)]
    assert in_force(california, "kratom", GATHERED_ON) == [("restricted", None)]


@pytest.mark.django_db
def test_thailand_before_and_after_it_delisted_kratom(shipped):
    thailand = "ocd-division/country:th"
    assert in_force(thailand, "kratom", date(2020, 6, 1)) == [("banned", None)]
    assert in_force(thailand, "kratom", date(2021, 8, 23)) == [("banned", None)]  # last day
    assert in_force(thailand, "kratom", date(2021, 8, 24)) == [("regulated", None)]
    assert in_force(thailand, "kratom", GATHERED_ON) == [("regulated", 18)]


@pytest.mark.django_db
def test_louisiana_in_2024_and_today(shipped):
    louisiana = f"{US}/state:la"
    assert in_force(louisiana, "kratom", date(2024, 6, 1)) == [("regulated", 21)]
    assert in_force(louisiana, "kratom", date(2025, 7, 31)) == [("regulated", 21)]
    assert in_force(louisiana, "kratom", date(2025, 8, 1)) == [("banned", None)]
    assert in_force(louisiana, "kratom", GATHERED_ON) == [("banned", None)]


@pytest.mark.django_db
def test_denver_entries_are_on_the_city_and_county(shipped):
    denver = f"{US}/state:co/county:denver"
    assert in_force(denver, "kratom", date(2016, 10, 14)) == [("restricted", None)]
    assert in_force(denver, "kratom", date(2017, 1, 1)) == []
    assert in_force(denver, "kratom", GATHERED_ON) == [("restricted", None)]
    november = LegalStatus.objects.get(jurisdiction__ocd_id=denver, effective_until=None)
    assert (november.effective_from, november.effective_from_precision) == (
        date(2017, 11, 1),
        "month",
    )


@pytest.mark.django_db
def test_gluckstadt_is_a_place_in_madison_county_with_its_ban(shipped):
    gluckstadt = Jurisdiction.objects.get(ocd_id=f"{US}/state:ms/place:gluckstadt")
    # The 2020 census place merged into the project's place, not added again.
    assert not Jurisdiction.objects.filter(census_geoid="2827900").exclude(pk=gluckstadt.pk)
    assert (gluckstadt.population, gluckstadt.is_incorporated) == (3_208, True)
    assert [county.ocd_id for county in gluckstadt.counties.all()] == [
        f"{US}/state:ms/county:madison"
    ]
    assert gluckstadt.parent.ocd_id == f"{US}/state:ms"
    assert in_force(gluckstadt.ocd_id, "kratom", GATHERED_ON) == [("banned", None)]


@pytest.mark.django_db
def test_county_scope_and_rough_starts_come_from_the_reference(shipped):
    lee = LegalStatus.objects.get(jurisdiction__ocd_id=f"{US}/state:ms/county:lee")
    assert lee.applies_to == LegalStatus.AppliesTo.UNINCORPORATED
    tupelo = LegalStatus.objects.get(jurisdiction__ocd_id=f"{US}/state:ms/place:tupelo")
    assert (tupelo.effective_from, tupelo.effective_from_precision) == (date(2026, 2, 1), "month")
    malaysia = LegalStatus.objects.get(jurisdiction__ocd_id="ocd-division/country:my")
    assert (malaysia.effective_from, malaysia.effective_from_precision) == (
        date(2004, 1, 1),
        "year",
    )


@pytest.mark.django_db
def test_shipped_entries_are_honest_about_verification(shipped):
    alabama = LegalStatus.objects.get(
        jurisdiction__ocd_id=f"{US}/state:al", substance__slug="kratom"
    )
    assert alabama.last_verified_at == date(2026, 2, 19)  # its newest dated source
    assert not alabama.unverified
    vietnam = LegalStatus.objects.get(jurisdiction__ocd_id="ocd-division/country:vn")
    assert vietnam.unverified
    assert vietnam.last_verified_at == GATHERED_ON  # no source is dated
    assert ReviewFlag.objects.open().get(legal_status=vietnam).note == (
        "No Vietnamese official or news source found; treat as unverified.\n\n" + UNDATED_NOTE
    )
    low = LegalStatus.objects.filter(internal_notes__startswith="Confidence: low.")
    # Every low-confidence record of the files (82 before the second local pass added 22).
    written = sum(path.read_text().count("\n  confidence: low\n") for path in shipped_files())
    assert low.count() == written == 100
    assert set(low.values_list("unverified", flat=True)) == {True}
    assert ReviewFlag.objects.open().filter(legal_status__in=low).count() == 100


def lookup(client, query: str, day: date = GATHERED_ON, substance: str = "kratom") -> dict:
    """The API's answer for one substance, as a user of the running tracker would ask it."""
    response = client.get(
        "/api/v1/lookup/", {"q": query, "as_of": day.isoformat(), "substance": substance}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    return {"place": body["place"]["ocd_id"], **body["results"][0]}


@pytest.mark.django_db
def test_lookups_a_user_would_try_after_make_run(shipped, client):
    alabama = lookup(client, "Alabama")
    assert (alabama["status"], alabama["decided_by"]) == ("banned", f"{US}/state:al")
    assert lookup(client, "Alabama", substance="7-oh")["status"] == "banned"

    # A city that bans kratom inside a state that only restricts it.
    san_diego = lookup(client, "San Diego, CA")
    assert (san_diego["status"], san_diego["decided_by"]) == (
        "banned",
        f"{US}/state:ca/place:san_diego",
    )
    by_zip = lookup(client, "92101")
    assert by_zip["place"] == f"{US}/state:ca/place:san_diego"
    assert by_zip["status"] == "banned"
    assert [layer["approximate"] for layer in by_zip["layers"]][-1] is True

    # A country that changed its law, before and after.
    assert lookup(client, "Thailand", date(2020, 6, 1))["status"] == "banned"
    thailand_today = lookup(client, "TH")
    assert (thailand_today["status"], thailand_today["minimum_age"]) == ("regulated", 18)

    # Louisiana: 21+ in 2024, banned since August 2025.
    louisiana_2024 = lookup(client, "Louisiana", date(2024, 6, 1))
    assert (louisiana_2024["status"], louisiana_2024["minimum_age"]) == ("regulated", 21)
    assert lookup(client, "Louisiana")["status"] == "banned"


@pytest.mark.django_db
def test_the_second_local_pass_answers_fulton_and_each_activity(shipped, client):
    # Fulton, Mississippi answered "regulated 21+" before: Itawamba County and the town ban it.
    fulton = lookup(client, "38843")
    assert fulton["place"] == f"{US}/state:ms/place:fulton"
    assert fulton["status"] == "banned"
    activities = {a["activity"]: (a["rule"], a["decided_by"]) for a in fulton["activities"]}
    assert activities["sale"] == ("prohibited", f"{US}/state:ms/county:itawamba")
    assert activities["possession"] == ("prohibited", f"{US}/state:ms/county:itawamba")
    # What no local law addresses follows the next layer; what one leaves unknown stays unknown.
    assert activities["use"] == ("allowed", US)
    assert activities["manufacture"] == ("unknown", f"{US}/state:ms")

    # A corrected start: Kansas City's rule counts from its adoption day, not from 1 January.
    kansas_city = f"{US}/state:mo/place:kansas_city"
    assert lookup(client, "Kansas City, MO")["place"] == kansas_city
    assert in_force(kansas_city, "kratom", date(2026, 2, 11)) == []
    assert in_force(kansas_city, "kratom", date(2026, 2, 12)) == [("regulated", 21)]


@pytest.mark.django_db
def test_the_lookups_a_user_tries_on_the_shipped_data(shipped, client):
    def answer(query: str) -> dict:
        params = {"q": query, "substance": "kratom", "as_of": GATHERED_ON.isoformat()}
        body = client.get("/api/v1/lookup/", params).json()
        result = body["results"][0]
        return {
            "place": body["place"]["ocd_id"],
            "status": result["status"],
            "decided_by": result["decided_by"],
            "elsewhere": [(e["where"], e["status"]) for e in result["elsewhere"]],
            "layers": {la["ocd_id"]: la["standing"] for la in result["layers"]},
        }

    tupelo = answer("Tupelo MS")
    assert (tupelo["place"], tupelo["status"]) == (f"{US}/state:ms/place:tupelo", "banned")
    alton = answer("Alton, IL")
    assert (alton["place"], alton["status"]) == (f"{US}/state:il/place:alton", "banned")
    # Carbondale now shows its county's entry, which stops at the city limits.
    carbondale = answer("Carbondale, IL")
    assert carbondale["place"] == f"{US}/state:il/place:carbondale"
    assert carbondale["layers"][f"{US}/state:il/county:jackson"] == "outside_scope"
    gluckstadt = answer("Gluckstadt MS")
    assert (gluckstadt["place"], gluckstadt["status"]) == (
        f"{US}/state:ms/place:gluckstadt",
        "banned",
    )
    # ZIP 62002's postal city is Alton: the city, not its same-name township, and its ban.
    alton_zip = answer("62002")
    assert (alton_zip["place"], alton_zip["status"]) == (f"{US}/state:il/place:alton", "banned")
    # Saltillo's ZIP: the town bans it too, so there is no other side to tell.
    saltillo = answer("38866")
    assert (saltillo["place"], saltillo["status"]) == (f"{US}/state:ms/place:saltillo", "banned")
    assert saltillo["elsewhere"] == []
    # Shannon's ZIP: the town's answer, and the unincorporated-only Lee County ban beside it.
    shannon = answer("38868")
    assert (shannon["place"], shannon["status"]) == (f"{US}/state:ms/place:shannon", "regulated")
    assert shannon["elsewhere"][0] == (
        "outside the town limits, in unincorporated Lee County",
        "banned",
    )


@pytest.mark.django_db
def test_a_place_in_several_counties_answers_for_its_largest_part_and_names_the_others(
    shipped, client
):
    params = {"ocd_id": f"{US}/state:ms/place:jackson", "as_of": GATHERED_ON.isoformat()}
    body = client.get("/api/v1/lookup/", params).json()
    kratom = next(r for r in body["results"] if r["substance"] == "kratom")
    # Most of Jackson lies in Hinds County; Rankin County's ban reaches only its Rankin part.
    assert (kratom["status"], kratom["decided_by"]) == ("regulated", f"{US}/state:ms")
    assert (kratom["varies"], kratom["strictest"]) == (True, "banned")
    assert [(e["where"], e["status"], e["decided_by"]) for e in kratom["elsewhere"]] == [
        ("in the part of Jackson in Rankin County", "banned", f"{US}/state:ms/county:rankin")
    ]
    counties = [la for la in kratom["layers"] if la["level"] == "county"]
    assert [(la["name"], la["standing"]) for la in counties] == [
        ("Hinds County", "no_entry"),
        ("Madison County", "no_entry"),
        ("Rankin County", "other_part"),
    ]


@pytest.mark.django_db
def test_no_real_place_is_decided_by_the_county_of_a_smaller_part(shipped):
    """Every inhabited place in several counties, on the shipped data: the answer is its largest
    part's, and a smaller part that answers otherwise is named, never silently applied."""
    counties_of: dict[int, list[int]] = {}
    links = PlaceCounty.objects.filter(has_residents=True).order_by("place_id", "position")
    for place_id, county_id in links.values_list("place_id", "county_id"):
        counties_of.setdefault(place_id, []).append(county_id)
    several = {pk: ids for pk, ids in counties_of.items() if len(ids) > 1}
    places = Jurisdiction.objects.in_bulk(several)
    assert len(places) > 1000  # the census lists over a thousand such places

    answers = resolve_many([Target.of(place) for place in places.values()], on=GATHERED_ON)
    varying = 0
    for answer in answers:
        smaller_parts = set(several[answer.place.id][1:])
        for result in answer.results:
            assert result.decided_by is None or result.decided_by.id not in smaller_parts
            for side in result.elsewhere:
                assert side.status != result.status
                assert side.where.startswith(f"in the part of {answer.place.name} in ")
            varying += bool(result.elsewhere)
    assert varying > 0
