"""The shape of the code: no import cycles in bot/, and the layer contracts of pyproject.toml.

`lint-imports` (make lint) checks that the arrows point down (channels → app → store → core)
and that the core imports no transport, database or drawing library; this test adds what it
does not check: that no module of bot/ reaches itself through its imports, at any depth.
"""

from __future__ import annotations

import grimp


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_bot_has_no_import_cycles() -> None:
    graph = grimp.build_graph("bot")
    modules = {m for m in graph.modules if m == "bot" or m.startswith("bot.")}
    assert len(modules) > 50, "the graph should hold every module of bot/"
    assert cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    assert cycles(graph, {"a.x", "a.y", "a.z"}) == [["a.x", "a.y", "a.z"]]
