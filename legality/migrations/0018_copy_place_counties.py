"""Copy the place-county links into PlaceCounty before `counties` starts using it as its
through model (the next migration), so a curator's links (Gluckstadt's) are kept."""

from django.db import migrations


def copy_links(apps, schema_editor):
    Jurisdiction = apps.get_model("legality", "Jurisdiction")
    PlaceCounty = apps.get_model("legality", "PlaceCounty")
    old = Jurisdiction.counties.through.objects.values_list(
        "from_jurisdiction_id", "to_jurisdiction_id"
    )
    PlaceCounty.objects.bulk_create(
        (PlaceCounty(place_id=place, county_id=county) for place, county in old.iterator()),
        batch_size=2000,
    )


def copy_back(apps, schema_editor):
    Jurisdiction = apps.get_model("legality", "Jurisdiction")
    PlaceCounty = apps.get_model("legality", "PlaceCounty")
    through = Jurisdiction.counties.through
    links = PlaceCounty.objects.values_list("place_id", "county_id")
    through.objects.bulk_create(
        (through(from_jurisdiction_id=p, to_jurisdiction_id=c) for p, c in links.iterator()),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("legality", "0017_place_census_facts")]

    operations = [migrations.RunPython(copy_links, copy_back)]
