"""The shape of the code (ARCHITECTURE.md): read the imports of ``rust/`` and ``python/assay/``
and fail on an import cycle, an import against the direction of the wings, or an import of
another package's internals."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUST = ROOT / "rust"
PYTHON = ROOT / "python" / "assay"

#: Rust modules at the top of ``rust/`` that every wing may use.
RUST_SHARED = {"codes", "error", "simd", "union_find"}
#: Which wing may import which other wing (the glue, ``py``, may import every one).
RUST_ALLOWED = {
    "text": set(),
    "dedup": {"text"},
    "contamination": {"text", "dedup"},
    "arena": set(),
    "spectral": set(),
    "metrics": set(),
    "stats": set(),
    "axes": set(),
}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles of a directed graph: its strongly connected components of 2 or more nodes
    (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


# --- Rust ---------------------------------------------------------------------------------


def rust_modules() -> dict[str, Path]:
    """Module path (``text::tokenize``) → file, for every file of the crate."""
    out = {}
    for path in RUST.rglob("*.rs"):
        parts = list(path.relative_to(RUST).with_suffix("").parts)
        if parts[-1] in ("mod", "lib"):
            parts = parts[:-1]
        out["::".join(parts)] = path
    return out


def _code(path: Path) -> str:
    """The file without comments and without its test module (tests may compare
    implementations across modules)."""
    text = path.read_text(encoding="utf-8")
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests\b", text)[0]
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def rust_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        own = name.split("::") if name else []
        for match in re.finditer(r"\b(crate|super)((?:::\w+)+)", _code(path)):
            head, rest = match.group(1), match.group(2).split("::")[1:]
            base = [] if head == "crate" else own[:-1]  # `super` is the parent module
            while rest and rest[0] == "super":
                base, rest = base[:-1], rest[1:]
            target = base + rest
            while target and "::".join(target) not in modules:
                target = target[:-1]
            resolved = "::".join(target)
            if target and resolved != name:
                graph[name].add(resolved)
    return graph


def test_rust_has_no_import_cycle():
    graph = rust_imports(rust_modules())
    assert strongly_connected(graph) == []


def test_rust_wings_import_one_way():
    modules = rust_modules()
    wrong = []
    for source, targets in rust_imports(modules).items():
        wing = source.split("::")[0]
        if wing in ("py", "") or wing in RUST_SHARED:
            if wing in RUST_SHARED:  # shared utilities import only each other
                wrong += [(source, t) for t in targets if t.split("::")[0] not in RUST_SHARED]
            continue
        allowed = RUST_ALLOWED[wing] | RUST_SHARED | {wing}
        wrong += [(source, t) for t in targets if t.split("::")[0] not in allowed]
    assert wrong == []


def test_every_rust_wing_is_listed():
    wings = {p.name for p in RUST.iterdir() if p.is_dir()} - {"py"}
    assert wings == set(RUST_ALLOWED)


# --- Python -------------------------------------------------------------------------------


def python_modules() -> dict[str, Path]:
    out = {"assay._native": PYTHON / "_native.pyi"}
    for path in PYTHON.rglob("*.py"):
        parts = ["assay", *path.relative_to(PYTHON).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _runtime_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            name = getattr(test, "id", None) or getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                stack.extend(child.orelse)  # type: ignore[union-attr]
                continue
            stack.append(child)


def python_imports(modules: dict[str, Path]) -> Iterable[tuple[str, str, str]]:
    """(importing module, imported module, imported dotted name) for every import of an
    assay module, deferred ones included."""
    for name, path in modules.items():
        if path.suffix == ".pyi":
            continue
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full.startswith("assay"):
                        yield name, full if full in modules else target, full
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("assay"):
                        yield name, alias.name, alias.name


def test_python_has_no_import_cycle():
    modules = python_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in python_imports(modules):
        if target != source and target in modules:
            graph[source].add(target)
    assert strongly_connected(graph) == []


def test_no_package_imports_another_packages_internals():
    """``assay.<package>``'s private modules and names are its own; shared helpers live in
    ``assay._*`` modules at the top."""
    modules = python_modules()
    packages = {n for n, p in modules.items() if p.name == "__init__.py" and n.count(".") == 1}

    def package_of(name: str) -> str | None:
        top = ".".join(name.split(".")[:2])
        return top if top in packages else None

    wrong = []
    for source, _, full in python_imports(modules):
        target = package_of(full)
        if target and package_of(source) != target:
            if any(part.startswith("_") for part in full.split(".")[2:]):
                wrong.append((source, full))
    assert wrong == []


def test_the_checks_find_what_they_look_for(tmp_path):
    """The cycle finder sees a cycle, and the Rust resolver reads `crate::` and `super::`."""
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []
    graph = rust_imports(rust_modules())
    assert "text::tokenize" in graph["dedup::device_pack"]
    assert "axes::cluster_order" in graph["axes::moments"]
