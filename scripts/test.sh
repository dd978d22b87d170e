#!/usr/bin/env bash
# `make test` (run by scripts/with-pulse.sh), in two stages:
#   1. every test that does not use the PulseAudio sinks, on three pytest-xdist workers at the lowest CPU priority
#      (nice 19; three, not two, on two cores: a worker waiting on a subprocess or a clock leaves its core to the
#      third, 3 min 05 s instead of 3 min 22 s for this part), while the `audio` tests (real playback and recording, in real time) run one at a time at normal
#      priority: the audio tests mostly wait on the clock, and the scheduler gives them the CPU whenever they need
#      it, so what a candidate would hear is not garbled by the other tests (issue 12: a second xdist worker's
#      load on top of the audio tests garbled them; a niced one is not load to them);
#   2. the lost-words test alone: it makes its own CPU load (two busy processes) and needs nothing else running,
#      or the tests in stage 1 would crawl and the load it measures would not be the one it sets up.
# Extra arguments go to every part; a part that selects no test is not a failure.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
# every part shares one sentence-vector cache (tests/conftest.py), so the bank is embedded once per run
if [ -z "${MOCKINT_TEST_VECTORS:-}" ]; then
  MOCKINT_TEST_VECTORS="$(mktemp -d "${TMPDIR:-/tmp}/mockint-test-vectors.XXXXXX")"
  trap 'rm -rf "$MOCKINT_TEST_VECTORS"' EXIT
fi
export MOCKINT_TEST_VECTORS
passed() { [ "$1" -eq 0 ] || [ "$1" -eq 5 ]; }  # pytest's 5: no test was selected
log="$(mktemp "${TMPDIR:-/tmp}/mockint-test-part1.XXXXXX")"
nice -n 19 "$PY" -m pytest -q -n 3 --dist loadgroup -m "not audio" "$@" >"$log" 2>&1 &
part1=$!
"$PY" -m pytest -q -m "audio and not under_load" "$@"; audio=$?
wait "$part1"; first=$?
echo "== tests without audio (three workers, niced, alongside the audio tests):"
cat "$log"
rm -f "$log"
echo "== the lost-words test, alone:"
"$PY" -m pytest -q -m "audio and under_load" "$@"; load=$?
passed "$first" && passed "$audio" && passed "$load"
