#!/usr/bin/env bash
# Usage: scripts/with_s3.sh CMD [ARGS...]
# Starts a throwaway S3-compatible server (moto_server, from the test dependencies) on
# 127.0.0.1 at a free port, creates a bucket with Object Lock enabled, runs CMD with
# STORAGE_URL (and dummy AWS credentials) pointing at it, then stops the server whatever CMD
# did, and exits with CMD's status. The pytest suite does the same with a fixture
# (sanxiang/records/tests/conftest.py); this script is for running the app or bench/ on S3:
#   scripts/with_s3.sh .venv/bin/python bench/upload.py
set -euo pipefail

log() { echo "[with_s3] $*" >&2; }

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"
moto="$here/.venv/bin/moto_server"
[ -x "$moto" ] || { log "ERROR: $moto missing; run make install (moto[server] is a test dependency)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sanxiang-s3.XXXXXX")
pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

export AWS_ACCESS_KEY_ID=sanxiang-local AWS_SECRET_ACCESS_KEY=sanxiang-local-secret AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
for attempt in 1 2 3; do
  port=$(free_port)
  "$moto" -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
      break 2
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "moto_server did not start on port $port (attempt $attempt)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
[ -n "$pid" ] || { tail -n 20 "$tmp/moto.log" >&2; log "ERROR: could not start moto_server"; exit 1; }

bucket=evidence
endpoint="http://127.0.0.1:$port"
"$py" - "$endpoint" "$bucket" <<'PY'
import sys

import boto3

endpoint, bucket = sys.argv[1:]
boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
PY

export STORAGE_URL="s3://$bucket?endpoint_url=$endpoint&region=us-east-1&object_lock=1&retention_days=1"
log "moto_server on $endpoint, STORAGE_URL=$STORAGE_URL"

set +e
"$@"
status=$?
set -e
exit "$status"
