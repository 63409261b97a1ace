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
