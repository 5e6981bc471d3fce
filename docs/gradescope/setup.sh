#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image, from /autograder/source: the zip
# made by make_autograder.sh unpacked (this file, run_autograder, LESSON, course/ with the hidden suites, and the
# dlgrade wheel the course was proven with). See README.md beside this file.
set -euo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"
SOURCE="$AUTOGRADER/source"
VENV="$AUTOGRADER/venv"

# Python 3.10 or newer with venv and pip. Gradescope's Ubuntu images have python3; venv and pip may be missing.
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq
  apt-get install -y -qq python3-venv python3-pip
fi
# Nothing else from apt: dlgrade's strict sandbox enters the kernel's namespaces itself (it never runs bubblewrap).

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
shopt -s nullglob
wheels=("$SOURCE"/dlgrade-*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "setup.sh: $SOURCE must hold exactly one dlgrade-*.whl (found ${#wheels[@]}); build the zip with make_autograder.sh" >&2
  exit 1
fi
"$VENV/bin/python" -m pip install -q "${wheels[0]}"

# Fail the image build, not every submission, when the course or the lesson does not load: grade no submission.
check="$(mktemp -d)"
mkdir "$check/none"
"$VENV/bin/dlgrade" grade "$check/none" --lesson "$(cat "$SOURCE/LESSON")" --course "$SOURCE/course" --out "$check/out"
rm -rf "$check"
"$VENV/bin/dlgrade" doctor
