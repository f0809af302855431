"""The import layers of layers.toml, kept: imports point down the tiers, and down an app order
within a tier; no import cycle; no private name taken from another module.

Imports are read with `ast` (relative ones and those inside functions too), so the test needs
no database and catches an import that only runs on one code path.
"""

import ast
import fnmatch
import functools
import itertools
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "layers.toml"


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    app: str
    is_package: bool


@dataclass(frozen=True)
class Edge:
    """`module` imports `target` at `line` (`names` are the names taken, for `from` imports)."""

    module: str
    line: int
    target: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imports: str
    rule: str
    why: str

    def __str__(self) -> str:
        path = self.module.replace(".", "/") + ".py"
        return f"{path}:{self.line} {self.module} imports {self.imports} [{self.rule}]: {self.why}"


@dataclass(frozen=True)
class Tier:
    name: str
    rank: int  # 0 is the top
    patterns: tuple[str, ...]
    apps: tuple[str, ...]  # bottom first


# Reading the project.


def project_modules(*, root: Path, config: dict) -> dict[str, Module]:
    """Every module of the listed apps that exist, by dotted name; migrations, tests and empty
    package files (they import nothing) left out."""
    modules = {}
    for app in config["apps"]:
        if not (root / app).is_dir():
            continue
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in config.get("skip", [])):
                continue
            if is_package and not path.read_text(encoding="utf-8").strip():
                continue
            modules[name] = Module(name=name, path=path, app=app, is_package=is_package)
    return modules


def _imported_from(node: ast.ImportFrom, *, package: str) -> str:
    """The absolute module a `from ... import` reads, relative levels resolved."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def _resolve(base: str, name: str, modules: dict[str, Module]) -> str:
    """`from base import name`: the submodule when `name` is one, else `base`."""
    return f"{base}.{name}" if f"{base}.{name}" in modules else base


def imports_of(module: Module, *, modules: dict[str, Module], apps: set[str]) -> Iterator[Edge]:
    """The project modules `module` imports, wherever in the file the import is."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in apps:
                    yield Edge(module=module.name, line=node.lineno, target=alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _imported_from(node, package=package)
            if base.split(".")[0] not in apps:
                continue
            for alias in node.names:
                target = _resolve(base, alias.name, modules)
                names = () if target != base else (alias.name,)
                yield Edge(module=module.name, line=node.lineno, target=target, names=names)


def private_attributes(
    module: Module, *, modules: dict[str, Module], apps: set[str]
) -> Iterator[Edge]:
    """`x._name` where `x` is bound to another project module by an import in this file."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    bound: dict[str, str] = {}  # a dotted name in this file -> the project module it is
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _imported_from(node, package=package)
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            owner = _dotted(node.value)
            if owner in bound and bound[owner] != module.name:
                yield Edge(
                    module=module.name, line=node.lineno, target=bound[owner], names=(node.attr,)
                )


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (owner := _dotted(node.value)):
        return f"{owner}.{node.attr}"
    return None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


# The rules.


def tiers_of(config: dict) -> list[Tier]:
    return [
        Tier(
            name=tier["name"],
            rank=rank,
            patterns=tuple(tier["modules"]),
            apps=tuple(tier["apps"]),
        )
        for rank, tier in enumerate(config["tiers"])
    ]


def classify(name: str, tiers: list[Tier]) -> list[Tier]:
    return [t for t in tiers if any(fnmatch.fnmatchcase(name, p) for p in t.patterns)]


def violations(*, root: Path, config: dict) -> tuple[list[str], list[Violation]]:
    """(problems of the configuration or of placing modules, import violations)."""
    tiers = tiers_of(config)
    modules = project_modules(root=root, config=config)
    apps = set(config["apps"])
    problems: list[str] = []
    tier_of: dict[str, Tier] = {}
    for name, module in modules.items():
        matches = classify(name, tiers)
        if not matches:
            problems.append(f"{name}: matches no tier; classify this module in layers.toml")
        elif len(matches) > 1:
            names = ", ".join(t.name for t in matches)
            problems.append(f"{name}: matches several tiers ({names}); make one pattern exact")
        else:
            tier_of[name] = matches[0]
            if module.app not in matches[0].apps:
                problems.append(
                    f"{name}: app {module.app} is missing from the apps order of tier "
                    f"{matches[0].name} in layers.toml"
                )

    found: list[Violation] = []
    for module in modules.values():
        for edge in imports_of(module, modules=modules, apps=apps):
            for name in edge.names:
                if _is_private(name) and edge.target != module.name:
                    found.append(
                        Violation(
                            module=module.name,
                            line=edge.line,
                            imports=edge.target,
                            rule="private",
                            why=f"takes the private name {name}; make it public (and "
                            "documented) where it is defined, or keep it inside its module",
                        )
                    )
            if violation := _layer_violation(edge, modules=modules, tier_of=tier_of, tiers=tiers):
                found.append(violation)
        for edge in private_attributes(module, modules=modules, apps=apps):
            found.append(
                Violation(
                    module=module.name,
                    line=edge.line,
                    imports=edge.target,
                    rule="private",
                    why=f"uses the private attribute {edge.target}.{edge.names[0]}",
                )
            )
    return problems, found


def _layer_violation(
    edge: Edge, *, modules: dict[str, Module], tier_of: dict[str, Tier], tiers: list[Tier]
) -> Violation | None:
    source, target = tier_of.get(edge.module), tier_of.get(edge.target)
    if source is None or target is None or edge.module == edge.target:
        return None  # unclassified modules are reported as problems; packages import nothing
    if target.rank < source.rank:
        return Violation(
            module=edge.module,
            line=edge.line,
            imports=edge.target,
            rule="tier",
            why=f"the {source.name} tier may not import the {target.name} tier above it "
            f"({' > '.join(t.name for t in tiers)})",
        )
    source_app, target_app = modules[edge.module].app, modules[edge.target].app
    if target.rank > source.rank or source_app == target_app:
        return None
    order = source.apps
    if target_app not in order:
        return None  # reported as a problem of the target's placement
    if order.index(target_app) > order.index(source_app):
        return Violation(
            module=edge.module,
            line=edge.line,
            imports=edge.target,
            rule="app order",
            why=f"in the {source.name} tier {source_app} sits below {target_app} "
            f"({' < '.join(order)})",
        )
    return None


def import_cycles(*, root: Path, config: dict) -> list[list[str]]:
    """Every import cycle among project modules, each as a path that returns to its start."""
    modules = project_modules(root=root, config=config)
    apps = set(config["apps"])
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module in modules.values():
        for edge in imports_of(module, modules=modules, apps=apps):
            if edge.target in modules and edge.target != module.name:
                graph[module.name].add(edge.target)
    return [_cycle_through(component, graph) for component in _strongly_connected(graph)]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def _cycle_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One concrete cycle inside a component: the shortest way back to its first module."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle in component {component}")


# The tests of this project.


@functools.cache
def _config() -> dict:
    return tomllib.loads(LAYERS.read_text(encoding="utf-8"))


@functools.cache
def _found() -> tuple[list[str], list[Violation]]:
    return violations(root=ROOT, config=_config())


def _known() -> list[dict]:
    return _config().get("known_violations", [])


def _is_known(violation: Violation, known: list[dict]) -> bool:
    return any(
        k["module"] == violation.module
        and k["imports"] == violation.imports
        and k["rule"] == violation.rule
        for k in known
    )


def test_every_top_level_package_is_an_app_or_named_as_not_one():
    config = _config()
    listed = set(config["apps"]) | set(config.get("not_apps", []))
    packages = sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and ((p / "__init__.py").exists() or (p / "apps.py").exists())
    )
    unlisted = [name for name in packages if name not in listed]
    assert not unlisted, f"add these packages to `apps` (or `not_apps`) in layers.toml: {unlisted}"


def test_every_module_is_placed_in_exactly_one_tier():
    problems, _ = _found()
    assert not problems, "layers.toml does not place every module:\n" + "\n".join(problems)


def test_imports_point_down_the_tiers_and_the_app_orders():
    _, found = _found()
    known = _known()
    new = [v for v in found if not _is_known(v, known)]
    assert not new, (
        f"{len(new)} import(s) point up or across the layers of layers.toml:\n"
        + "\n".join(str(v) for v in sorted(new, key=lambda v: (v.module, v.line)))
        + "\nImport a lower tier, or a lower app of the same tier; move the code that is "
        "needed down, or have the caller pass it in."
    )


def known_problems(*, found: list[Violation], known: list[dict]) -> list[str]:
    """Entries of known_violations without a reason, or that no longer occur (so the list
    only shrinks). Cycles are checked with the cycles."""
    occurring = {(v.module, v.imports, v.rule) for v in found}
    problems = []
    for entry in known:
        key = (entry.get("module"), entry.get("imports"), entry.get("rule"))
        if not str(entry.get("reason", "")).strip():
            problems.append(f"{key}: give a one-line reason")
        if key not in occurring and entry.get("rule") != "cycle":
            problems.append(f"{key}: no longer occurs; remove it from known_violations")
    return problems


def test_every_known_violation_still_occurs_and_says_why():
    _, found = _found()
    problems = known_problems(found=found, known=_known())
    assert not problems, "layers.toml known_violations:\n" + "\n".join(problems)


def test_project_modules_import_no_cycle():
    config = _config()
    cycles = import_cycles(root=ROOT, config=config)
    known = [k for k in _known() if k.get("rule") == "cycle"]

    def closes(cycle: list[str], entry: dict) -> bool:
        return any(
            (a, b) == (entry["module"], entry["imports"]) for a, b in itertools.pairwise(cycle)
        )

    new = [c for c in cycles if not any(closes(c, k) for k in known)]
    assert not new, "import cycles among project modules (imports inside functions count):\n" + (
        "\n".join(" -> ".join(cycle) for cycle in new)
    )
    stale = [k for k in known if not any(closes(c, k) for c in cycles)]
    assert not stale, f"known cycles that no longer occur; remove them from layers.toml: {stale}"


# The checker itself, on a small project written for the purpose: it must be able to fail.

TOY = {
    "apps": ["low", "high"],
    "skip": ["*.migrations.*"],
    "tiers": [
        {"name": "interface", "modules": ["*.views"], "apps": ["low", "high"]},
        {"name": "service", "modules": ["*.services"], "apps": ["low", "high"]},
        {"name": "model", "modules": ["*.models"], "apps": ["low", "high"]},
    ],
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/models.py": "",
            "low/services.py": "from .models import *\n",
            "high/__init__.py": "",
            "high/models.py": "from low.models import *\n",
            "high/services.py": "from low import services\nfrom high.models import *\n",
            "high/views.py": "from high.services import *\n",
            "high/migrations/0001_initial.py": "from high.views import *\n",
        },
    )
    return tmp_path


def _rules(root: Path) -> list[tuple[str, int, str, str]]:
    problems, found = violations(root=root, config=TOY)
    assert not problems
    return sorted((v.module, v.line, v.imports, v.rule) for v in found)


def test_the_checker_accepts_imports_that_point_down(toy):
    assert _rules(toy) == []
    assert import_cycles(root=toy, config=TOY) == []


def test_the_checker_finds_an_import_up_a_tier_even_inside_a_function(toy):
    _write(
        toy, {"low/services.py": "def f():\n    from ..models import x\n    import high.views\n"}
    )
    assert _rules(toy) == [("low.services", 3, "high.views", "tier")]


def test_the_checker_finds_an_import_up_the_app_order_of_a_tier(toy):
    _write(toy, {"low/models.py": "from high import models\n"})
    assert _rules(toy) == [("low.models", 1, "high.models", "app order")]
    assert import_cycles(root=toy, config=TOY) == [["high.models", "low.models", "high.models"]]


def test_the_checker_finds_private_names_imported_or_reached_through_a_module(toy):
    _write(
        toy,
        {"high/views.py": "from high.services import _helper\nfrom low import models\nmodels._x\n"},
    )
    assert _rules(toy) == [
        ("high.views", 1, "high.services", "private"),
        ("high.views", 3, "low.models", "private"),
    ]


def test_the_checker_asks_to_classify_a_module_no_pattern_matches(toy):
    _write(toy, {"high/helpers.py": ""})
    problems, _ = violations(root=toy, config=TOY)
    assert problems == ["high.helpers: matches no tier; classify this module in layers.toml"]


def test_the_checker_asks_to_remove_a_known_violation_once_it_is_fixed(toy):
    _write(toy, {"low/models.py": "from high import models\n"})
    _, found = violations(root=toy, config=TOY)
    entry = {"module": "low.models", "imports": "high.models", "rule": "app order", "reason": "x"}
    assert known_problems(found=found, known=[entry]) == []
    _write(toy, {"low/models.py": ""})
    _, found = violations(root=toy, config=TOY)
    assert known_problems(found=found, known=[entry]) == [
        "('low.models', 'high.models', 'app order'): no longer occurs; remove it from "
        "known_violations"
    ]
