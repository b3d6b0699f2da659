#!/usr/bin/env bash
# Usage: scripts/serve_with_worker.sh [PORT]
# Runs the job worker (`sanxiang worker`: checkpoints, witnesses, nightly verification, clean-up)
# in the background beside the web server (`sanxiang serve`: one process per core, a few threads
# each; SANXIANG_WEB_WORKERS / SANXIANG_WEB_THREADS), and stops everything it started whenever the
# server exits — Ctrl+C, an error at start-up (port in use, failed system check) or a crash.
# The job worker is always ONE process, so periodic jobs never run twice.
#
# DEMO_WITNESSES=1 (set by `make demo`) also starts the demo's two witnesses (河洛市司法局,
# 河洛市人民检察院: `sanxiang witness` on 127.0.0.1:7381 and :7382, keys under var/demo-witnesses/),
# names them to the server and the worker in SANXIANG_WITNESSES, and asks them to cosign the
# current checkpoint before serving, so the portal shows cosignatures from the first page.
set -euo pipefail

SANXIANG=${SANXIANG:-.venv/bin/sanxiang}
port=${1:-8000}

pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill -INT "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # huey finishes the task in hand on SIGINT; give it a moment, then insist.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT

if [ "${DEMO_WITNESSES:-}" = 1 ]; then
  eval "$("$SANXIANG" demo_witnesses --shell)"
  for ((i = 0; i < demo_witness_count; i++)); do
    args_name="demo_witness_args_${i}[@]"
    "$SANXIANG" witness "${!args_name}" &
    pids+=($!)
  done
  # Wait until each listens (a witness starts in about a second), then collect cosignatures now
  # rather than at the job worker's next checkpoint (the same job: checkpoint, then witnesses).
  for ((i = 0; i < demo_witness_count; i++)); do
    port_name="demo_witness_port_${i}"
    for _ in $(seq 1 150); do
      (exec 3<>"/dev/tcp/127.0.0.1/${!port_name}") 2>/dev/null && break
      sleep 0.2
    done
  done
  "$SANXIANG" demo_witnesses --cosign || true
fi

"$SANXIANG" worker &
pids+=($!)

"$SANXIANG" serve --port "$port"
