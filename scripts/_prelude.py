"""What a measuring script does before it imports budgetqa: never download a model, send no telemetry, and
put this checkout first on the path (a work tree's code, not an installed copy). Scripts start with
`from _prelude import ROOT`; `python scripts/NAME.py` finds this module beside them."""

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a measurement must never download a model
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Sections other scripts own inside a report (docs/EVALUATION.md): scripts/evaluate.py rewrites the file
# around them, the fitting scripts rewrite only their own.
SECTIONS = (("<!-- fit_ranker:start -->", "<!-- fit_ranker:end -->"),
            ("<!-- fit_confidence:start -->", "<!-- fit_confidence:end -->"),
            ("<!-- begin eval_conversations: written by scripts/eval_conversations.py -->",
             "<!-- end eval_conversations -->"))


def write_section(path: Path, start: str, end: str, section: str) -> None:
    """Put `section` (which begins with `start` and ends with `end`) into the report at `path`: in place
    of the old one between the same markers, else at the end."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Evaluation\n"
    if start in text and end in text:
        text = text[:text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def kept_sections(old: str) -> str:
    """The sections of SECTIONS that the report text `old` holds, in order, for a rewrite to append."""
    return "".join("\n\n" + old[old.index(s):old.index(e) + len(e)] for s, e in SECTIONS if s in old and e in old)
