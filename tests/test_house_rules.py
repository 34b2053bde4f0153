"""The house rules a change must keep, read from the source itself (DESIGN.md, issue 21).

- A guideline profile is data: nothing outside b12logic/guidelines.py branches on a profile id.
- A helper shared between modules has a public name: no module imports another's `_private` name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from b12logic.guidelines import PROFILE_CHOICES

REPO = Path(__file__).resolve().parents[1]
GUIDELINES = REPO / "b12logic" / "guidelines.py"


def source_files() -> list[Path]:
    """The app's own code: the engine, the UI helpers, the pages and the entry."""
    files = [REPO / "app.py"]
    for folder in ("b12logic", "ui", "pages"):
        files += sorted((REPO / folder).rglob("*.py"))
    return files


def _strings_in(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            yield inner.value


def profile_id_branches(tree: ast.AST, ids: tuple[str, ...] = PROFILE_CHOICES) -> list[tuple[int, str]]:
    """Comparisons that involve a profile id (`x == "nice-ng239"`, `g in ("source", ...)`), dictionaries keyed
    by one, and match cases on one: each is a choice the profile should hold."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            found += [(node.lineno, s) for s in _strings_in(node) if s in ids]
        elif isinstance(node, ast.Dict):
            found += [(node.lineno, k.value) for k in node.keys if isinstance(k, ast.Constant) and k.value in ids]
        elif isinstance(node, ast.match_case):
            found += [(node.pattern.lineno, s) for s in _strings_in(node.pattern) if s in ids]
    return found


def test_the_scan_finds_a_profile_branch() -> None:
    """The scan below would pass trivially if it could not see one."""
    code = (
        'if guideline == "nice-ng239":\n    pass\n'
        'dash = {"source": "longdash"}\n'
        'other = "x" if g in ("bsh-2014",) else "y"\n'
        'ok = ("source", "NICE NG239")  # a citation, not a branch\n'
    )
    assert [line for line, _ in profile_id_branches(ast.parse(code))] == [1, 3, 4]


def test_no_branch_on_a_profile_id_outside_guidelines() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}: {value!r}"
        for path in source_files()
        if path != GUIDELINES
        for line, value in profile_id_branches(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert source_files() and not found, "profile-id branches (move the choice into the profile):\n" + "\n".join(found)


def private_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """`from module import _name` (dunder names aside): a helper another module needs should be public."""
    return [
        (node.lineno, f"{node.module}.{alias.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_the_scan_finds_a_private_import() -> None:
    code = "from b12logic.figures.style import _wrap, on_white\nfrom x import __version__\nimport _thread\n"
    assert private_imports(ast.parse(code)) == [(1, "b12logic.figures.style._wrap")]


def test_no_module_imports_another_modules_private_name() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}: {name}"
        for path in source_files()
        for line, name in private_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "private names imported across modules (give them public names):\n" + "\n".join(found)
