#!/usr/bin/env bash
# Set up a virtualenv with fastgen and its test tools, then run the whole test suite.
# The end-to-end tests install each generated project into a venv of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
# uv (from PyPI) installs fastgen and its test tools in ~30 s where pip takes ~60 s,
# compiling the bytecode as pip does; the tests make the generated projects' venvs
# with it too (tests/conftest.py).
.venv/bin/python -m pip install --quiet 'uv>=0.9'
.venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -e '.[test]'
# Two workers (CI has two cores), each taking whole files: a file's module fixtures
# (a generated, installed project) are made once; arguments after these win (-n 0).
# Files come in the order tests/conftest.py gives (the long e2e ones first), not
# xdist's (most tests first), which left the few-test e2e files to one worker at the end.
# The load tests (wrk, and timings under SIGTERM) run after, alone: a neighbour's
# test would starve them (tests/conftest.py). Exit codes as one pytest run's:
# 5 (no test selected) only if neither run selected one; an interrupt (2) ends it.
rest=0
FASTGEN_LOAD_TESTS=skip .venv/bin/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder "$@" || rest=$?
[ "$rest" -eq 2 ] && exit 2
load=0
FASTGEN_LOAD_TESTS=only .venv/bin/python -m pytest "$@" || load=$?
if [ "$rest" -eq 5 ] && [ "$load" -eq 5 ]; then exit 5; fi
[ "$rest" -eq 5 ] && rest=0
[ "$load" -eq 5 ] && load=0
[ "$rest" -ne 0 ] && exit "$rest"
exit "$load"
