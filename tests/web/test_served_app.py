"""The web app in its own process: uploads while a CLI ingests into the same home, admin-only changes,
malformed requests, and a CI-sized load test (the full run is scripts/load_test.py, docs/LOAD.md)."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import JIANGSU_TABLES, JIANGSU_TEXT, ROOT, SAMPLE, copy_home
from helpers import PY, cli_env, hash_settings
from make_bad_inputs import budget_pages, build_pdf

from eval import load
from eval.served import app_env, served_app
from library.check import check_store

TOKEN = "hardening-token-5c1e"


@pytest.fixture(scope="module")
def server(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The web app in its own process on a copy of the sample store, with an admin token."""
    home = copy_home(sample_home, tmp_path_factory.mktemp("served") / "home")
    env = {"BUDGETQA_EMBED_MODEL": "hash", "BUDGETQA_ADMIN_TOKEN": TOKEN, "BUDGETQA_MAX_UPLOAD_MB": "1"}
    with served_app(app_env(home, **env)) as base:
        yield base, home


def test_web_app_and_cli_ingest_into_one_home_at_once(server, tmp_path: Path) -> None:
    base, home = server
    small = tmp_path / "示例县测试局2025年部门预算.pdf"
    small.write_bytes(build_pdf(budget_pages()))
    stop = threading.Event()
    asked: list[int] = []

    def keep_asking() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            while not stop.is_set():
                asked.append(c.post("/api/ask", json={"question": "西工区政府办车辆维护的预算是多少？"}).status_code)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    cli = subprocess.Popen([PY, "-m", "cli", "ingest", str(JIANGSU_TABLES), str(JIANGSU_TEXT)],
                           env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # the CLI is importing; the upload lands while it extracts or writes
    up = httpx.post(f"{base}/api/documents", headers={"X-Admin-Token": TOKEN}, timeout=300,
                    files={"files": (small.name, small.read_bytes(), "application/pdf")})
    out, err = cli.communicate(timeout=300)
    stop.set()
    asker.join()
    assert up.status_code == 200 and up.json()["results"][0]["status"] == "ingested", up.text
    assert cli.returncode == 0 and "Traceback" not in err, err
    assert asked and set(asked) == {200}, asked
    assert check_store(hash_settings(home)) == []
    docs = {d["document"] for d in httpx.get(f"{base}/api/documents").json()}
    assert docs == {SAMPLE.name, JIANGSU_TABLES.name, JIANGSU_TEXT.name, small.name}
    a = httpx.post(f"{base}/api/ask", json={"question": "江苏省委办公厅2019年公务接待费预算是多少？"}, timeout=60).json()
    assert a["value"] == 27.0, a  # the server sees what the CLI stored
    a = httpx.post(f"{base}/api/ask", json={"question": "西工区政府办车辆维护的预算是多少？"}, timeout=60).json()
    assert a["value"] == 4.6, a
    # a narrative question filters the vector index to vectors another process wrote (was HTTP 500)
    r = httpx.post(f"{base}/api/ask", json={"question": "江苏省委办公厅的主要职责是什么"}, timeout=60)
    assert r.status_code == 200 and r.json()["status"] == "answered", r.text
    assert any(c["document"] == JIANGSU_TEXT.name for c in r.json()["citations"]), r.text


def test_without_admin_token_no_request_can_change_the_store(sample_home: Path, tmp_path: Path) -> None:
    """What the page's upload and remove buttons call (Backend.upload/remove), with no token configured."""
    from budgetqa.errors import NotAllowed
    from web.backend import Backend

    home = copy_home(sample_home, tmp_path / "home")
    for configured in (None, TOKEN):
        backend = Backend(hash_settings(home, admin_token=configured), ROOT / "samples")
        before = backend.store.version()
        for given_token in (None, "", "x", TOKEN + " ", TOKEN.upper()):
            if configured and given_token and given_token.strip() == configured:
                continue
            with pytest.raises(NotAllowed):
                backend.upload(given_token, [("a.pdf", SAMPLE.read_bytes())])
            with pytest.raises(NotAllowed):
                backend.remove(given_token, SAMPLE.name)
        assert backend.store.version() == before


def test_api_changes_need_the_admin_token_and_names_stay_in_the_store(server, tmp_path: Path) -> None:
    base, home = server
    pdf = build_pdf(budget_pages(year=2023))
    listed = lambda: {d["document"] for d in httpx.get(f"{base}/api/documents").json()}  # noqa: E731
    before = listed()
    for headers in ({}, {"X-Admin-Token": "wrong"}, {"X-Admin-Token": ""}):
        r = httpx.post(f"{base}/api/documents", headers=headers, files={"files": ("x2023年预算.pdf", pdf, "application/pdf")})
        assert r.status_code == 403, r.text
        r = httpx.delete(f"{base}/api/documents/{SAMPLE.name}", headers=headers)
        assert r.status_code == 403, r.text
    assert listed() == before
    ok = {"X-Admin-Token": TOKEN}
    r = httpx.post(f"{base}/api/documents", headers=ok, files={"files": ("big.pdf", b"%PDF-1.4\n" + bytes(1_100_000))})
    assert r.status_code == 400 and "MB" in r.json()["error"]
    names = ["../../逃逸2023年预算.pdf", "/tmp/逃逸2023年预算b.pdf", "..\\..\\逃逸2023年预算c.pdf"]
    r = httpx.post(f"{base}/api/documents", headers=ok, timeout=120,
                   files=[("files", (n, pdf, "application/pdf")) for n in names])
    assert r.status_code == 200, r.text
    stored = [x["document"] for x in r.json()["results"]]
    assert stored == ["逃逸2023年预算.pdf", "逃逸2023年预算b.pdf", "逃逸2023年预算c.pdf"]
    inside = {p.name for p in (home / "files").iterdir()}
    assert set(stored) <= inside
    for n in stored:
        assert not (home / n).exists() and not (home.parent / n).exists() and not Path("/tmp", n).exists()
        assert httpx.delete(f"{base}/api/documents/{n}", headers=ok, timeout=60).status_code == 200
    r = httpx.delete(f"{base}/api/documents/..%2Ffacts.sqlite3", headers=ok)
    assert r.status_code == 404 and (home / "facts.sqlite3").exists()
    assert listed() == before
    r = httpx.post(f"{base}/api/ask", json={"question": "预" * 10_000})
    assert r.status_code == 400 and "问题" in r.json()["error"]


def test_malformed_history_is_not_a_server_error(server) -> None:
    base, _ = server
    for answer in ({"department": "洛阳市西工区人民政府办公室", "year": "abc", "item": 5}, {"department": 5, "year": 2025}):
        history = [{"role": "assistant", "content": "", "answer": answer}]
        r = httpx.post(f"{base}/api/ask", json={"question": "那三公经费呢", "history": history}, timeout=60)
        assert r.status_code in (200, 400), r.text


def test_load_concurrent_answers_equal_single_user_answers(server) -> None:
    base, _ = server
    qs = load.questions()[:50]  # each asked 8 times, by different clients at once
    expected = load.single_user_answers(base, qs)
    result = load.run_load(base, qs, expected, clients=4, total=4 * 100)
    s = result.summary()
    assert result.errors == [] and result.mismatches == [], (s, result.errors[:3], result.mismatches[:3])
    assert s["questions"] == 400 and s["p95_ms"] < 5000, s
