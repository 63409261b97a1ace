"""One logging configuration for every entry point (the CLI, the web app).

Operators read ``HOME/budgetqa.log``: every caught exception is logged there with its traceback, while
the user sees one line (`budgetqa.errors.one_line`). Modules log through ``logging.getLogger(__name__)``
and never configure logging themselves."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from budgetqa.settings import Settings

# the project's top-level packages and modules: their records go to the log file
OUR_LOGGERS = ("app", "cli", "web", "library", "assistant", "ingest", "vectorstore", "eval", "budgetqa")
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_MARK = "_budgetqa_handler"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The operator's log file. A home that cannot be written (read-only, full) loses the record, never
    shows the user logging's own traceback on stderr: the user's one line has been said already."""

    def handleError(self, record: logging.LogRecord) -> None:
        return None


def configure_logging(settings: Settings) -> Path:
    """Send our loggers' records to settings.log_file (rotated at 5 MB); safe to call more than once,
    the last call's file wins. Returns the log file's path."""
    settings.ensure_home()
    path = settings.log_file
    handler = _LogFile(path, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    setattr(handler, _MARK, True)
    level = logging.getLevelName(settings.log_level.upper())
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _MARK, False)]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(level if isinstance(level, int) else logging.INFO)
    return path
