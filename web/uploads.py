"""Upload rules: the admin token, PDF only, a size limit, and safe names for stored files."""

from __future__ import annotations

import hmac
import re
import tempfile
import unicodedata
from pathlib import Path

from budgetqa.errors import NotAllowed, UploadRejected
from budgetqa.settings import Settings

PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # the PDF spec lets a few junk bytes precede the header


def check_admin(settings: Settings, given: str | None) -> None:
    """Raise NotAllowed unless an admin token is configured and `given` matches it."""
    if not settings.admin_token:
        raise NotAllowed("本服务未设置管理口令（环境变量 BUDGETQA_ADMIN_TOKEN），上传和删除文档已停用。")
    if not given or not hmac.compare_digest(given.strip().encode("utf-8"), settings.admin_token.encode("utf-8")):
        raise NotAllowed("管理口令不正确，不能上传或删除文档。")


def safe_pdf_name(name: str | None) -> str:
    """The base name of an uploaded file, with no path parts or control characters: it becomes the
    document's name and its file name under files_dir, so nothing may point outside that folder."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".").strip()
    if not base:
        raise UploadRejected(f"文件名 {name!r} 无效，请改名后再上传。")
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    while len(base.encode("utf-8")) > 200:  # most file systems stop at 255 bytes
        base = base[:-5] + ".pdf"
    return base


def check_pdf(name: str, data: bytes, max_mb: int) -> None:
    if len(data) > max_mb * 1024 * 1024:
        raise UploadRejected(f"{name}：文件大小 {len(data) / 1048576:.1f} MB，超过 {max_mb} MB 的上限。")
    if not data:
        raise UploadRejected(f"{name}：文件是空的。")
    if PDF_MAGIC not in data[:_HEADER_WINDOW]:
        raise UploadRejected(f"{name}：不是 PDF 文件（文件开头没有 %PDF 标记），只能上传 PDF。")


def stage_upload(settings: Settings, name: str | None, data: bytes) -> Path:
    """Check an upload and write it to a private staging folder under home; the returned path's name is
    the document name. The caller ingests it and removes path.parent."""
    safe = safe_pdf_name(name)
    check_pdf(safe, data, settings.max_upload_mb)
    files_dir = settings.files_dir.resolve()
    if (files_dir / safe).resolve().parent != files_dir:
        raise UploadRejected(f"文件名 {name!r} 无效，请改名后再上传。")
    settings.ensure_home()
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=settings.home))
    dest = staging / safe
    dest.write_bytes(data)
    return dest
