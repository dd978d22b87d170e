#!/usr/bin/env bash
# `make test` (run by scripts/with-pulse.sh). Everything runs at once, in an order that wastes no CPU:
#   - every test that does not use the PulseAudio sinks, on three pytest-xdist workers (three, not two, on two
#     cores: a worker waiting on a subprocess or a clock leaves its core to the third), at first at the lowest CPU
#     priority (nice 19);
#   - beside them, the `audio` tests (real playback and recording, in real time), one at a time at normal
#     priority: the scheduler gives them the CPU whenever they need it, so what a candidate would hear is not
#     garbled by the other tests (issue 12: load at the same priority garbled them; a niced one is not load to them);
#   - then the lost-words test, which needs both cores busy while a long answer is heard: the tests without audio
#     still running are put back to normal priority and are that load (it tops up with busy processes only what
#     they leave idle). Before, it ran alone after everything else and burnt two cores for a minute; it still does
#     when not run as root, since only root may put a priority back up.
# Extra arguments go to every part; a part that selects no test is not a failure.
set -uo pipefail
PY="${PY:-.venv/bin/python}"
# every part shares one sentence-vector cache (tests/conftest.py), so the bank is embedded once per run
if [ -z "${MOCKINT_TEST_VECTORS:-}" ]; then
  MOCKINT_TEST_VECTORS="$(mktemp -d "${TMPDIR:-/tmp}/mockint-test-vectors.XXXXXX")"
  trap 'rm -rf "$MOCKINT_TEST_VECTORS"' EXIT
fi
export MOCKINT_TEST_VECTORS
# bytecode is cached (in the checkout's ignored __pycache__ folders): a machine that sets PYTHONDONTWRITEBYTECODE
# recompiles mockint in each of the suite's ~150 processes and rewrites every test module's asserts in each pytest
unset PYTHONDONTWRITEBYTECODE
# compiled once here, not by the five processes that start together below (a fresh clone has nothing compiled)
"$PY" -m compileall -q mockint tests >/dev/null 2>&1 || true
passed() { [ "$1" -eq 0 ] || [ "$1" -eq 5 ]; }  # pytest's 5: no test was selected
# the audio parts collect only the test files that mark a test audio (or under_load), not all forty (3.4 -> 1.2 s of
# CPU each, the SDK and the TUI imports mostly); when arguments are given they decide what is collected
audio_files=() load_files=()
if [ "$#" -eq 0 ]; then
  mapfile -t audio_files < <(grep -l 'mark\.audio' tests/test_*.py)
  mapfile -t load_files < <(grep -l 'mark\.under_load' tests/test_*.py)
fi
# a process's threads and those of all its descendants: nice is per thread on Linux, and the model runtimes'
# thread pools started at the old priority would keep it
threads() { local p; ls "/proc/$1/task" 2>/dev/null; for p in $(pgrep -P "$1"); do threads "$p"; done; }
log="$(mktemp "${TMPDIR:-/tmp}/mockint-test-part1.XXXXXX")"
nice -n 19 "$PY" -m pytest -q -n 3 --dist loadgroup -m "not audio" "$@" >"$log" 2>&1 &
part1=$!
echo "== the audio tests, one at a time:"
"$PY" -m pytest -q -m "audio and not under_load" "${audio_files[@]}" "$@"; audio=$?
if [ "$(id -u)" -eq 0 ]; then
  # back to normal priority, so that they are load to the lost-words test (threads that ended meanwhile are fine)
  renice -n 0 -p $(threads "$part1") >/dev/null 2>&1
  echo "== the lost-words test, with the tests without audio as its load:"
  "$PY" -m pytest -q -m "audio and under_load" "${load_files[@]}" "$@"; load=$?
  wait "$part1"; first=$?
else
  # only root may raise a priority back: niced tests are no load, so the lost-words test runs after them, alone,
  # and its busy processes are all of its load
  wait "$part1"; first=$?
  echo "== the lost-words test, alone:"
  "$PY" -m pytest -q -m "audio and under_load" "${load_files[@]}" "$@"; load=$?
fi
echo "== tests without audio (three workers, niced until the lost-words test):"
cat "$log"
rm -f "$log"
passed "$first" && passed "$audio" && passed "$load"
