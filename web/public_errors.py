"""Errors as a web client may see them: one line, no server path (the home becomes $BUDGETQA_HOME,
other absolute paths '…'), storage failures (read-only or full home) in plain words."""

from __future__ import annotations

import errno
import re
from pathlib import Path

from budgetqa.errors import BudgetQAError

_PATHISH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"，。；：,;:()（）]+){2,}[/\\]?")


def scrub_paths(text: str, home: Path | None = None) -> str:
    """A message with server paths taken out: the home becomes $BUDGETQA_HOME, other absolute paths '…'."""
    if home is not None:
        for form in {str(home), str(home.resolve())}:
            if len(form) > 1:
                text = text.replace(form, "$BUDGETQA_HOME")
    return _PATHISH.sub("…", text)


def public_message(exc: BaseException, home: Path | None = None) -> str:
    """An exception as the one line a client may see."""
    if isinstance(exc, OSError) and not isinstance(exc, BudgetQAError):
        return storage_message(exc)
    text = " ".join(str(exc).split())
    if not isinstance(exc, BudgetQAError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return scrub_paths(text, home)[:300]


def storage_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "服务器存储空间已满，暂时无法完成这个请求；请联系管理员清理磁盘。"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "服务器的数据目录是只读的，无法完成这个请求；请联系管理员（BUDGETQA_HOME 需要可写）。"
    return f"服务器读写文件时出错（{exc.strerror or type(exc).__name__}），请稍后再试或联系管理员。"
