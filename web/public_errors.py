"""Errors as a web client may see them: one line, no server path (the home becomes $BUDGETQA_HOME,
other absolute paths '…'), storage failures (read-only or full home) in plain words."""

from __future__ import annotations

import errno
import logging
import re
from pathlib import Path

from budgetqa.errors import BudgetQAError, NotAllowed, NotFound, QuestionError, UploadRejected

log = logging.getLogger(__name__)

_PATHISH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"，。；：,;:()（）]+){2,}[/\\]?")


def scrub_paths(text: str, home: Path | None = None) -> str:
    """A message with server paths taken out: the home becomes $BUDGETQA_HOME, other absolute paths '…'."""
    if home is not None:
        for form in {str(home), str(home.resolve())}:
            if len(form) > 1:
                text = text.replace(form, "$BUDGETQA_HOME")
    return _PATHISH.sub("…", text)


GENERAL = "服务器未能完成这个请求，原因已记入服务器日志；请稍后再试或联系管理员。"


def public_message(exc: BaseException, home: Path | None = None) -> str:
    """An exception as the one Chinese line a client may see (no server path, no English internals)."""
    if isinstance(exc, OSError) and not isinstance(exc, BudgetQAError):
        return storage_message(exc)
    if not isinstance(exc, BudgetQAError):  # an unexpected failure: its words are for the log
        return GENERAL
    text = scrub_paths(" ".join(str(exc).split()), home)
    if isinstance(exc, (QuestionError, UploadRejected, NotAllowed, NotFound)):  # the web layer's own, in Chinese
        return text[:300]
    return (translated(text) or GENERAL)[:300]


def storage_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "服务器存储空间已满，暂时无法完成这个请求；请联系管理员清理磁盘。"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "服务器的数据目录是只读的，无法完成这个请求；请联系管理员（BUDGETQA_HOME 需要可写）。"
    return f"服务器读写文件时出错（{exc.strerror or type(exc).__name__}），请稍后再试或联系管理员。"


# What library/ and ingest/ say in English about a file, as one Chinese line for the page and the API:
# (pattern over the reason, the Chinese reason; groups fill {1}, {2} …). The first match wins.
_INGEST_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), zh) for p, zh in [
    (r"^is empty \(0 bytes\)", "文件是空的（0 字节），请重新下载后再上传。"),
    (r"^is a Word/Excel \(Office\) file", "这是 Word/Excel 文件，不是 PDF；请先另存为 PDF 再上传。"),
    (r"^is not a PDF", "不是 PDF 文件，只能上传 PDF。"),
    (r"^is encrypted", "PDF 设有密码保护，无法读取；请向发布单位索取未加密的版本。"),
    (r"^is a corrupt or truncated PDF", "PDF 文件已损坏或不完整，请重新下载后再上传。"),
    (r"^has no pages", "PDF 里没有任何页面，请重新下载后再上传。"),
    (r"^has (\d+) pages, more than the limit (\d+)", "共 {1} 页，超过了 {2} 页的上限（BUDGETQA_MAX_PAGES）；请拆分后再上传。"),
    (r"^page (\d+) cannot be read", "第 {1} 页无法读取，文件可能已损坏；请重新下载后再上传。"),
    (r"^has no text layer", "这是扫描件（只有图片，没有文字层）；请先做文字识别（OCR，例如 ocrmypdf）再上传。"),
    (r"^took longer than ([\d.]+) s to read", "读取超过 {1} 秒仍未完成（BUDGETQA_PAGE_TIMEOUT_S），文件可能已损坏；也可以拆分成较小的文件再上传。"),
    (r"^needs more than (\d+) MB of memory", "读取需要超过 {1} MB 内存，文件可能已损坏。"),
    (r"^(?:could not be read|cannot be read)", "文件无法读取，可能已损坏；请重新下载后再上传。"),
    (r"^is not a budget document", "不是部门预算或部门决算（标题、正文和表格标题里都没有“预算”“决算”）；只能导入部门预算、决算 PDF。"),
    (r"^is a blank template \(the department is printed as '([^']*)'",
     "是空白模板（部门名称处印的是“{1}”）；请上传部门正式公开的文件。"),
    (r"^names no department", "封面、表格上方和正文里都没有写明部门名称（如“部门：…”）；请确认它是部门预算或决算。"),
    (r"^no budget year found", "标题和文件名里都没有预算年度；请在文件名里写上年度（如“2025年…”）后再上传。"),
    (r"^could not be stored", "保存失败，没有留下任何数据；请检查服务器的磁盘空间（以及 Chroma 服务器），然后重新上传。"),
    (r"is locked by process", "文档库正被另一个导入或删除任务占用，请稍后再试。"),
    (r"^cannot write to the store", "服务器的数据目录不可写，无法导入；请联系管理员（BUDGETQA_HOME 需要可写）。"),
    (r"holds vectors of the embedding model", "服务器的检索索引与当前设置的向量模型不一致，无法导入；请联系管理员检查 BUDGETQA_EMBED_MODEL。"),
    (r"^another version of .+? \((.+?)\) disagrees on (\d+) of (\d+) figures",
     "与同一部门同一年度的另一个版本《{1}》有 {2} 个数字不一致（共比较 {3} 个），请核对用的是哪个版本。"),
]]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_NOT_WORDS = re.compile(r"'[^']*'|\"[^\"]*\"|《[^》]*》|“[^”]*”|\S+\.pdf\b|\bBUDGETQA_\w+|\bPDF\b|\bJSON\b|\bMB\b", re.I)


def translated(text: str) -> str | None:
    """`text` in Chinese: a known English reason translated, a Chinese one as it is; None otherwise."""
    for pattern, zh in _INGEST_REASONS:
        m = pattern.search(text)
        if m:
            return zh.format("", *(g or "" for g in m.groups()))  # {1}, {2} … are the pattern's groups
    words = _NOT_WORDS.sub("", text)  # names, file names and setting names are no language
    if len(_HAN.findall(words)) >= len(_LATIN.findall(words)):  # already Chinese (web/uploads.py's rules)
        return text
    if text:
        log.info("no Chinese wording for the message %r (web/public_errors.py)", text[:300])
    return None


def ingest_reason(message: str, name: str | None = None) -> str:
    """Why a file was not ingested (or what to check after), in Chinese, without the file's name in
    front: the reasons library/ and ingest/ give in English are translated here; a message already in
    Chinese is kept. An English reason nobody translated yet becomes a general line (the log has it)."""
    text = " ".join((message or "").split())
    named = re.match(r"^(.{1,255}?\.pdf)(?:: |：)", text, re.IGNORECASE)  # "<file>.pdf: reason"
    if name and re.match(rf"^{re.escape(name)}(?:: |：)", text):
        text = text[len(name) + 1:].lstrip()
    elif named:
        text = text[named.end():]
    if not text:
        return ""
    return (translated(scrub_paths(text)) or "导入失败，原因已记入服务器日志；请确认它是可以打开的部门预算或决算 PDF，或联系管理员。")
