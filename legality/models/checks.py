"""What the link checker saw, and the locks that keep one run of each job at a time."""

from django.db import models

from .statuses import Source


class SourceCheck(models.Model):
    """One fetch of a source's URL by the link checker (the source keeps only the latest)."""

    # CASCADE: the checks are the checker's log about a source, not a legal fact; they go with it.
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="checks", help_text="The source checked."
    )
    checked_at = models.DateTimeField(help_text="When the check ran.")
    url = models.URLField(max_length=1000, help_text="The URL fetched.")
    http_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last response; empty if none came."
    )
    error = models.CharField(
        max_length=300, blank=True, help_text="Why the check failed, or what it could not do."
    )
    final_url = models.URLField(max_length=1000, blank=True, help_text="URL after redirects.")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the body; empty when not read whole."
    )
    is_reachable = models.BooleanField(help_text="A 2xx response came back.")
    has_changed = models.BooleanField(
        default=False, help_text="The body's hash differs from the previous check's."
    )
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Tries, with retries.")

    class Meta:
        ordering = ["-checked_at"]
        indexes = [
            # Serves "the latest checks of a source" in the admin and the review queue.
            models.Index(fields=["source", "-checked_at"], name="sourcecheck_source_latest"),
        ]

    def __str__(self) -> str:
        outcome = self.http_status or self.error or "no answer"
        return f"{self.url} at {self.checked_at:%Y-%m-%d %H:%M}: {outcome}"


class JobLock(models.Model):
    """A lock that lets one run of a scheduled job proceed at a time, shared by every process.

    Held while `expires_at` is in the future; a crashed run's lock simply expires. Taken by an
    insert (the unique name settles a race) or by a conditional update of an expired row.
    """

    name = models.CharField(max_length=100, unique=True, help_text="The job, e.g. flag_stale.")
    owner = models.CharField(max_length=64, help_text="Random token of the run holding it.")
    acquired_at = models.DateTimeField(help_text="When the current holder took it.")
    expires_at = models.DateTimeField(help_text="When it lapses if the holder never releases it.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} until {self.expires_at:%Y-%m-%d %H:%M}"
