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

