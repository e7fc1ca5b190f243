#!/usr/bin/env bash
# Ensures the offline VS Code (code-server from npm + Debian's Chromium) is installed, for
# `npm start` and the end-to-end tests. Fast when already installed (only file checks); otherwise
# runs the recipe's install.sh from ../shared/vscode-offline (with --apt when root, so missing
# Debian packages are installed too).
#
# usage: scripts/install-vscode-offline.sh [--quiet]
# env:   VSCODE_OFFLINE_HOME       install prefix (default ~/.cache/vscode-offline)
#        SPANLIGHT_VSCODE_OFFLINE  recipe folder (default <repo>/../shared/vscode-offline)
#        CODE_SERVER_VERSION       passed through to install.sh (default 4.100.3)
# Exit code 0 when everything is in place, 1 with a message saying what is missing otherwise.
set -euo pipefail

QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RECIPE="${SPANLIGHT_VSCODE_OFFLINE:-$ROOT/../shared/vscode-offline}"
PREFIX="${VSCODE_OFFLINE_HOME:-$HOME/.cache/vscode-offline}"
CS_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

fail() {
  printf '\ninstall-vscode-offline: ERROR: %s\n' "$*" >&2
  exit 1
}

installed() {
  [ -f "$PREFIX/code-server-$CS_VERSION/.install-ok" ] &&
    [ -x "$PREFIX/code-server" ] &&
    [ -f "$PREFIX/tools/node_modules/playwright-core/package.json" ] &&
    [ -x "$CHROMIUM" ] &&
    command -v rg >/dev/null 2>&1
}

if installed; then
  [ "$QUIET" = 1 ] || echo "install-vscode-offline: code-server $CS_VERSION and $CHROMIUM already installed (prefix $PREFIX)"
  exit 0
fi

[ -f "$RECIPE/install.sh" ] || fail "the vscode-offline recipe is missing (looked for $RECIPE/install.sh).
  Set SPANLIGHT_VSCODE_OFFLINE to the folder holding install.sh and serve.sh."

ARGS=()
if [ "$(id -u)" = 0 ]; then
  # install.sh only calls apt-get when packages are missing.
  command -v apt-get >/dev/null 2>&1 || fail "running as root but apt-get is not available: install chromium and ripgrep by hand"
  ARGS+=(--apt)
fi
start=$(date +%s)
echo "install-vscode-offline: installing code-server $CS_VERSION into $PREFIX (a few minutes the first time)"
bash "$RECIPE/install.sh" "${ARGS[@]+"${ARGS[@]}"}" "$PREFIX" ||
  fail "$RECIPE/install.sh failed (see its output above). Without code-server and Chromium the end-to-end tests cannot run.
  Not root? Install the Debian packages it names (sudo apt-get install -y chromium ripgrep ...) and run it again."
installed || fail "install.sh finished but code-server, playwright-core, $CHROMIUM or rg is still missing (prefix $PREFIX)"
echo "install-vscode-offline: installed in $(($(date +%s) - start)) s"
