#!/usr/bin/env bash
# Inside systemd-sandbox.sh: a stand-in alt:V server runs as a user unit and logs to the real
# journald; altv-reconnectd follows it with --journal-unit. Two starts of the unit must give
# exactly two reconnects of altv-client-sim. Prints "journal-source: N reconnects".
set -euo pipefail
bin=${1:?usage: journal-source.sh BIN_DIR}
work=$SANDBOX_WORK
. "$(dirname "$0")/lib.sh"
cat > "$XDG_CONFIG_HOME/systemd/user/altv-server-standin.service" <<'UNIT'
[Unit]
Description=stand-in alt:V server printing what a real one prints
[Service]
ExecStart=/bin/sh -c 'echo "[00:00:00] alt:V Server starting"; sleep 0.3; echo "[00:00:01][Warning] Server started in debug mode"; exec sleep 600'
UNIT
systemctl --user daemon-reload
start_simulator --connect-delay 0

"$bin/altv-reconnectd" --journal-unit altv-server-standin --client "http://127.0.0.1:$port" --poll-interval 20ms 2> "$work/daemon.err" &
daemon=$!
wait_for 10 grep -q "Following the journal" "$work/daemon.err" || true
systemctl --user start altv-server-standin.service
wait_for 20 has_reconnects 1 || { echo "journal-source: no reconnect after the first start"; cat "$work/daemon.err"; exit 1; }
sleep 2.5   # the reconnect from IN_GAME is verified after the reaction grace
systemctl --user restart altv-server-standin.service
wait_for 20 has_reconnects 2 || { echo "journal-source: no reconnect after the restart"; cat "$work/daemon.err"; exit 1; }
sleep 0.5
systemctl --user stop altv-server-standin.service
kill -TERM "$daemon"; wait "$daemon"; status=$?
kill "$sim"; wait "$sim" 2>/dev/null || true
grep -q "Server ready (start #2)" "$work/daemon.err" || { echo "journal-source: start #2 not logged"; cat "$work/daemon.err"; exit 1; }
echo "journal-source: $(reconnects) reconnects, daemon exit $status"
