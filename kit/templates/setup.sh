#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image (base image Ubuntu 22.04
# or 24.04). It installs Python 3.11+ and the exact versions in requirements.txt (exported
# from the kit's uv.lock) into a venv, and a headless Chromium for the browser test.
# For testing: AUTOGRADER_ROOT (default /autograder), SKIP_APT=1 (no system packages),
# SKIP_BROWSER=1 (no browser download).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
export DEBIAN_FRONTEND=noninteractive

apt_install() {
  if [ -z "${SKIP_APT:-}" ]; then
    apt-get install -y -qq --no-install-recommends "$@"
  fi
}

find_python() {  # the newest python3.X >= 3.11 on PATH
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ -z "${SKIP_APT:-}" ]; then
  apt-get update -qq
  # No python3-pip: the venv brings its own pip (ensurepip); python3-pip would pull in a compiler.
  apt_install ca-certificates python3 python3-venv
fi
# Ubuntu 22.04's python3 is 3.10: install 3.11 next to it (Ubuntu 24.04's is 3.12).
if ! PYTHON="$(find_python)"; then
  apt_install python3.11 python3.11-venv || true
fi
if ! PYTHON="$(find_python)"; then
  echo "setup.sh: error: no Python 3.11 or newer could be found or installed (found: $(python3 --version 2>&1))." >&2
  echo "setup.sh: choose the Ubuntu 22.04 or 24.04 base image in Gradescope's autograder settings." >&2
  exit 1
fi
echo "setup.sh: using $PYTHON ($("$PYTHON" --version))"
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet --require-hashes -r requirements.txt
if [ -z "${SKIP_BROWSER:-}" ]; then
  # Playwright's Chromium and the system libraries it needs; without it the browser test is
  # skipped (it counts neither for nor against), so a failure here is not fatal.
  "$ROOT/venv/bin/python" -m playwright install --with-deps chromium \
    || echo "setup.sh: warning: no browser installed; the browser test will be skipped" >&2
fi
