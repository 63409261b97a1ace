"""Errors shown to users as one line: they name the file or value and say what to do."""


class BudgetQAError(Exception):
    """Base of all errors whose message is fit to show a user as it is."""


class DocumentError(BudgetQAError):
    """A file could not be ingested."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StoreError(BudgetQAError):
    """The store under BUDGETQA_HOME is missing, locked or inconsistent."""


class QuestionError(BudgetQAError):
    """A question or request field is not acceptable."""


class GoldFileError(BudgetQAError):
    """A gold file line is malformed."""


class UploadRejected(BudgetQAError):
    """An uploaded file or a request field is not acceptable (HTTP 400)."""


class NotAllowed(BudgetQAError):
    """Upload or removal without a valid admin token (HTTP 403)."""


class NotFound(BudgetQAError):
    """A named document or page does not exist (HTTP 404)."""


def one_line(exc: BaseException) -> str:
    """An exception as one short line fit for a user (the traceback belongs in the log)."""
    text = " ".join(str(exc).split())
    if not isinstance(exc, BudgetQAError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:300]
