#!/usr/bin/env bash
# Installs the system programs the tests drive for real: Debian's Chromium (browser tests) and
# PostgreSQL 15 (store tests). Only as root and only when missing; otherwise says what it skipped,
# and the tests that need the program skip with the same reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "system-deps: not root, so not installing ${need[*]}; the tests that need them will be skipped with a reason." >&2
  exit 0
fi
echo "system-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null \
  || echo "system-deps: apt-get could not install ${need[*]}; the tests that need them will be skipped with a reason." >&2
exit 0
