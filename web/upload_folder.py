"""Gradio's upload folder: which paths a page event may name (only regular files inside it), a private
folder per `serve` process removed at exit, and removal of uploads once they have been read."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MB = 1024 * 1024
_EMPTY_TEMP_AGE_S = 60.0


def _file_objects(data: Any) -> Iterator[dict]:
    """Every dict in a JSON value that names a file (has a "path" key), without recursion."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "path" in x:
                yield x
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


def check_file_paths(data: Any, upload_dir: Path, max_bytes: int) -> str | None:
    """None when every file object names a regular file inside `upload_dir` (symlinks resolved);
    else the reason, for a 400. Only the file's metadata is read, never its content."""
    root = Path(os.path.realpath(upload_dir))
    for obj in _file_objects(data):
        path = obj.get("path")
        if not isinstance(path, str) or not path or "\x00" in path:
            return "文件对象的 path 字段无效。"
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            return "只能使用本页上传的文件；请求里指定的服务器路径已被拒绝。"
        try:
            st = os.lstat(real)
        except OSError:
            log.info("upload file object %s refused", path[:200], exc_info=True)
            return "指定的上传文件不存在或已过期，请重新上传。"
        if not stat.S_ISREG(st.st_mode):
            return "只能使用本页上传的文件；请求里指定的服务器路径已被拒绝。"
        if st.st_size > max_bytes:
            return f"文件大于 {max_bytes // MB} MB 的上限。"
    return None


def upload_folder() -> Path:
    """Gradio's upload folder as Gradio computes it (GRADIO_TEMP_DIR, else <tmp>/gradio)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


@contextlib.contextmanager
def private_upload_folder() -> Iterator[Path]:
    """For `serve`: Gradio's uploads and cache in a folder of this process's own (mode 0700), removed
    when the server stops, instead of the machine-wide <tmp>/gradio shared by every Gradio app."""
    if os.environ.get("GRADIO_TEMP_DIR"):
        yield Path(os.environ["GRADIO_TEMP_DIR"])
        return
    folder = Path(tempfile.mkdtemp(prefix="budgetqa-uploads-"))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    # uvicorn stops on SIGTERM and then re-raises it: with the default handler the process would die
    # before this block's cleanup runs; as SystemExit it unwinds through it
    old = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield folder
    finally:
        signal.signal(signal.SIGTERM, old)
        os.environ.pop("GRADIO_TEMP_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)


def _exit_on_sigterm(_signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signal.SIGTERM)


def remove_uploaded(paths: list[str] | None) -> None:
    """Delete the page's uploaded files (and their folders, when empty) once they have been read;
    only files inside the upload folder are touched."""
    root = Path(os.path.realpath(upload_folder()))
    for p in paths or []:
        real = Path(os.path.realpath(p))
        if root not in real.parents:
            continue
        with contextlib.suppress(OSError):
            real.unlink()
        with contextlib.suppress(OSError):
            if real.parent != root:
                real.parent.rmdir()  # only when empty
    # gr.File's preprocess leaves an empty NamedTemporaryFile in the folder's root on every call; an
    # upload still streaming writes its own tmp file there too, so only old empty ones go
    now = time.time()
    with contextlib.suppress(OSError):
        for leftover in root.glob("tmp*"):
            st = leftover.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_size == 0 and now - st.st_mtime > _EMPTY_TEMP_AGE_S:
                leftover.unlink(missing_ok=True)
