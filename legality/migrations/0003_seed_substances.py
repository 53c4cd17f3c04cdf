from django.db import migrations

SUBSTANCES = [
    (
        "kratom",
        "Kratom",
        "Mitragyna speciosa: leaf powder, capsules, extracts and liquid kratom shots.",
    ),
    (
        "7-oh",
        "7-OH",
        "Products concentrated in 7-hydroxymitragynine, a kratom alkaloid, often semi-synthetic.",
    ),
]


def seed_substances(apps, schema_editor):
    Substance = apps.get_model("legality", "Substance")
    for slug, name, description in SUBSTANCES:
        Substance.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("legality", "0002_models")]
    operations = [migrations.RunPython(seed_substances, migrations.RunPython.noop)]
