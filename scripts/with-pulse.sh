#!/usr/bin/env bash
# Run a command against a private PulseAudio with two null sinks (no sound card needed):
#   mockint_speaker  the app plays into it (default sink)
#   mockint_mic      tests play answers into it; its monitor is the app's microphone (default source)
set -euo pipefail
export XDG_RUNTIME_DIR="${MOCKINT_PULSE_DIR:-/tmp/mockint-pulse-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
unset PULSE_SERVER
if ! pactl info >/dev/null 2>&1; then
  # as root pulseaudio warns that it is not meant for root; that is fine for a private test server
  pulseaudio -D -n --exit-idle-time=-1 --disallow-exit --load=module-native-protocol-unix \
    --log-target=file:"$XDG_RUNTIME_DIR/pulse.log" 2>/dev/null || true
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "with-pulse: PulseAudio did not start; see $XDG_RUNTIME_DIR/pulse.log" >&2; exit 1; }
fi
for sink in mockint_speaker mockint_mic; do
  pactl list short sinks | grep -q "\b$sink\b" || pactl load-module module-null-sink sink_name=$sink >/dev/null
done
# a null sink left idle stops clocking its monitor, so a "microphone" on it would deliver nothing between
# sounds; feeding silence keeps both running like real devices (continuous audio, silence included)
for sink in mockint_speaker mockint_mic; do
  pidfile="$XDG_RUNTIME_DIR/feed-$sink.pid"
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    pacat -p -d "$sink" --raw --format=s16le --rate=16000 --channels=1 </dev/zero >/dev/null 2>&1 &
    echo $! >"$pidfile"
  fi
done
pactl set-default-sink mockint_speaker
pactl set-default-source mockint_mic.monitor
export MOCKINT_TEST_PULSE=1
exec "$@"
