"""Settings come from BUDGETQA_ variables; a bad one is one line naming it, in the CLI and the app."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT
from helpers import cli_env

from budgetqa.errors import SettingsError
from budgetqa.settings import load_settings


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUDGETQA_MAX_PAGES", "many")
    with pytest.raises(SettingsError, match="^BUDGETQA_MAX_PAGES='many' is not valid"):
        load_settings()


@pytest.mark.parametrize("command", [["-m", "cli", "documents"], ["app.py", "--port", "1"]])
def test_the_cli_and_the_app_say_it_in_one_line(tmp_path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    env = cli_env(tmp_path / "home", BUDGETQA_PAGE_TIMEOUT_S="soon")
    out = subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.strip().splitlines() == [
        "budgetqa: BUDGETQA_PAGE_TIMEOUT_S='soon' is not valid (Input should be a valid number, unable to parse "
        "string as a number); fix or unset it"]
