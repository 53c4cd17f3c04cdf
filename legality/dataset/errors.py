"""What is wrong with the seed files: each problem at its file and line, and the error that
lists them all."""

from collections.abc import Sequence
from dataclasses import dataclass

from legality.errors import TrackerError


@dataclass(frozen=True)
class RecordError:
    """One problem in a seed file, at the line of the value (or record) that has it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


class DatasetError(TrackerError):
    """The seed files have errors and nothing was written; `errors` lists every one of them."""

    def __init__(self, errors: Sequence[RecordError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0))
        super().__init__("\n".join(str(error) for error in self.errors))
