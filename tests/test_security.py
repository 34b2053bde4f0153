"""Hardening checks: no raw HTML reaches a page, and the server settings stay safe.

Uploaded CSVs, hand-edited links and typed ids are user text. Streamlit escapes text unless a call
opts out (unsafe_allow_html=True, st.html, components.html/iframe), so this test reads the code and
fails if any opt-out appears outside ALLOWED: a list of (file, exact static string) pairs, empty today.
Adding to it means showing, in review, that the string is a literal with no user text in it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]
SCANNED += sorted((ROOT / "b12logic").rglob("*.py"))

# (path relative to the repository, the exact literal string passed as the first argument)
ALLOWED: frozenset[tuple[str, str]] = frozenset()
# (path, name of a module-level Path constant) for st.html of a static file of the repository's own: ui/style.py
# puts ui/style.css on every page. test_static_css_is_only_css checks that file holds CSS and nothing else.
ALLOWED_FILES: frozenset[tuple[str, str]] = frozenset({("ui/style.py", "CSS_PATH")})
STATIC_CSS = ROOT / "ui" / "style.css"

RAW_HTML_CALLS = frozenset({"html", "iframe"})  # st.html, components.html, components.iframe
DANGEROUS_CALLS = frozenset({"eval", "exec", "compile", "__import__"})
DANGEROUS_MODULES = frozenset({"pickle", "marshal", "shelve", "subprocess", "dill"})
# (path, module) reviewed: b12logic/worker.py starts the app's own worker for a large upload (issue 22) with a
# fixed command (sys.executable -m b12logic.worker and two pipe numbers: no user text), and reads back over a
# private pipe only what that child pickled from objects it built itself (never bytes from a file).
ALLOWED_MODULES: frozenset[tuple[str, str]] = frozenset({("b12logic/worker.py", "subprocess")})


def _first_literal(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    for kw in call.keywords:
        if kw.arg in ("body", "html") and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    return None


def raw_html_uses(source: str, rel: str, allowed: frozenset[tuple[str, str]] = ALLOWED) -> list[str]:
    """Every call that lets text through as HTML, as 'file:line: what', minus the allow-list."""
    tree = ast.parse(source)
    html_names = set()  # `from streamlit import html` or `from streamlit.components.v1 import html as h`
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit"):
            html_names |= {a.asname or a.name for a in node.names if a.name in RAW_HTML_CALLS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        what = None
        for kw in node.keywords:
            if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                what = "unsafe_allow_html"
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in RAW_HTML_CALLS:
            what = f".{func.attr}("
        if isinstance(func, ast.Name) and func.id in html_names:
            what = f"{func.id}("
        static_file = bool(node.args) and isinstance(node.args[0], ast.Name) and (rel, node.args[0].id) in ALLOWED_FILES
        if what and (rel, _first_literal(node)) not in allowed and not static_file:
            found.append(f"{rel}:{node.lineno}: {what}")
    return found


def test_static_css_is_only_css() -> None:
    """The CSS file st.html sends is style only: no markup ('<' could close the style tag), no script,
    nothing fetched from elsewhere. ('>' is CSS's child combinator.)"""
    css = STATIC_CSS.read_text(encoding="utf-8").lower()
    for forbidden in ("<", "javascript:", "expression(", "url(", "@import", "behavior:"):
        assert forbidden not in css, forbidden


def dangerous_uses(source: str, rel: str) -> list[str]:
    """Dynamic code execution or unsafe deserialisation: nothing in this app needs them."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DANGEROUS_CALLS:
            found.append(f"{rel}:{node.lineno}: {node.func.id}(")
        if isinstance(node, ast.Import):
            found += [
                f"{rel}:{node.lineno}: import {a.name}"
                for a in node.names
                if a.name in DANGEROUS_MODULES and (rel, a.name) not in ALLOWED_MODULES
            ]
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DANGEROUS_MODULES:
            found.append(f"{rel}:{node.lineno}: from {node.module}")
    return found


def test_scan_covers_the_app() -> None:
    rels = {p.relative_to(ROOT).as_posix() for p in SCANNED}
    assert {"app.py", "ui/state.py", "b12logic/batch.py"} <= rels
    assert any(r.startswith("pages/") for r in rels)


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_raw_html_outside_the_allow_list(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    assert raw_html_uses(path.read_text(encoding="utf-8"), rel) == []


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_dynamic_code_or_unsafe_deserialisation(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    assert dangerous_uses(path.read_text(encoding="utf-8"), rel) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import streamlit as st\nst.markdown(text, unsafe_allow_html=True)",
        "import streamlit as st\nst.write(text, unsafe_allow_html=flag)",
        "import streamlit as st\nst.html(text)",
        "import streamlit as st\nst.html('<b>static</b>')",
        "import streamlit.components.v1 as components\ncomponents.html(text)",
        "import streamlit as st\nst.components.v1.iframe(url)",
        "from streamlit import html\nhtml(text)",
        "from streamlit.components.v1 import html as h\nh(text)",
    ],
)
def test_the_scanner_catches_each_form(snippet: str) -> None:
    # Guards the guard: an empty result above must mean "none used", not "scanner blind".
    assert len(raw_html_uses(snippet, "x.py")) == 1


def test_the_scanner_allows_listed_static_strings_only() -> None:
    allowed = frozenset({("x.py", "<hr>")})
    assert raw_html_uses("import streamlit as st\nst.html('<hr>')", "x.py", allowed) == []
    assert raw_html_uses("import streamlit as st\nst.html('<hr>')", "y.py", allowed) != []
    assert raw_html_uses("import streamlit as st\nst.html('<hr/>')", "x.py", allowed) != []
    assert raw_html_uses("import streamlit as st\nst.html(text)", "x.py", allowed) != []
    assert raw_html_uses("import streamlit as st\nst.markdown('ok', unsafe_allow_html=False)", "x.py") == []


def test_the_scanner_catches_dangerous_calls() -> None:
    assert dangerous_uses("import pickle\npickle.loads(b)", "x.py") == ["x.py:1: import pickle"]
    assert dangerous_uses("eval(text)", "x.py") == ["x.py:1: eval("]
    assert dangerous_uses("from subprocess import run", "x.py") == ["x.py:1: from subprocess"]


# --- server settings


@pytest.fixture(scope="module")
def config() -> dict[str, dict[str, object]]:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_usage_statistics_off(config: dict[str, dict[str, object]]) -> None:
    assert config["browser"]["gatherUsageStats"] is False


def test_no_traceback_reaches_the_page(config: dict[str, dict[str, object]]) -> None:
    assert config["client"]["showErrorDetails"] == "none"


def test_xsrf_protection_on(config: dict[str, dict[str, object]]) -> None:
    assert config["server"]["enableXsrfProtection"] is True


def test_upload_cap_set_and_suited_to_the_batch_page(config: dict[str, dict[str, object]]) -> None:
    cap = config["server"]["maxUploadSize"]
    assert isinstance(cap, int) and not isinstance(cap, bool)
    assert 1 <= cap <= 200  # MB: Streamlit's own default is 200; a CSV of cases needs far less


def test_no_setting_that_weakens_the_defaults(config: dict[str, dict[str, object]]) -> None:
    server = config.get("server", {})
    assert server.get("runOnSave", False) is False
    assert "cookieSecret" not in server  # a secret belongs in the environment of each replica, not in git
    assert config.get("global", {}).get("developmentMode", False) is False


# --- the container, on paper (not built here): check what can be checked without Docker


def _dockerfile() -> list[str]:
    """Instructions of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_runs_as_a_non_root_user_with_a_health_check() -> None:
    lines = _dockerfile()
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("RUN pip install -r requirements.txt -c constraints.txt") for line in lines)
    assert "EXPOSE 8501" in lines
    (health,) = [line for line in lines if line.startswith("HEALTHCHECK ")]
    assert "urllib.request" in health and "http://127.0.0.1:8501/_stcore/health" in health
    assert "curl" not in health
    (cmd,) = [line for line in lines if line.startswith("CMD ")]
    assert cmd == ('CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]')


def test_dockerfile_copies_what_the_app_imports_and_nothing_secret() -> None:
    copied = {line.split()[1].rstrip("/") for line in _dockerfile() if line.startswith("COPY ")}
    for needed in ("app.py", "b12logic", "ui", "pages", ".streamlit/config.toml"):
        assert needed in copied, needed
    for source in copied:
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for secret in (".streamlit/secrets.toml", ".env", ".git"):
        assert secret in ignored, secret


# --- uploaded content in the running batch page: shown as text, never as markup

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_UPLOADS = {
    "hostile-cells": (
        f"id,age,sex,b12,esr,note\n{HOSTILE},68,F,179,30,**bold** [x](javascript:alert(1))\n"
        f"p2,{HOSTILE},F,179,30,<script>alert(1)</script>\n"
    ).encode(),
    "hostile-duplicate-header": f"age,sex,b12,esr,AGE,{HOSTILE}\n68,F,179,30,1,2\n".encode(),
    "hostile-sex-in-every-row": ("age,sex,b12,esr\n" + f"68,{HOSTILE},179,30\n" * 3).encode(),
}


def _unescaped(text: str, needle: str) -> bool:
    """True when `needle` appears without the backslash escape Markdown needs to show it as text."""
    start = text.find(needle)
    while start != -1:
        if start == 0 or text[start - 1] != "\\":
            return True
        start = text.find(needle, start + 1)
    return False


@pytest.mark.parametrize("name", list(HOSTILE_UPLOADS))
def test_uploaded_text_is_never_rendered_as_markup(name: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/batch.py").run()
    at.file_uploader[0].set_value(("cases.csv", HOSTILE_UPLOADS[name], "text/csv"))
    at.run()
    assert not at.exception
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")
    bodies = [str(getattr(el, "value", "")) for kind in kinds for el in at.get(kind)]
    assert bodies, "the page showed nothing"
    for body in bodies:
        for needle in ("<img", "<script", "](javascript:"):
            assert not _unescaped(body, needle), body
