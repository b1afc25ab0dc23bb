#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu): it installs
# Python and the pinned dependencies, then locks the instructor-only files away from the
# unprivileged user that student code runs as.
# AUTOGRADER_ROOT (default /autograder) lets the bundle be set up anywhere for testing.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$SOURCE/.venv"

if ! python3 -c "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))" 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
fi
test -x "$VENV/bin/python" || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SOURCE/requirements.txt"

# What student code may read: the worker's own code, the course helpers and Python itself.
# Everything else under source/ (the reference in solutions/, the checks with their catalogue
# of mistakes, the rubric) is root-only. This matters because the grader starts student code
# as an unprivileged user when it runs as root (the lockdown, grader/sandbox/).
if [ "$(id -u)" = 0 ]; then
    chown -R root:root "$SOURCE"
fi
chmod -R go-rwx "$SOURCE"
chmod go+x "$SOURCE" "$SOURCE/grader"
# exercises/ holds only the helpers; it must be listable, or Python cannot import utils from it
chmod -R go+rX "$SOURCE/grader/worker" "$SOURCE/exercises" "$VENV"
echo "setup complete: $(python3 --version), dependencies in $VENV"
