# Sourced by scripts/check and scripts/serve (from the checkout's root): make sure .venv exists
# and has pip, or say exactly what to install. PYTHON picks the interpreter (default python3).
PY=${PYTHON:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "error: no $PY found: install Python >= 3.11 (Debian/Ubuntu: sudo apt-get install python3 python3-venv), or set PYTHON=/path/to/python3" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
  echo "error: mnr-graph needs Python >= 3.11; $PY is $("$PY" -V 2>&1). Set PYTHON=/path/to/python3.11 (or newer)." >&2
  exit 1
fi
venv_make=""
if [ ! -e .venv ]; then
  venv_make=new
elif ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  # An earlier `python3 -m venv` failed half-way (no ensurepip), or the venv's Python is gone.
  echo "note: .venv has no working pip; making it again" >&2
  venv_make=clear
fi
if [ -n "$venv_make" ]; then
  if ! "$PY" -c 'import ensurepip' >/dev/null 2>&1; then
    echo "error: $PY cannot make a virtual environment with pip (its ensurepip module is missing)." >&2
    echo "  Debian/Ubuntu: sudo apt-get install python3-venv    then run this command again." >&2
    exit 1
  fi
  if [ "$venv_make" = clear ]; then
    "$PY" -m venv --clear .venv
  else
    "$PY" -m venv .venv
  fi
fi
