"""The layers of docs/DESIGN.md, checked by import-linter (contracts in pyproject.toml)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout  # layers, pure text, publishing


# What the AST checks below read: every module under composer/, by dotted name.
PACKAGE = ROOT / "composer"


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """Every module of ours that `name` imports, anywhere in it (inside functions and
    `if TYPE_CHECKING:` too): `from a import b` counts as importing a.b when that is a module."""
    package = name if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists() else ""
    base = package or name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                anchor = base.split(".")[: len(base.split(".")) - node.level + 1]
                module = ".".join([*anchor, module] if module else anchor)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, tree, set(modules)) for name, tree in modules.items()}


def _cycles(graph: dict[str, set[str]], package: str) -> list[list[str]]:
    """Import cycles between the modules directly inside `package` (a subpackage counts as
    one module with everything in it)."""

    def member(module: str) -> str | None:
        if not module.startswith(package + "."):
            return None
        return ".".join(module.split(".")[: package.count(".") + 2])

    edges: dict[str, set[str]] = {}
    for module, imported in graph.items():
        source = member(module)
        if source is not None:
            edges.setdefault(source, set()).update(
                target for m in imported if (target := member(m)) not in (None, source)
            )
    cycles = []
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for target in sorted(edges.get(node, ())):
                if target == start:
                    cycles.append([*path, start])
                elif target > start and target not in path:
                    stack.append((target, [*path, target]))
    return cycles


def test_no_import_cycles_in_any_package() -> None:
    """Issue 11 named `store/claims -> follow_ups -> history -> claims` and `tui/app <->
    tui/commands`; no package (nor the top level, layer against layer) may have one."""
    graph = _graph()
    packages = sorted(
        {"composer"}
        | {
            name
            for name in graph
            if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists()
        }
    )
    assert "composer.platforms" in packages
    for package in packages:
        assert _cycles(graph, package) == [], package


def test_outside_the_store_only_its_public_face_is_imported() -> None:
    deep = sorted(
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        if not module.startswith("composer.store")
        for imported in imports
        if imported.startswith("composer.store.")
    )
    assert deep == [], "import these from composer.store instead:\n" + "\n".join(deep)


def test_edition_status_groups_are_written_once_in_store_statuses() -> None:
    """A tuple, list or set of EditionStatus members is a group: it belongs in
    store/statuses.py, named, so that a rule ("resumable", "done"...) has one definition."""

    def is_status(node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "EditionStatus"
        )

    written = sorted(
        f"{name}:{node.lineno}"
        for name, tree in _modules().items()
        if name != "composer.store.statuses"
        for node in ast.walk(tree)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set))
        and sum(is_status(element) for element in node.elts) >= 2
    )
    assert written == [], "name these groups in composer/store/statuses.py: " + ", ".join(written)


@pytest.mark.parametrize("package", ["composer", "composer.text", "composer.store", "composer.tui"])
def test_every_public_name_of_a_lazy_package_loads(package: str) -> None:
    """composer, composer.text and composer.store load their names when first used (PEP 562):
    a name listed but mapped to the wrong module would fail only when a command used it."""
    code = (
        "import importlib\n"
        f"package = importlib.import_module({package!r})\n"
        "missing = [n for n in package.__all__ if getattr(package, n, None) is None]\n"
        "homes = package._HOMES\n"
        "unlisted = sorted(set(homes) ^ (set(package.__all__) - {'__version__'}))\n"
        "print('MISSING', missing, 'UNLISTED', unlisted)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "MISSING [] UNLISTED []" in result.stdout, result.stdout + result.stderr
