"""One public function per state change (STYLE.md, after Zulip's zerver/actions): every
interface calls the same one, so which rules run never depends on an import line."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "activity",
    "organizations",
    "courses",
    "registrations",
    "attendance",
    "certificates",
    "reports",
    "privacy",
    "pd_platform",
)
VERBS = (
    "register",
    "register_group",
    "register_walk_in",
    "accept_invitation",
    "cancel_registration",
    "approve_registration",
    "decline_registration",
    "move_registration",
    "transfer_registration",
    "promote_by_hand",
    "schedule_session",
    "update_session",
    "change_capacity",
    "cancel_session",
    "delete_session",
    "record_attendance",
    "mark_all_present",
    "record_headcount",
    "delete_headcount",
    "check_in",
    "settle_ended_sessions",
    "issue_certificate",
    "revoke_certificate",
    "record_activity",
)


def _public_functions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in tree.body:
                is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                if is_function and not node.name.startswith("_"):
                    found[node.name].append(str(path.relative_to(ROOT)))
    return found


def test_each_state_change_has_exactly_one_public_definition():
    found = _public_functions()
    problems = {verb: found.get(verb, []) for verb in VERBS if len(found.get(verb, [])) != 1}
    assert not problems, f"defined other than once (verb: files): {problems}"


def test_no_two_service_modules_define_the_same_public_function():
    found = _public_functions()
    services = {
        name: [p for p in paths if p.endswith(("services.py", "completion.py"))]
        for name, paths in found.items()
    }
    twice = {name: paths for name, paths in services.items() if len(paths) > 1}
    assert not twice, f"the same public function in several service modules: {twice}"
