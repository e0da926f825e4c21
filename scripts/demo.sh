#!/usr/bin/env bash
# Generate the bookstore example and serve it on SQLite + the in-process cache.
# Nothing else to install: no database server, no Redis.
#
# It never deletes anything: a bookstore/ left by an earlier run (and maybe edited
# since) is served as it is, not generated again. Remove it yourself to start over.
#   DEMO_DIR=path   the project's directory (default: bookstore, in this checkout)
#   FASTGEN=path    the fastgen to generate with (default: install this checkout
#                   into .venv)
#   DEMO_SERVE=0    stop after generating: no install, no server
#   PORT=n          the port to serve on, on 127.0.0.1 (default: 8000)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${DEMO_DIR:-bookstore}
if [ -e "$target" ] && [ -n "$(ls -A "$target" 2>/dev/null)" ]; then
  if [ ! -f "$target/fastgen.yaml" ]; then
    echo "$target exists and is not a fastgen project; move it or set DEMO_DIR." >&2
    exit 1
  fi
  echo "$target exists: serving it as it is (nothing regenerated, nothing deleted)."
else
  fastgen=${FASTGEN:-}
  if [ -z "$fastgen" ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e .
    fastgen=.venv/bin/fastgen
  fi
  "$fastgen" new examples/bookstore.yaml -o "$target"
fi
if [ "${DEMO_SERVE:-1}" = 0 ]; then
  exit 0
fi
cd "$target"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e '.[dev]'
port=${PORT:-8000}
echo "Serving on http://127.0.0.1:$port (docs at /docs); Ctrl-C stops it."
exec .venv/bin/uvicorn bookstore.main:app --host 127.0.0.1 --port "$port"
