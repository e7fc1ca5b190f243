#!/usr/bin/env bash
# Creates the Python environment for the Keras peer benchmark (bench/peer/keras_tagger.py):
# a venv at bench/.venv (gitignored) with tensorflow-cpu and the Keras release it runs with.
#
# Idempotent: when the venv already imports TensorFlow and Keras at the pinned versions, it
# does nothing. pip is used as configured on the machine (pip config / PIP_* environment), so a
# local index or wheel folder set up there is honoured by the venv's pip too.
#
# Environment:
#   PYTHON                   interpreter that creates the venv (default: python3)
#   SPANLIGHT_PEER_VENV      venv folder (default: <repo>/bench/.venv)
#   SPANLIGHT_PEER_TF        tensorflow-cpu version (default: 2.21.0)
#   SPANLIGHT_PEER_KERAS     keras version (default: 3.15.1; TF 2.21 requires keras>=3.12)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${SPANLIGHT_PEER_VENV:-$repo_root/bench/.venv}"
tf_version="${SPANLIGHT_PEER_TF:-2.21.0}"
keras_version="${SPANLIGHT_PEER_KERAS:-3.15.1}"
venv_python="$venv/bin/python"

log() { echo "[spanlight:peer] $*"; }
fail() {
  echo >&2
  echo "[spanlight:peer] FAILED: $1" >&2
  echo "[spanlight:peer] What to do: $2" >&2
  exit 1
}

# Prints "ok" when the venv imports both packages at the pinned versions.
versions_match() {
  [[ -x "$venv_python" ]] || return 1
  TF_CPP_MIN_LOG_LEVEL=3 "$venv_python" - "$tf_version" "$keras_version" 2>/dev/null <<'PY'
import sys
import tensorflow as tf
import keras
ok = tf.__version__ == sys.argv[1] and keras.__version__ == sys.argv[2]
print("ok" if ok else f"found tensorflow {tf.__version__}, keras {keras.__version__}")
PY
}

log "venv: $venv (tensorflow-cpu==$tf_version, keras==$keras_version)"

state="$(versions_match || true)"
if [[ "$state" == "ok" ]]; then
  log "already set up: tensorflow $tf_version and keras $keras_version import; nothing to do."
  exit 0
fi
[[ -n "$state" ]] && log "venv exists but $state; reinstalling the pinned versions."

if [[ ! -x "$venv_python" ]]; then
  # A link left to a removed folder (a worktree linking another's venv): venv would say "File exists".
  [[ -L "$venv" && ! -e "$venv" ]] &&
    fail "$venv is a link to a missing folder ($(readlink "$venv"))." "remove the link (rm $venv) or set SPANLIGHT_PEER_VENV, then rerun $0."
  command -v "$python" >/dev/null 2>&1 ||
    fail "no Python interpreter '$python' on PATH." "install Python 3.10-3.13 or set PYTHON=/path/to/python3."
  log "step 1/3: creating the venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv" ||
    fail "'$python -m venv $venv' failed." "install the venv module (Debian: apt-get install python3-venv) or set PYTHON."
else
  log "step 1/3: venv already exists"
fi

log "step 2/3: installing tensorflow-cpu==$tf_version keras==$keras_version (pip config: $(
  "$venv_python" -m pip config list 2>/dev/null | tr '\n' ' ' || true
))"
"$venv_python" -m pip install --disable-pip-version-check \
  "tensorflow-cpu==$tf_version" "keras==$keras_version" ||
  fail "pip could not install tensorflow-cpu==$tf_version and keras==$keras_version." \
    "check that pip reaches an index that has them ('pip download tensorflow-cpu==$tf_version'), or set SPANLIGHT_PEER_TF / SPANLIGHT_PEER_KERAS to versions it has, then rerun $0."

log "step 3/3: checking the imports"
state="$(versions_match || true)"
[[ "$state" == "ok" ]] ||
  fail "the venv does not import tensorflow $tf_version and keras $keras_version (${state:-import failed})." \
    "run '$venv_python -c \"import tensorflow, keras\"' to see the error, or delete $venv and rerun $0."
log "done: $venv_python imports tensorflow $tf_version and keras $keras_version."
