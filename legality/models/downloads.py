"""Public downloads built by a job and stored in the database (web and worker share no disk)."""

from django.db import models


class ZipTable(models.Model):
    """The ZIP table: every US ZIP code with its answer per substance, as one CSV document.

    One row per table (`name`); each build replaces it. The build records the dataset version it
    read, so the job knows when the data changed since.
    """

    name = models.CharField(
        max_length=40, unique=True, help_text="Which table: 'us' (every US ZIP code)."
    )
    as_of = models.DateField(help_text="The day the answers are for (the date of the data).")
    dataset_changed_at = models.DateTimeField(
        help_text="The dataset's last change when the table was built (its version)."
    )
    built_at = models.DateTimeField(help_text="When the table was built.")
    zip_codes = models.PositiveIntegerField(help_text="How many ZIP codes the table has.")
    etag = models.CharField(max_length=64, help_text="A hash of the content (HTTP ETag).")
    content = models.TextField(help_text="The CSV document, with its header row.")

    class Meta:
        verbose_name = "ZIP table"

    def __str__(self) -> str:
        return f"ZIP table {self.name} for {self.as_of}"
