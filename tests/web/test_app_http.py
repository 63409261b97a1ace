"""The JSON API served by the web app's process (CONTRACT.md, HTTP): answers, documents, admin-only upload
and removal, and errors that are always one line of JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE, copy_home
from fastapi.testclient import TestClient

QUESTION = "车辆维护的预算是多少？"
TOKEN = "test-admin-token-7f3a"


def _client(home: Path, admin_token: str | None) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUDGETQA_HOME", str(home))
        mp.setenv("BUDGETQA_EMBED_MODEL", "hash")
        if admin_token:
            mp.setenv("BUDGETQA_ADMIN_TOKEN", admin_token)
        else:
            mp.delenv("BUDGETQA_ADMIN_TOKEN", raising=False)
        from app import build_app
        from budgetqa.settings import load_settings

        app = build_app(load_settings())
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app started on an empty home: it ingests the bundled sample itself."""
    yield from _client(tmp_path_factory.mktemp("web") / "home", TOKEN)


@pytest.fixture(scope="module")
def home(client: TestClient) -> Path:
    return client.app.state.backend.settings.home  # type: ignore[attr-defined]


def _error_line(r) -> str:  # type: ignore[no-untyped-def]
    body = r.json()
    assert set(body) >= {"error"} and isinstance(body["error"], str) and body["error"]
    assert "\n" not in body["error"] and "Traceback" not in body["error"]
    return body["error"]


def test_ask_vehicle_maintenance_cites_the_three_public_table(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": QUESTION, "department": None, "year": None, "history": []})
    assert r.status_code == 200
    a = r.json()
    assert a["status"] == "answered" and a["value"] == 4.6 and a["unit"] == "万元"
    assert a["question"] == QUESTION and "4.60" in a["answer"]
    assert any(c["page"] == 22 and c["document"] == SAMPLE.name for c in a["citations"]), a["citations"]


DEPT = "洛阳市西工区人民政府办公室"


def test_follow_up_question_uses_history(client: TestClient) -> None:
    first = client.post("/api/ask", json={"question": QUESTION}).json()
    history = [{"role": "user", "content": QUESTION},
               {"role": "assistant", "content": first["answer"], "answer": first}]
    a = client.post("/api/ask", json={"question": "那公务接待费呢？", "history": history}).json()
    assert a["status"] == "answered" and a["value"] == 0.83 and a["unit"] == "万元"


def test_department_year_and_history_reach_the_assistant(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.records import Answer

    calls = []

    class Recorder:
        def ask(self, question, history=None, department=None, year=None, kind=None):  # type: ignore[no-untyped-def]
            calls.append((question, history, department, year, kind))
            return Answer(question=question, status="not_found", answer="没有")

    monkeypatch.setattr(client.app.state.backend, "_assistant", Recorder())  # type: ignore[attr-defined]
    history = [{"role": "user", "content": "上一个问题"}, "junk"]
    r = client.post("/api/ask", json={"question": f"  {QUESTION} ", "department": DEPT, "year": "2024",
                                      "history": history, "kind": "决算"})
    assert r.status_code == 200 and r.json()["status"] == "not_found"
    assert calls[0] == (QUESTION, [{"role": "user", "content": "上一个问题"}], DEPT, 2024, "决算")
    # after it, only the did-you-mean questions (web/suggest.py), asked on their own under the same filters
    assert all(c[1] == [] and c[2:] == (DEPT, 2024, "决算") for c in calls[1:])


def test_unknown_department_filter_is_a_400_naming_the_field_and_the_known_ones(client: TestClient) -> None:
    """It used to be answered not_found, as if the documents did not say."""
    r = client.post("/api/ask", json={"question": QUESTION, "department": "某部门"})
    assert r.status_code == 400
    line = _error_line(r)
    assert "department" in line and "某部门" in line and DEPT in line and "\n" not in line
    assert client.post("/api/ask", json={"question": QUESTION, "department": DEPT}).json()["value"] == 4.6


def test_documents_list_the_sample_ingested_on_first_start(client: TestClient, home: Path) -> None:
    r = client.get("/api/documents")
    assert r.status_code == 200
    docs = {d["document"]: d for d in r.json()}
    d = docs[SAMPLE.name]
    assert (d["department"], d["year"], d["kind"], d["pages"]) == ("洛阳市西工区人民政府办公室", 2025, "预算", 34)
    assert d["facts"] > 300 and d["checks_failed"] == 0
    assert (home / "files" / SAMPLE.name).is_file()


@pytest.mark.parametrize("question", ["", "   ", "预" * 2001])
def test_empty_or_too_long_question_is_400(client: TestClient, question: str) -> None:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 400
    assert "问题" in _error_line(r)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"question": "x", "year": "twenty"}'])
def test_malformed_request_is_400_json(client: TestClient, body: bytes) -> None:
    r = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    _error_line(r)


def test_handler_failure_is_one_json_line_not_a_traceback(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Broken:
        def ask(self, question, history=None, department=None, year=None, kind=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("index file vanished\nsecond line")

    backend = client.app.state.backend  # type: ignore[attr-defined]
    monkeypatch.setattr(backend, "_assistant", Broken())
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 500
    assert _error_line(r) == "服务器未能完成这个请求，原因已记入服务器日志；请稍后再试或联系管理员。"
    log = (backend.settings.home / "budgetqa.log").read_text(encoding="utf-8")  # the operator's side
    assert "request failed" in log and "Traceback" in log and "index file vanished\nsecond line" in log


def test_upload_without_or_with_wrong_token_is_403(client: TestClient) -> None:
    files = {"files": (SAMPLE.name, SAMPLE.read_bytes(), "application/pdf")}
    r = client.post("/api/documents", files=files)
    assert r.status_code == 403 and "口令" in _error_line(r)
    r = client.post("/api/documents", files=files, headers={"X-Admin-Token": "guess"})
    assert r.status_code == 403 and "口令" in _error_line(r)
    r = client.delete(f"/api/documents/{SAMPLE.name}")
    assert r.status_code == 403
    assert SAMPLE.name in {d["document"] for d in client.get("/api/documents").json()}


def test_non_pdf_upload_is_400_and_nothing_is_stored(client: TestClient, home: Path) -> None:
    files = {"files": ("report.pdf", b"<html>not a pdf</html>", "application/pdf")}
    r = client.post("/api/documents", files=files, headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 400
    assert "不是 PDF" in _error_line(r)
    assert not (home / "files" / "report.pdf").exists()
    assert "report.pdf" not in {d["document"] for d in client.get("/api/documents").json()}


def test_upload_failures_are_one_chinese_line_each(client: TestClient, bad_inputs) -> None:  # type: ignore[no-untyped-def]
    """Issue 14: the reasons library/ and ingest/ give in English reach the page and the API in Chinese."""
    import re

    folder, expected = bad_inputs
    names = [n for n, e in expected.items() if e.error and "Office" not in e.error and "empty" not in e.error]
    files = [("files", (n, (folder / n).read_bytes(), "application/pdf")) for n in names]
    r = client.post("/api/documents", files=files, headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 400
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["failed"] * len(names) or all(x["status"] != "ingested" for x in results)
    for x in results:
        assert x["message"] and not re.search(r"[A-Za-z]{4,}", x["message"].replace("PDF", "").replace("BUDGETQA_", "")
                                               .replace("ocrmypdf", "")), x["message"]
        assert "导入失败，原因已记入" not in x["message"], f"{x['document']}: no wording for its reason yet"
    assert _error_line(r).startswith(results[0]["document"] + "：")


def test_oversized_upload_is_400(client: TestClient) -> None:
    limit = client.app.state.backend.settings.max_upload_mb  # type: ignore[attr-defined]
    big = b"%PDF-1.4\n" + b"0" * (limit * 1024 * 1024)
    r = client.post("/api/documents", files={"files": ("big.pdf", big, "application/pdf")},
                    headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 400 and "MB" in _error_line(r)


def test_path_traversal_file_name_stays_inside_the_store(client: TestClient, home: Path) -> None:
    files = [("files", (name, SAMPLE.read_bytes(), "application/pdf"))
             for name in ["../../escaped.pdf", "..\\..\\escaped2", "/tmp/escaped3.pdf"]]
    r = client.post("/api/documents", files=files, headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 200, r.text
    stored = [x["document"] for x in r.json()["results"]]
    assert stored == ["escaped.pdf", "escaped2.pdf", "escaped3.pdf"]
    for name in stored:
        assert (home / "files" / name).is_file()
        for outside in (home / name, home.parent / name, home.parent.parent / name, Path("/tmp") / name):
            assert not outside.exists(), outside
    assert not [p for p in home.glob(".upload-*")], "staging folders are removed"
    listed = {d["document"] for d in client.get("/api/documents").json()}
    assert set(stored) <= listed

    for name in stored:
        r = client.delete(f"/api/documents/{name}", headers={"X-Admin-Token": TOKEN})
        assert r.status_code == 200 and r.json() == {"removed": name}
        assert not (home / "files" / name).exists()
    r = client.delete("/api/documents/escaped.pdf", headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 404 and "escaped.pdf" in _error_line(r)


def test_cited_cell_image_is_a_png(client: TestClient) -> None:
    a = client.post("/api/ask", json={"question": QUESTION}).json()
    c = next(c for c in a["citations"] if c["page"] == 22)
    backend = client.app.state.backend  # type: ignore[attr-defined]
    from assistant.records import Citation

    url = backend.image_url(Citation(**c))
    assert url and url.startswith("/api/page-image?")
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    r = client.get("/api/page-image", params={"document": "../facts.sqlite3", "page": 1, "bbox": "1,2,3,4"})
    assert r.status_code == 404
    _error_line(r)


def test_upload_is_disabled_without_a_configured_token(sample_home: Path, tmp_path: Path) -> None:
    for client in _client(copy_home(sample_home, tmp_path / "copy"), None):
        r = client.post("/api/documents", files={"files": (SAMPLE.name, b"%PDF-1.4", "application/pdf")},
                        headers={"X-Admin-Token": ""})
        assert r.status_code == 403 and "BUDGETQA_ADMIN_TOKEN" in _error_line(r)
        assert client.get("/").status_code == 200  # the page itself is served at /


def test_upload_helpers_sanitize_names() -> None:
    from budgetqa.errors import UploadRejected
    from web.uploads import safe_pdf_name

    assert safe_pdf_name("../../a/b/预算.pdf") == "预算.pdf"
    assert safe_pdf_name("C:\\Users\\x\\决算.PDF") == "决算.PDF"
    assert safe_pdf_name("..hidden") == "hidden.pdf"
    assert safe_pdf_name("bad\x00name.pdf") == "badname.pdf"
    for bad in ["", "../", "..", "/"]:
        with pytest.raises(UploadRejected):
            safe_pdf_name(bad)
