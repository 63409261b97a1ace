"""One model build per machine: the cache folder is outside every home, shared, and safe to build into
from several processes at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from budgetqa.settings import Settings
from vectorstore import packaged_e5
from vectorstore.packaged_e5 import PACKAGED_E5, ensure_packaged_e5


def test_every_home_uses_one_model_folder_outside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BUDGETQA_MODEL_CACHE", raising=False)
    a, b = Settings(home=tmp_path / "a"), Settings(home=tmp_path / "b")
    assert a.models_dir == b.models_dir == tmp_path / "cache" / "budgetqa" / "models"
    assert not a.models_dir.is_relative_to(a.home)
    monkeypatch.setenv("BUDGETQA_MODEL_CACHE", str(tmp_path / "shared"))
    assert Settings(home=tmp_path / "c").models_dir == tmp_path / "shared" / "models"


def test_builds_started_together_make_one_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four starts at once (two homes' app and ingest): one builds, the others wait for it and reuse it."""
    built: list[Path] = []

    def fake_build(out_dir: Path) -> Path:  # the real build: 12 s and 0.5 GB; what matters here is the lock
        built.append(out_dir)
        time.sleep(0.5)
        (out_dir / "model.safetensors").write_bytes(b"weights")
        stamp = packaged_e5._package_sources()[2]
        packaged_e5._write_json(out_dir / packaged_e5._STAMP, stamp)
        return out_dir

    monkeypatch.setattr(packaged_e5, "build_packaged_e5", fake_build)
    models = tmp_path / "models"
    got: list[Path] = []
    threads = [threading.Thread(target=lambda: got.append(ensure_packaged_e5(models))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [models / PACKAGED_E5] * 4
    assert len(built) == 1, "a second process built the model again"
    assert sorted(p.name for p in models.iterdir()) == [f".{PACKAGED_E5}.lock", PACKAGED_E5]  # no temp folders
    assert ensure_packaged_e5(models) == models / PACKAGED_E5 and len(built) == 1  # later starts reuse it
