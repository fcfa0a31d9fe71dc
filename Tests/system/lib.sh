# Helpers shared by the scripts run inside systemd-sandbox.sh (source it; needs $work and $bin).

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails after SECONDS.
wait_for() { local tries=$(( $1 * 10 )); shift; for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.1; done; return 1; }

# How many reconnects the simulator received (its JSON event log).
reconnects() { grep -c '"type":"reconnect"' "$work/events.jsonl" 2>/dev/null || true; }
has_reconnects() { [ "$(reconnects)" -ge "$1" ]; }

# start_simulator [ARGS...]: altv-client-sim on a free port, already in MAIN_MENU, recording
# to $work/events.jsonl; sets $sim (PID) and $port.
start_simulator() {
  "$bin/altv-client-sim" --port 0 --boot-delay 0 --events "$work/events.jsonl" --quiet "$@" > "$work/sim.out" 2>&1 &
  sim=$!
  wait_for 10 grep -q listening "$work/sim.out" || { echo "altv-client-sim did not start: $(cat "$work/sim.out")"; exit 1; }
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/sim.out" | cut -d: -f2)
}
