"""pytest imports test modules by their base name (rootdir-relative packages are not used here), so two
test files of one name in different folders stop the whole run at collection."""

from collections import Counter
from pathlib import Path


def test_every_test_file_name_is_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []
