#!/usr/bin/env bash
# `make test` in two parts (run by scripts/with-pulse.sh):
#   1. every test that does not use the PulseAudio sinks, on two pytest-xdist workers;
#   2. the `audio` tests (real playback and recording, in real time) one at a time, with nothing else running.
# Audio tests measure what a candidate hears; a second worker's CPU load on top garbled the speaker and the
# microphone in them beyond the load they set up themselves (issue 12). Extra arguments go to both parts;
# a part that selects no test is not a failure.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
# both parts share one sentence-vector cache (tests/conftest.py), so the bank is embedded once per run
export MOCKINT_TEST_VECTORS="${MOCKINT_TEST_VECTORS:-$(mktemp -d "${TMPDIR:-/tmp}/mockint-test-vectors.XXXXXX")}"
passed() { [ "$1" -eq 0 ] || [ "$1" -eq 5 ]; }  # pytest's 5: no test was selected
"$PY" -m pytest -q -n 2 --dist loadgroup -m "not audio" "$@"; first=$?
"$PY" -m pytest -q -m audio "$@"; second=$?
passed "$first" && passed "$second"
