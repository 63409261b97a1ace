"""`budgetqa ask --batch`: a line's `conversation` id chains it to the earlier lines of that
conversation, a line's `history` is used as a client sends it, and other lines stand alone."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import PY, cli_env


def test_batch_lines_follow_their_conversation(sample_home: Path, tmp_path: Path) -> None:
    lines = [{"id": 1, "conversation": "a", "question": "三公经费是多少？"},
             {"id": 2, "conversation": "a", "question": "比去年多了多少？"},
             {"id": 3, "question": "比去年多了多少？"}]
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    r = subprocess.run([PY, "-m", "cli", "ask", "--json", "--batch", str(batch)], capture_output=True, text=True,
                       env=cli_env(sample_home), timeout=300)
    assert r.returncode == 0, r.stderr
    out = {a["id"]: a for a in map(json.loads, r.stdout.splitlines())}
    assert out[1]["value"] == 5.43 and out[2]["value"] == 1.17 and out[2]["measure"] == "change_amount"
    assert out[3]["value"] != 1.17  # no conversation: nothing to follow up on
