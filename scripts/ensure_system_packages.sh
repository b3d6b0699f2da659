#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those that are missing:
#   postgresql       a PostgreSQL server (initdb under /usr/lib/postgresql/*/bin)
#   chromium         /usr/bin/chromium, driven by Playwright for Python
#   fonts-noto-cjk   Chinese glyphs in screenshots and PDFs
#   poppler-utils    pdftotext, to read generated PDF documents back in tests
#   libpangoft2-1.0-0  Pango, which WeasyPrint uses to lay out PDF documents
#   redis-server     the job queue's Redis path is tested against a real server started on loopback
# Idempotent: when everything is present it changes nothing and touches no network.
set -euo pipefail

log() { echo "[system-deps] $*"; }

have_postgresql() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_libpangoft2-1.0-0() { ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; }
have_redis-server() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }
have_poppler-utils() { command -v pdftotext >/dev/null 2>&1; }
have_fonts-noto-cjk() {
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
    || { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n1)" ]; }
}

packages=(postgresql chromium fonts-noto-cjk poppler-utils libpangoft2-1.0-0 redis-server)
missing=()
for pkg in "${packages[@]}"; do
  if "have_$pkg"; then
    log "ok: $pkg"
  else
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  log "nothing to install"
  exit 0
fi
log "missing: ${missing[*]}"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    log "ERROR: not root and sudo is not available; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Wait for a dpkg/apt lock held by another apt run instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# Run an apt-get command, retrying once after a pause if it fails.
apt_retry() {
  if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" "$@"; then
    return 0
  fi
  log "apt-get $1 failed; retrying once in 10s"
  sleep 10
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" "$@"
}

start=$SECONDS
log "apt-get update"
apt_retry update -qq
log "apt-get install ${missing[*]}"
apt_retry install -y -q --no-install-recommends "${missing[@]}"

# Check again so an incomplete install fails here, not deep inside the test suite.
for pkg in "${missing[@]}"; do
  if ! "have_$pkg"; then
    log "ERROR: $pkg still missing after apt-get install" >&2
    exit 1
  fi
done
log "installed ${missing[*]} in $((SECONDS - start))s"
