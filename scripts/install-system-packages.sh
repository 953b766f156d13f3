#!/usr/bin/env bash
# The Debian packages the tests drive as real components: chromium (the client's browser test);
# protobuf-compiler, protobuf-compiler-grpc, python3-protobuf and python3-grpcio (the Python peer
# and the independent codec of packages/interop); postgresql (the throwaway clusters of the
# server's database tests, packages/server/src/test-support/postgres.ts). Installs the missing
# ones with apt-get (as root, or through sudo); where that cannot work (no apt-get, no root) it
# says what is missing and carries on, so every other test still runs and the ones that need them
# fail, naming it.
set -uo pipefail

missing=()
need() { # need <package> <check command...>
  local package=$1
  shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
need chromium sh -c 'command -v chromium || [ -n "${CHROMIUM_PATH:-}" ]'
need protobuf-compiler command -v protoc
need protobuf-compiler-grpc command -v grpc_python_plugin
need python3-protobuf /usr/bin/python3 -c "import google.protobuf"
need python3-grpcio /usr/bin/python3 -c "import grpc"
# Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<version>/bin.
need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb || command -v initdb'
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
