#!/usr/bin/env bash
# Install the Debian/Ubuntu packages mockint needs when they are missing.
# Usage: scripts/sysdeps.sh PACKAGE...   (as root: apt-get; otherwise print the exact command)
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3 -m venv needs ensurepip; Debian's system Python ships it separately
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then missing+=("python3-venv"); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "mockint: please install these system packages with your package manager: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "mockint: installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "mockint: missing system packages. Run this, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
