"""The layering rule: b12logic imports no streamlit, and plotly only inside the b12logic/figures/ package."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "b12logic"
FIGURES = PACKAGE / "figures"  # the plotly figure builders: plotly allowed there, streamlit nowhere
FORBIDDEN = ("streamlit", "plotly")


def engine_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "__main__.py":  # __main__ runs the CLI on import
            continue
        names.append("b12logic" if path.name == "__init__.py" else f"b12logic.{path.stem}")
    return names


def test_the_engine_modules_are_found() -> None:
    modules = engine_modules()
    for expected in (
        "b12logic",
        "b12logic.units",
        "b12logic.fields",
        "b12logic.validate",
        "b12logic.case",
        "b12logic.guidelines",
        "b12logic.esr",
        "b12logic.graphs",
        "b12logic.engine",
        "b12logic.batch",
        "b12logic.cli",
        "b12logic.references",
    ):
        assert expected in modules
    assert "b12logic.figures" not in modules


def _roots_loaded_by_importing(modules: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after importing `modules`."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules})\n"
        "print(json.dumps(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_engine_loads_neither_streamlit_nor_plotly() -> None:
    loaded = _roots_loaded_by_importing(engine_modules())
    assert "b12logic" in loaded and "pandas" in loaded  # the imports really ran (batch brings pandas)
    for name in FORBIDDEN:
        assert name not in loaded, f"{name} was imported by the engine"


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


def _assert_no_import_of(path: Path, forbidden: tuple[str, ...]) -> None:
    source = path.read_text(encoding="utf-8")
    roots = _imported_roots(ast.parse(source, filename=str(path)))  # also imports inside functions
    for name in forbidden:
        assert name not in roots, f"{path.name} imports {name}"
        for line in source.splitlines():
            stripped = line.strip()
            assert not stripped.startswith((f"import {name}", f"from {name}")), f"{path.name}: {line}"


def test_no_engine_source_file_imports_streamlit_or_plotly() -> None:
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        if FIGURES in path.parents:
            continue
        _assert_no_import_of(path, FORBIDDEN)
        checked += 1
    assert checked >= 12


def test_no_figures_source_file_imports_streamlit() -> None:
    paths = sorted(FIGURES.rglob("*.py"))
    assert len(paths) >= 9  # one module per figure family, and the package
    for path in paths:
        _assert_no_import_of(path, ("streamlit",))


def test_importing_the_figures_package_loads_no_streamlit() -> None:
    modules = ["b12logic.figures", *(f"b12logic.figures.{p.stem}" for p in sorted(FIGURES.glob("[!_]*.py")))]
    loaded = _roots_loaded_by_importing(modules)
    assert "plotly" in loaded  # the imports really ran
    assert "streamlit" not in loaded


def _public_top_level_names(path: Path) -> list[str]:
    """Names a module defines at its top level (functions, classes, constants), without a leading underscore."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def test_the_package_re_exports_every_public_name_of_its_modules() -> None:
    # `from b12logic.figures import decision_svg, ...` keeps working whichever module a builder lives in.
    import importlib

    import b12logic.figures as figures

    for path in sorted(FIGURES.glob("[!_]*.py")):
        module = importlib.import_module(f"b12logic.figures.{path.stem}")
        for name in _public_top_level_names(path):
            assert name in figures.__all__, f"b12logic.figures does not export {path.stem}.{name}"
            assert getattr(figures, name) is getattr(module, name), name


def test_the_scanner_would_notice() -> None:
    # The scan is only worth something if it catches the forms it looks for.
    assert "streamlit" in _imported_roots(ast.parse("def f():\n    import streamlit as st\n"))
    assert "plotly" in _imported_roots(ast.parse("from plotly import graph_objects"))
    assert "plotly" in _imported_roots(ast.parse("importlib.import_module('plotly.express')"))
