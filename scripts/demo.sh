#!/usr/bin/env bash
# Generate the bookstore example and serve it on SQLite + the in-process cache.
# Nothing else to install: no database server, no Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
rm -rf bookstore
.venv/bin/fastgen new examples/bookstore.yaml -o bookstore
cd bookstore
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "Serving on http://127.0.0.1:${PORT:-8000} (docs at /docs); Ctrl-C stops it."
exec .venv/bin/uvicorn bookstore.main:app --host 127.0.0.1 --port "${PORT:-8000}"
