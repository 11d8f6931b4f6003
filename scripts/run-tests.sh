#!/usr/bin/env bash
# Runs the test suite. pytest's exit code 5 ("no tests collected") is a failure here: a suite that
# runs nothing must not look green.
set -u
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "run-tests: pytest collected no tests; treating that as a failure." >&2
  exit 1
fi
exit $rc
