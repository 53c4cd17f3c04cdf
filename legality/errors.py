"""Domain errors: why the tracker refused a write or cannot answer, in words for the reader.

Each error's message is written for the person who asked, so callers show `str(error)` as it is:
views map these errors to 400 or 404, management commands to CommandError, the admin to form
errors or messages. Subclasses may take structured arguments and build their message from them.
"""


class TrackerError(Exception):
    """Base of the tracker's domain errors; `str(error)` is the reader-facing message."""

    default_message = "The tracker cannot do that."

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)


class OverlappingPeriod(TrackerError):
    """Two periods of one jurisdiction and substance would overlap.

    Raised with clean()'s message (naming the entry in the way) when a concurrent write got past
    the check and the PostgreSQL exclusion constraint stopped the second one.
    """

    default_message = "Periods of one jurisdiction and substance may not overlap."


class NotPublishable(TrackerError):
    """A published entry must say where it comes from."""

    default_message = (
        "A published entry needs at least one source with a URL or a citation: add a source, "
        "or leave the entry unpublished."
    )


class FlagAlreadyClosed(TrackerError):
    """A review flag was resolved or dismissed by someone else (or a job) first."""

    default_message = "This review flag is already closed: another curator or a job closed it."


class EditConflict(TrackerError):
    """Someone saved the entry after this edit began; saving it would undo their change."""

    default_message = (
        "Another curator saved this entry after you opened it. Reload it and make your changes "
        "again."
    )
