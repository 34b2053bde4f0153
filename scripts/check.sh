#!/usr/bin/env bash
# The whole test suite: lint, format, types, then pytest (unit, property, AppTest and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
