"""No import circles between the project's modules.

Every `import` counts, also one inside a function: a deferred import hides a circle from Python at
start-up but not from a reader, and the layering (common → ledger → accounts → registry → cases →
the apps built on them) is what lets an app be understood and tested on its own. A lower module
reaches a higher one only through a registry it owns that the higher app fills from
AppConfig.ready(), or a model by name (django.apps.apps.get_model).
"""

from __future__ import annotations

import ast
from pathlib import Path

import sanxiang

ROOT = Path(sanxiang.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = ("sanxiang", *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "tests" in parts or "migrations" in parts:
            continue  # leaves: nothing imports a test or a migration
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names += [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                      for alias in node.names]
    out = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.add(name)
    return out


def import_circles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    modules = _modules()
    graph = {m: sorted(_imported(m, p, modules)) for m, p in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            for j in range(i, len(graph[node])):
                nxt = graph[node][j]
                if nxt not in index:
                    work += [(node, j + 1), (nxt, 0)]
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return circles


def test_no_module_imports_itself_back():
    circles = import_circles()
    assert circles == [], "import circles:\n" + "\n".join(" ↔ ".join(c) for c in circles)


def test_the_check_finds_a_circle(tmp_path, monkeypatch):
    package = tmp_path / "sanxiang"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("def f():\n    from sanxiang.a.two import g\n")
    (package / "a" / "two.py").write_text("from . import one\n")
    (package / "a" / "three.py").write_text("from sanxiang.a.one import f\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", package)
    assert import_circles() == [["sanxiang.a.one", "sanxiang.a.two"]]
