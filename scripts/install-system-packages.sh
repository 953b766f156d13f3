#!/usr/bin/env bash
# The Debian packages the tests drive as real components: chromium (the client's browser test).
# Installs the missing ones with apt-get (as root, or through sudo); where that cannot work (no
# apt-get, no root) it says what is missing and carries on, so every other test still runs and
# the browser test fails naming what it lacks.
set -uo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = "none" ]; then
  echo "install-system-packages: cannot install ${missing[*]} here (needs apt-get as root); tests that need them will fail" >&2
  exit 0
fi
echo "install-system-packages: installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
