#!/usr/bin/env bash
# Builds the zip to upload as a Gradescope programming assignment's autograder:
#
#   docs/gradescope/make_autograder.sh COURSE_DIR LESSON [OUT_ZIP]      (default OUT_ZIP: autograder.zip)
#
# Run it from a checkout of dlgrade with its virtual environment active. The zip holds setup.sh, run_autograder,
# LESSON, course/ (COURSE_DIR with its hidden suites, without .git, virtual environments or caches) and a wheel of
# this checkout of dlgrade, the version the course was proven with.
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 COURSE_DIR LESSON [OUT_ZIP]" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
course="$(cd "$1" && pwd)"
lesson="$2"
out="$(cd "$(dirname "${3:-autograder.zip}")" && pwd)/$(basename "${3:-autograder.zip}")"
python="${PYTHON:-python}"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# The course must load and hold the lesson: grading no submission at all says so (exit 2 and the reason if not).
mkdir -p "$stage/check/none"
if ! said="$("$python" -m grader grade "$stage/check/none" --lesson "$lesson" --course "$course" \
  --out "$stage/check/grades" 2>&1)"; then
  echo "$said" >&2
  exit 2
fi
rm -rf "$stage/check"
"$python" -m pip wheel -q --no-deps -w "$stage" "$repo"
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
printf '%s\n' "$lesson" > "$stage/LESSON"
mkdir "$stage/course"
tar -C "$course" --exclude=.git --exclude=.venv --exclude=venv --exclude=__pycache__ --exclude='*.egg-info' \
  --exclude=./build --exclude=./dist --exclude=.dlgrade -cf - . | tar -C "$stage/course" -xf -
rm -f "$out"
(cd "$stage" && "$python" -m zipfile -c "$out" setup.sh run_autograder LESSON course dlgrade-*.whl)
echo "$out"
