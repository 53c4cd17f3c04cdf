"""What each run of a scheduled job did: written by the Celery tasks and the commands alike."""

from django.db import models
from django.db.models import OuterRef, Q, Subquery


class JobRunQuerySet(models.QuerySet):
    def running(self) -> "JobRunQuerySet":
        return self.filter(outcome=JobRun.Outcome.RUNNING)

    def succeeded(self) -> "JobRunQuerySet":
        return self.filter(outcome=JobRun.Outcome.SUCCESS)

    def latest_of_each_job(self) -> "JobRunQuerySet":
        """The newest run of each job, whatever its outcome, by job name."""
        newest = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at", "-pk")
        return self.filter(pk=Subquery(newest.values("pk")[:1])).order_by("job")


class JobRun(models.Model):
    """One run of a job (`flag_stale_entries`, `check_sources`, `staleness_report`).

    A row is written as the run starts (`running`) and finished with its outcome. A run that found
    the job's lock held is recorded as `skipped`, naming the run that held it. A run whose process
    died stays `running` until the next run of the job takes the lock and marks it `failed`.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped: another run held the lock"

    class Trigger(models.TextChoices):
        TASK = "task", "Celery task"
        COMMAND = "command", "Management command"

    job = models.CharField(max_length=100, help_text="The job's name, e.g. flag_stale_entries.")
    trigger = models.CharField(
        max_length=10, choices=Trigger.choices, help_text="What started it: a task or a command."
    )
    task_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="Celery task id; a redelivered task keeps its id. Empty for commands.",
    )
    worker = models.CharField(
        max_length=255, blank=True, help_text="host:pid of the process that ran it."
    )
    started_at = models.DateTimeField(help_text="When the run started.")
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When it ended; empty while running (or if it died)."
    )
    duration = models.DurationField(
        null=True, blank=True, help_text="finished_at - started_at; empty while running."
    )
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, help_text="running, success, failed or skipped."
    )
    # SET_NULL: the run log is pruned oldest first; a skip keeps its own row when the holder goes.
    held_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Skipped runs: the run that held the job's lock.",
    )
    summary = models.JSONField(
        default=dict, blank=True, help_text="The job's counts, or the error that ended it."
    )

    objects = JobRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["running", "success", "failed", "skipped"]),
                name="jobrun_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["task", "command"]), name="jobrun_trigger_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="running") | Q(finished_at__isnull=False),
                name="jobrun_finished_unless_running",
            ),
        ]
        indexes = [
            # Serves "the last successful run of each job" (/healthz, the dashboard).
            models.Index(fields=["job", "outcome", "-started_at"], name="jobrun_job_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"
