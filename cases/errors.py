"""The exceptions the store's services raise. Views turn them into HTTP answers, the CLI into messages.

CasesError
├── NotFoundError        an object does not exist, or the caller may not know it exists (→ 404)
├── ForbiddenError       the caller's role may not do this (→ 403)
├── ConflictError        it already exists, or the state does not allow it (→ 409)
├── InvalidInputError    the input is wrong; ``problems`` lists every problem (→ 422)
├── CsvFormatError       a CSV file as a whole cannot be imported (no header, no host column)
├── DeliveryError        a channel could not hand a notice over (tried again, or back to review if permanent)
└── PairDoneError        another run finished a (site, job) pair first: this run's results roll back
"""

from __future__ import annotations


class CasesError(Exception):
    """Base of every error raised on purpose by ``cases`` services."""


class NotFoundError(CasesError):
    """Raised when an object does not exist or belongs to another tenant (both look the same)."""


class ForbiddenError(CasesError):
    """Raised when the caller's role does not allow the action."""


class ConflictError(CasesError):
    """Raised when an object already exists or its state does not allow the change."""


class InvalidInputError(CasesError):
    """Raised when input is wrong; ``problems`` holds one message per problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class CsvFormatError(CasesError):
    """Raised when the file as a whole cannot be imported (no header, no host column)."""


class DeliveryError(CasesError):
    """Raised by a channel when the notice could not be handed over: nothing left.

    ``permanent`` says that sending it again as it stands cannot succeed (a recipient address or a
    header that is not valid): the outbox then sends the notice back to review instead of retrying it.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class PairDoneError(CasesError):
    """Raised by :func:`finish_job` when another run finished the pair after this one started.

    Raised inside the transaction that stores the job's results, so they roll back: a run that
    lost its claim (its worker was thought dead and the job given to another) stores nothing.
    """


def message_of(exc: CasesError) -> str:
    """The message `exc` was raised with: a :class:`cases.messages.Said` where the service built it with
    ``said()`` (so a page can say it in its reader's language), else its text."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, str) else str(exc)
