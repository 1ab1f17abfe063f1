"""The shape of the imports: few imports hidden inside functions, and no new import circle.

An import inside a function is kept only where it breaks a circle (a service enqueuing its own app's task, the
task calling the service) or where loading the module early would be wrong (settings, app configs, the command line
before Django starts). The layers themselves are import-linter's contract in pyproject.toml (``lint-imports``).
Lower a ceiling when an import moves up or a circle goes; never raise it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "saksham"
LOCAL_IMPORTS_CEILING = 13
CIRCLES_CEILING = 0


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _internal(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "saksham"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "saksham" for alias in node.names)
    return False


def local_imports() -> list[str]:
    """Every import of the project's own modules that sits inside a function, as ``path:line``."""
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen: set[int] = set()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if _internal(node) and id(node) not in seen:
                    seen.add(id(node))
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_imports_inside_functions_stay_under_the_ceiling():
    found = local_imports()
    assert len(found) <= LOCAL_IMPORTS_CEILING, (
        f"{len(found)} imports inside functions (ceiling {LOCAL_IMPORTS_CEILING}): move a new one to the top of its "
        "module, or break the circle it hides\n" + "\n".join(found))


def _circles(graph) -> list[set[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = {m for m in graph.modules if ".migrations" not in m}
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = set()
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.add(m)
                    if m == node:
                        break
                if len(group) > 1:
                    groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


@pytest.fixture(scope="module")
def graph():
    grimp = pytest.importorskip("grimp")   # installed with import-linter (the dev extra)
    return grimp.build_graph("saksham", exclude_type_checking_imports=True)


def test_no_new_import_circle(graph):
    circles = _circles(graph)
    assert len(circles) <= CIRCLES_CEILING, "\n".join(", ".join(sorted(c)) for c in circles)


# learning/services/: each module imports only those before it (see the package's docstring).
LEARNING_SERVICES = ["ledger", "completion", "progress", "enrolments", "versions", "assessments", "questions"]


def test_learning_services_import_only_the_modules_before_them(graph):
    package = "saksham.learning.services"
    for i, name in enumerate(LEARNING_SERVICES):
        later = {f"{package}.{n}" for n in LEARNING_SERVICES[i + 1:]} | {package}
        wrong = graph.find_modules_directly_imported_by(f"{package}.{name}") & later
        assert not wrong, f"{package}.{name} imports {sorted(wrong)}, which come after it"


def test_the_work_learning_tasks_run_never_reaches_back_to_them(graph):
    """learning/tasks.py runs work of services and plans; none of that work imports tasks.py (enqueue.py does)."""
    for module in sorted(graph.find_modules_directly_imported_by("saksham.learning.tasks")):
        assert not graph.chain_exists(importer=module, imported="saksham.learning.tasks"), module
