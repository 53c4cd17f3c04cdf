from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legality", "0018_copy_place_counties")]

    operations = [
        migrations.RemoveField(model_name="jurisdiction", name="counties"),
        migrations.AddField(
            model_name="jurisdiction",
            name="counties",
            field=models.ManyToManyField(
                blank=True,
                help_text="For a place: the county-level divisions it lies in (2020 Census), "
                "largest population first.",
                related_name="places_within",
                through="legality.PlaceCounty",
                through_fields=("place", "county"),
                to="legality.jurisdiction",
            ),
        ),
    ]
