"""A home nobody can write to (a read-only volume, a full disk): `budgetqa check` and the page-image
route say so in one line; no traceback, no server path in a web response."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE, copy_home

PY = sys.executable


def _read_only_command(home: Path, mount: Path, argv: list[str]) -> list[str] | None:
    """argv run with `home` visible read-only at `mount` (a read-only bind mount in a private mount
    namespace, as root), or None when this machine cannot make one."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{home}' '{mount}'"],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    script = f"mount --bind -o ro '{home}' '{mount}' && exec \"$@\""
    return ["unshare", "-m", "sh", "-c", script, "sh", *argv]


def _run_on_read_only_home(sample_home: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = copy_home(sample_home, tmp_path / "home")
    mount = tmp_path / "mnt"
    mount.mkdir()
    argv = [PY, "-m", "cli", *args]
    env = {**os.environ, "BUDGETQA_HOME": str(mount), "BUDGETQA_EMBED_MODEL": "hash"}
    cmd = _read_only_command(home, mount, argv)
    if cmd is None:
        if os.geteuid() == 0:
            pytest.skip("cannot mount a read-only home here (needs root with unshare and mount)")
        for p in [home, *home.rglob("*")]:  # not root: permissions are enough
            p.chmod(p.stat().st_mode & ~0o222)
        env["BUDGETQA_HOME"] = str(home)
        cmd = argv
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    finally:
        for p in [home, *home.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)


def test_check_on_a_read_only_home_reports_in_one_line(sample_home: Path, tmp_path: Path) -> None:
    out = _run_on_read_only_home(sample_home, tmp_path, "check")
    assert "Traceback" not in out.stderr + out.stdout, out.stderr[-2000:]
    if out.returncode == 2:  # the store itself cannot be opened read-only (SQLite in WAL mode): one line
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("budgetqa: "), out.stderr
    else:
        assert out.returncode in (0, 1), out.stderr
        assert out.stdout.strip().splitlines()[-1].endswith("problem(s)"), out.stdout


def test_check_repair_on_a_read_only_home_is_one_line(sample_home: Path, tmp_path: Path) -> None:
    out = _run_on_read_only_home(sample_home, tmp_path, "check", "--repair")
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write to the store" in lines[0], out.stderr


def test_page_image_with_an_unwritable_cache_is_one_line_without_a_path(sample_home: Path, tmp_path: Path,
                                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    home = copy_home(sample_home, tmp_path / "home")
    monkeypatch.setenv("BUDGETQA_HOME", str(home))
    from app import build_app
    from budgetqa.settings import load_settings

    app = build_app(load_settings())
    with TestClient(app) as client:
        backend = client.app.state.backend  # type: ignore[attr-defined]
        blocker = home / "cache-blocker"
        blocker.write_text("a file where the cache folder should be")
        backend.images.cache_dir = blocker / "regions"  # mkdir fails as it does on a read-only home
        a = client.post("/api/ask", json={"question": "车辆维护的预算是多少？"}).json()
        c = next(c for c in a["citations"] if c.get("bbox") and c["document"] == SAMPLE.name)
        from assistant.records import Citation

        r = client.get(backend.image_url(Citation(**c)))
        assert r.status_code == 503, r.text
        message = r.json()["error"]
        assert "\n" not in message and str(home) not in message and "/" not in message, message
        assert "服务器" in message
