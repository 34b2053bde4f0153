"""The layering rule: b12logic (outside figures.py) imports neither streamlit nor plotly."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "b12logic"
ALLOWED_UI = {"figures.py"}  # plotly figure builders (no streamlit there either, but that is figures' own test)
FORBIDDEN = ("streamlit", "plotly")


def engine_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ALLOWED_UI or path.name == "__main__.py":  # __main__ runs the CLI on import
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


def test_importing_the_engine_loads_neither_streamlit_nor_plotly() -> None:
    modules = engine_modules()
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
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
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


def test_no_engine_source_file_imports_streamlit_or_plotly() -> None:
    checked = 0
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ALLOWED_UI:
            continue
        source = path.read_text(encoding="utf-8")
        roots = _imported_roots(ast.parse(source, filename=str(path)))  # also imports inside functions
        for name in FORBIDDEN:
            assert name not in roots, f"{path.name} imports {name}"
            for line in source.splitlines():
                stripped = line.strip()
                assert not stripped.startswith((f"import {name}", f"from {name}")), f"{path.name}: {line}"
        checked += 1
    assert checked >= 12


def test_the_scanner_would_notice() -> None:
    # The scan is only worth something if it catches the forms it looks for.
    assert "streamlit" in _imported_roots(ast.parse("def f():\n    import streamlit as st\n"))
    assert "plotly" in _imported_roots(ast.parse("from plotly import graph_objects"))
    assert "plotly" in _imported_roots(ast.parse("importlib.import_module('plotly.express')"))
