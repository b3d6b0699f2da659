#!/usr/bin/env bash
# Usage: scripts/serve_with_worker.sh [PORT]
# Runs the job worker (`sanxiang worker`: checkpoints, nightly verification, clean-up) in the
# background beside the web server (`sanxiang serve`), and stops the worker whenever the server
# exits — Ctrl+C, an error at start-up (port in use, failed system check) or a crash.
set -euo pipefail

SANXIANG=${SANXIANG:-.venv/bin/sanxiang}
port=${1:-8000}

"$SANXIANG" worker &
worker=$!
stop_worker() {
  if kill -0 "$worker" 2>/dev/null; then
    kill -INT "$worker" 2>/dev/null || true
    # huey finishes the task in hand on SIGINT; give it a moment, then insist.
    for _ in $(seq 1 50); do kill -0 "$worker" 2>/dev/null || break; sleep 0.2; done
    kill -TERM "$worker" 2>/dev/null || true
  fi
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT

"$SANXIANG" serve --port "$port"
