"""The structure the design promises, checked: no import cycle, uniform provider folders, no request state in
the WSGI environ, and a README layout section that matches the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fakeroute
from fakeroute.providers import PROVIDERS

PACKAGE = Path(fakeroute.__file__).parent
ROOT = PACKAGE.parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _runtime_imports(path: Path, module: str) -> set[str]:
    """Modules ``module`` imports when it is imported: module-level statements, ``if TYPE_CHECKING`` left out
    (those are annotations, never executed). A function-level import counts too: it runs on first call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([child.module] if child.module else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)  # "from . import handlers"
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target in _runtime_imports(path, name):
            # Importing a.b.c imports a.b (and a) first: their __init__ modules run too.
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    edges.add(prefix)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_no_import_cycle_in_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_parent_imports():
    graph = import_graph()
    assert "fakeroute.providers" in graph["fakeroute.world"]  # World's default providers
    assert "fakeroute.scenario" in graph["fakeroute.providers.flowroute.scenario"]
    assert "fakeroute.world" not in graph["fakeroute.providers.base"]  # only under TYPE_CHECKING


def test_no_request_state_travels_in_the_environ():
    for path in PACKAGE.rglob("*.py"):
        assert not re.search(r"environ\[\s*[\"']fakeroute", path.read_text(encoding="utf-8")), path


PROVIDER_FILES = {"__init__.py", "errors.py", "handlers.py", "models.py", "rendering.py", "routes.py",
                  "scenario.py", "schemas"}


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != "__pycache__"}


def test_every_provider_folder_has_the_same_parts():
    folders = [PACKAGE / "providers" / p.name for p in PROVIDERS]
    for folder in folders:
        assert _files(folder) == PROVIDER_FILES, folder.name
        assert (folder / "schemas" / "__init__.py").is_file() and (folder / "schemas" / "scenario.json").is_file()


def test_every_operation_says_what_its_policy_is():
    for provider in PROVIDERS:
        for op in provider.operations:
            for part in (op.query, op.body, op.path_params, op.headers):
                assert part is None or part in provider.schemas, (provider.name, op.name, part)
            assert op.idempotent == (op.headers is not None and "Idempotency-Key" in
                                     provider.schemas[op.headers].document["properties"]), op.name


def test_agentmessage_operations_all_require_a_documented_scope():
    from fakeroute.providers.agentmessage.models import ALL_SCOPES

    provider = next(p for p in PROVIDERS if p.name == "agentmessage")
    assert all(op.scope in ALL_SCOPES for op in provider.operations)


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_the_readme_layout_lists_exactly_what_is_in_the_package():
    layout = _readme_layout()
    listed = set(re.findall(r"(?<![\w/.])([\w-]+\.py|[\w-]+/)", layout))
    top = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir()
           if p.name != "__pycache__" and not p.name.startswith(".")}
    provider_parts = {name + ("/" if (PACKAGE / "providers" / "flowroute" / name).is_dir() else "")
                      for name in PROVIDER_FILES}
    missing = (top | provider_parts | {p.name + "/" for p in PROVIDERS}) - listed
    assert not missing, f"README layout does not mention: {sorted(missing)}"
    stale = {name for name in listed if name.endswith(".py") and not list(ROOT.rglob(name))}
    assert not stale, f"README layout lists files that do not exist: {sorted(stale)}"
