"""Every verb a service records reads as words on a History page, not as `registration.x`."""

import ast
from pathlib import Path

from activity.verbs import VERB_LABELS

ROOT = Path(__file__).resolve().parents[2]


def _recorded_verbs() -> set[str]:
    """String literals passed as `verb=` or as the first argument of a `_record(...)` helper."""
    verbs: set[str] = set()
    for path in ROOT.glob("*/services.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "verb" and isinstance(keyword.value, ast.Constant):
                    verbs.add(keyword.value.value)
            name = getattr(node.func, "id", "")
            if name == "_record" and node.args and isinstance(node.args[0], ast.Constant):
                verbs.add(node.args[0].value)
    return verbs


def test_every_recorded_verb_has_a_label():
    verbs = _recorded_verbs()
    assert len(verbs) > 20  # the scan found the services' calls
    assert sorted(verbs - set(VERB_LABELS)) == []
