"""The web app in a child process on a loopback port, for the load test and the end-to-end tests:
start it, wait until it answers, stop it. One implementation for scripts/load_test.py and tests/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment for an app on `home`: no model hub, no telemetry, no admin token
    unless `extra` gives one."""
    env = {**os.environ, "BUDGETQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("BUDGETQA_ADMIN_TOKEN", None)
    return {**env, **extra}


def start_app(env: dict[str, str], port: int, log: IO[bytes] | int = subprocess.DEVNULL,
              entry: str = "cli") -> subprocess.Popen[bytes]:
    """Start `budgetqa serve` (entry "cli") or `python app.py` (entry "app") on LOOPBACK:port."""
    cmd = ([sys.executable, "-m", "cli", "serve"] if entry == "cli" else [sys.executable, str(ROOT / "app.py")])
    return subprocess.Popen([*cmd, "--host", LOOPBACK, "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_until_up(base: str, proc: subprocess.Popen[bytes], startup_s: float = 300.0,
                  log: IO[bytes] | None = None) -> None:
    """Return once GET base/api/documents answers 200 (the first start ingests the sample first);
    RuntimeError with the app's last output when it exits or does not answer within startup_s."""
    deadline = time.monotonic() + startup_s

    def tail() -> str:
        if log is None:
            return ""
        log.seek(0)
        return log.read().decode(errors="replace")[-3000:]

    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}: {tail()}")
        try:
            if httpx.get(f"{base}/api/documents", timeout=startup_s).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not answer at {base} within {startup_s:.0f} s: {tail()}")
        time.sleep(0.2)


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def served_app(env: dict[str, str], startup_s: float = 300.0, entry: str = "cli",
               warm_up: bool = True) -> Iterator[str]:
    """Run the app until the block ends; yields its base URL once it answers. With `warm_up`, one
    question is asked first (it waits for the assistant to be built)."""
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    with tempfile.TemporaryFile() as log:
        proc = start_app(env, port, log, entry)
        try:
            wait_until_up(base, proc, startup_s, log)
            if warm_up:
                httpx.post(f"{base}/api/ask", json={"question": "三公经费是多少"}, timeout=startup_s)
            yield base
        finally:
            stop_app(proc)
