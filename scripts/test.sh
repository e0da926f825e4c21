#!/usr/bin/env bash
# Set up a virtualenv with fastgen and its test tools, then run the whole test suite.
# The end-to-end tests install each generated project into a venv of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# Two workers (CI has two cores), each taking whole files: a file's module fixtures
# (a generated, installed project) are made once; arguments after these win (-n 0).
# The load tests (wrk, and timings under SIGTERM) run after, alone: a neighbour's
# test would starve them (tests/conftest.py). "No test selected" (5) is no failure.
status=0
FASTGEN_LOAD_TESTS=skip .venv/bin/python -m pytest -n 2 --dist loadfile "$@" || status=$?
[ "$status" -eq 5 ] && status=0
load=0
FASTGEN_LOAD_TESTS=only .venv/bin/python -m pytest "$@" || load=$?
[ "$load" -eq 5 ] && load=0
[ "$status" -ne 0 ] && exit "$status"
exit "$load"
