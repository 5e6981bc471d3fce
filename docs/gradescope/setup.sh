#!/usr/bin/env bash
# Gradescope autograder setup: installs dlgrade and the course (with its hidden suites) in the image.
# Upload a zip holding this file, run_autograder, and the course folder as course/ (curriculum.yaml,
# exercises/, solutions/, grader/, mutants/).
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install -q /autograder/source/course
