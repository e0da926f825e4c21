#!/usr/bin/env bash
# Set up a virtualenv with fastgen and its test tools, then run the whole test suite.
# The end-to-end tests install each generated project into a venv of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# Two workers (CI has two cores), each taking whole files: a file's module fixtures
# (a generated, installed project) are made once. Arguments after these win (-n 0).
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
