"""The house plan holds: no import circle between the project's modules, and no import hidden in
a function (or behind `TYPE_CHECKING`) to dodge one.

import-linter checks the direction between the packages (api → schema → search → core); this
test checks every module against every other, inside a package too, from the source with `ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "core", "schema", "search")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" not in path.parts:  # Alembic's revisions are scripts, not modules
                modules[module_name(path)] = path
    return modules


MODULES = project_modules()


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The project modules an import statement loads (`from core import models` loads
    `core.models`)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        names = [f"{base}.{alias.name}" for alias in node.names]
        names = [name if name in MODULES else base for name in names]
    found = []
    for name in names:
        while name and name not in MODULES:  # `import core.models.base` of a symbol's module
            name = name.rpartition(".")[0]
        if name:
            found.append(name)
    return found


class ImportVisitor(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.top_level: set[str] = set()
        self.hidden: list[str] = []  # imports inside a function or under TYPE_CHECKING
        self.depth = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.depth += 1
            for child in node.body:
                self.visit(child)
            self.depth -= 1
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in imported_names(node, self.module, self.is_package):
            if self.depth:
                self.hidden.append(f"{self.module}:{node.lineno} imports {name}")
            elif name != self.module:
                self.top_level.add(name)

    visit_ImportFrom = visit_Import


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    graph: dict[str, set[str]] = {}
    hidden: list[str] = []
    for module, path in MODULES.items():
        visitor = ImportVisitor(module, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[module] = visitor.top_level
        hidden += visitor.hidden
    return graph, hidden


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    graph, _ = import_graph()
    assert cycles(graph) == []


def test_no_project_import_hides_in_a_function_or_behind_type_checking() -> None:
    _, hidden = import_graph()
    assert hidden == []


def test_the_walk_sees_every_package_and_their_imports() -> None:
    graph, _ = import_graph()
    assert {m.split(".")[0] for m in graph} == set(PACKAGES)
    assert "core.models" in graph["schema.listings"]
    assert "schema.build" in graph["api.app"]


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_the_cycle_finder_finds_circles(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert sorted(cycles(graph)) == expected


def test_a_hidden_import_is_caught() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from core import models\n"
        "def f():\n    from schema import listings\n"
    )
    visitor = ImportVisitor("schema.example", is_package=False)
    visitor.visit(ast.parse(source))
    assert len(visitor.hidden) == 2
    assert visitor.top_level == set()
