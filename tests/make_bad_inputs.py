"""Write the corpus of bad (and awkward but valid) inputs the hardening tests feed to ingestion.

Everything is generated, deterministically, in pure Python: a tiny PDF writer below produces text
pages with a CJK font (Identity-H with a ToUnicode map, so pdfminer reads the exact characters),
ruled or unruled tables, a broken cross-reference table and RC4 encryption (PDF standard security
handler, revision 2); PIL draws the scanned page; zipfile makes the Office files.

    python tests/make_bad_inputs.py [FOLDER]       # default: tests/bad_inputs/

`make_all(folder)` returns, for each file name, what ingestion must do with it (`Expect`).
"""

from __future__ import annotations

import hashlib
import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = next((ROOT / "samples").glob("*.pdf"))
PAGE_W, PAGE_H = 595, 842


@dataclass(frozen=True)
class Expect:
    """`error`: the words the one-line error must contain (any of them); None = must be ingested."""

    error: tuple[str, ...] | None
    note: str


# --------------------------------------------------------------------------- a tiny PDF writer


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


class _Encryption:
    """Standard security handler, revision 2 (40-bit RC4): PDF 1.7 spec, algorithms 2, 3 and 4."""

    def __init__(self, user: bytes, owner: bytes, file_id: bytes):
        self.file_id = file_id
        self.permissions = -44  # print and copy refused; any value works for reading
        self.o = _rc4(hashlib.md5((owner + _PAD)[:32]).digest()[:5], (user + _PAD)[:32])
        p = self.permissions.to_bytes(4, "little", signed=True)
        self.key = hashlib.md5((user + _PAD)[:32] + self.o + p + file_id).digest()[:5]
        self.u = _rc4(self.key, _PAD)

    def stream(self, num: int, data: bytes) -> bytes:
        k = hashlib.md5(self.key + num.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
        return _rc4(k, data)

    def dictionary(self) -> bytes:
        return (b"<< /Filter /Standard /V 1 /R 2 /O <" + self.o.hex().encode() + b"> /U <"
                + self.u.hex().encode() + b"> /P " + str(self.permissions).encode() + b" >>")


def _utf16_hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().upper().encode()


class Page:
    """Drawing operations for one page; coordinates from the top left, in points."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []
        self.chars: set[str] = set()

    def text(self, x: float, top: float, s: str, size: float = 10.0) -> None:
        self.chars |= set(s)
        y = PAGE_H - top - size
        self.ops.append(b"BT /F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm <%s> Tj ET" % (size, x, y, _utf16_hex(s)))

    def line(self, x0: float, top0: float, x1: float, top1: float) -> None:
        self.ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x0, PAGE_H - top0, x1, PAGE_H - top1))

    def width(self, s: str, size: float = 10.0) -> float:
        return sum(size * (0.5 if ord(c) < 128 else 1.0) for c in s)


def build_pdf(pages: list[Page], encrypt_user_password: bytes | None = None, broken_xref: bool = False) -> bytes:
    """PDF bytes for the pages: one Type0 font (Identity-H, ToUnicode), classic xref table."""
    objects: list[bytes | tuple[bytes, bytes]] = []  # dict bytes, or (stream dict, stream data)

    def add(obj: bytes | tuple[bytes, bytes]) -> int:
        objects.append(obj)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    chars = sorted(set().union(*(p.chars for p in pages)) | {" "})
    bfchar = [b"%d beginbfchar" % min(100, len(chars[k:k + 100])) + b"".join(
        b"\n<%s> <%s>" % (_utf16_hex(c), _utf16_hex(c)) for c in chars[k:k + 100]) + b"\nendbfchar"
        for k in range(0, len(chars), 100)]
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + b"\n".join(bfchar)
            + b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    to_unicode = add((b"", cmap))
    descriptor = add(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 860] "
                     b"/ItalicAngle 0 /Ascent 860 /Descent -140 /CapHeight 700 /StemV 80 >>")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
                   b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [32 126 500] "
                   b"/CIDToGIDMap /Identity >>" % descriptor)
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
               b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode))
    kids = []
    for p in pages:
        content = add((b"", b"0.5 w\n" + b"\n".join(p.ops)))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> "
                        b">> /Contents %d 0 R >>" % (tree, PAGE_W, PAGE_H, font, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = (b"<< /Type /Pages /Count %d /Kids [" % len(kids)
                         + b" ".join(b"%d 0 R" % k for k in kids) + b"] >>")
    file_id = hashlib.md5(b"".join(b"".join(p.ops) for p in pages)).digest()
    enc = _Encryption(encrypt_user_password, b"owner-secret", file_id) if encrypt_user_password is not None else None
    enc_num = add(enc.dictionary()) if enc else None

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % num)
        if isinstance(obj, tuple):
            data = enc.stream(num, obj[1]) if enc else obj[1]
            out.write(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        else:
            out.write(obj)
        out.write(b"\nendobj\n")
    xref_at = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        # a broken table: every offset points a few bytes off, as after careless editing
        out.write(b"%010d 00000 n \n" % (off + 7 if broken_xref else off))
    trailer = b"<< /Size %d /Root %d 0 R /ID [<%s> <%s>]" % (len(objects) + 1, catalog, file_id.hex().encode(),
                                                            file_id.hex().encode())
    trailer += b" /Encrypt %d 0 R >>" % enc_num if enc_num else b" >>"
    out.write(b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % (xref_at + 13 if broken_xref else xref_at))
    return out.getvalue()


# --------------------------------------------------------------------------- documents

DEPARTMENT = "示例县测试局"
THREE_PUBLIC = [("因公出国（境）费", "0.00", "0.00"), ("公务用车购置及运行费", "4.60", "2.43"),
                ("公务接待费", "0.83", "1.83"), ("合计", "5.43", "4.26")]


def _narrative(page: Page, lines: list[str], top: float = 60.0) -> float:
    for line in lines:
        page.text(60, top, line, 11)
        top += 20
    return top


def _table(page: Page, top: float, header: list[str], rows: list[tuple[str, ...]], ruled: bool,
           widths: list[float] | None = None) -> float:
    widths = widths or [200.0] + [110.0] * (len(header) - 1)
    x = [60.0]
    for w in widths:
        x.append(x[-1] + w)
    height = 22.0
    all_rows = [tuple(header)] + rows
    for i, row in enumerate(all_rows):
        t = top + i * height
        for j, cell in enumerate(row):
            size = 10.0
            if j == 0:
                page.text(x[j] + 4, t + 6, cell, size)
            else:  # figures right-aligned, as printed
                page.text(x[j + 1] - 4 - page.width(cell, size), t + 6, cell, size)
    bottom = top + len(all_rows) * height
    if ruled:
        for i in range(len(all_rows) + 1):
            page.line(x[0], top + i * height, x[-1], top + i * height)
        for xx in x:
            page.line(xx, top, xx, bottom)
    return bottom


def budget_pages(ruled: bool = True, year: int = 2025) -> list[Page]:
    """A small 部门预算: a title page with narrative figures and a 三公 table (ruled or not)."""
    p1 = Page()
    p1.text(120, 40, f"{DEPARTMENT}{year}年部门预算公开", 18)
    _narrative(p1, [
        "一、部门主要职责",
        f"{DEPARTMENT}负责全县测试工作的组织、协调和监督。",
        "二、“三公”经费预算情况说明",
        f"{year}年“三公”经费预算为5.43万元，比上年增加1.17万元。",
        "其中公务用车运行维护费4.60万元，公务接待费0.83万元。",
    ], top=90)
    p2 = Page()
    p2.text(150, 50, f"{year}年一般公共预算“三公”经费预算表", 14)
    p2.text(60, 80, f"部门名称：{DEPARTMENT}", 10)
    p2.text(440, 80, "单位：万元", 10)
    _table(p2, 100, ["项目", f"{year}年预算数", f"{year - 1}年预算数"], THREE_PUBLIC, ruled)
    return [p1, p2]


def long_pages(n: int, year: int = 2024) -> list[Page]:
    """A budget compilation of n pages: narrative on every page, a small ruled table on every tenth."""
    rng = random.Random(n)
    pages = []
    for k in range(n):
        p = Page()
        if k == 0:
            p.text(100, 40, f"{DEPARTMENT}{year}年部门决算汇编", 18)
        top = _narrative(p, [f"第{k + 1}部分 下属单位{k + 1}决算情况说明",
                             f"下属单位{k + 1}{year}年支出决算{rng.randint(100, 9999)}.{rng.randint(10, 99)}万元。",
                             "主要用于保障机构正常运转和完成日常工作任务。"] * 3, top=80)
        if k % 10 == 5:
            rows = [(f"项目{i}", f"{rng.randint(1, 999)}.{rng.randint(10, 99)}") for i in range(6)]
            _table(p, top + 20, ["项目", "决算数"], rows, True)
        pages.append(p)
    return pages


def report_pages() -> list[Page]:
    """Not a budget: a work report with a year and a table of counts."""
    p = Page()
    p.text(100, 40, "关于2024年春季植树活动的情况报告", 16)
    top = _narrative(p, ["各单位：", "2024年春季植树活动已经结束，现将有关情况报告如下。",
                         "全区共组织志愿者3200人次，栽植树木15600株。"], top=80)
    _table(p, top + 20, ["街道", "参加人数", "植树株数"],
           [("东街道", "1200", "5600"), ("西街道", "900", "4100"), ("南街道", "1100", "5900")], True)
    return [p]


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.'
                   'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>2025年部门预算</w:t></w:r></w:p>'
                   "</w:body></w:document>")
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main"><sheets><sheet name="三公经费" sheetId="1"/></sheets></workbook>')
    return buf.getvalue()


def _scanned() -> bytes:
    """A page as a scanner makes it: one image, no text layer."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(im)
    rng = random.Random(7)
    for k in range(40):  # lines of "text" and a ruled table, as dark strokes
        y = 150 + k * 36
        d.rectangle((120, y, 120 + rng.randint(300, 1000), y + 14), fill=rng.randint(20, 90))
    for x in (120, 520, 820, 1120):
        d.line((x, 900, x, 1400), fill=0, width=3)
    buf = io.BytesIO()
    im.save(buf, format="PDF", resolution=150)
    return buf.getvalue()


def make_all(folder: Path, long_pages_count: int = 300) -> dict[str, Expect]:
    """Write every input to `folder`; return file name -> what ingestion must do."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20250101)
    sample = SAMPLE.read_bytes()
    good = build_pdf(budget_pages(ruled=True))
    files: dict[str, tuple[bytes, Expect]] = {
        "empty.pdf": (b"", Expect(("empty",), "zero bytes")),
        "random-bytes.pdf": (rng.randbytes(8192), Expect(("not a PDF",), "random bytes named .pdf")),
        "html-page.pdf": (b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
                          Expect(("not a PDF",), "a web error page saved as .pdf")),
        "truncated.pdf": (sample[: len(sample) // 3], Expect(("corrupt", "truncated"), "the sample cut at 1/3")),
        "header-only.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Expect(("corrupt", "truncated", "no pages"),
                                                                    "a PDF header and nothing else")),
        f"{DEPARTMENT}2025年部门预算（交叉引用表损坏）.pdf": (
            build_pdf(budget_pages(ruled=True), broken_xref=True),
            Expect(None, "every xref offset and startxref wrong: the reader rebuilds the table by scanning")),
        f"{DEPARTMENT}2025年部门预算（加密）.pdf": (
            build_pdf(budget_pages(ruled=True), encrypt_user_password=b"secret"),
            Expect(("encrypted",), "RC4 40-bit, user password 'secret'")),
        "scanned-budget.pdf": (_scanned(), Expect(("OCR", "scanned"), "one image per page, no text layer")),
        f"{DEPARTMENT}2024年部门决算汇编（{long_pages_count}页）.pdf": (
            build_pdf(long_pages(long_pages_count)), Expect(None, f"{long_pages_count} pages of narrative and tables")),
        "植树活动情况报告.pdf": (build_pdf(report_pages()), Expect(("not a budget",), "a work report, no 预算/决算")),
        f"{DEPARTMENT}2025年部门预算（无表格线）.pdf": (
            build_pdf(budget_pages(ruled=False)), Expect(None, "the 三公 table printed without ruling lines")),
        f"{DEPARTMENT}2025年部门预算.pdf": (good, Expect(None, "the same document, well formed (control)")),
        "部门预算.docx.pdf": (_docx(), Expect(("Office",), "a Word file renamed .pdf")),
        "三公经费.xlsx.pdf": (_xlsx(), Expect(("Office",), "an Excel file renamed .pdf")),
        "old-word.doc.pdf": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + rng.randbytes(1024),
                             Expect(("Office",), "a legacy Word/Excel (OLE) file renamed .pdf")),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: e for name, (_, e) in files.items()}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "bad_inputs"
    for name, e in make_all(folder).items():
        print(f"{name}\t{'ingested' if e.error is None else 'error: ' + '/'.join(e.error)}\t{e.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))



