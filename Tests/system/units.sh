#!/usr/bin/env bash
# Inside systemd-sandbox.sh: the shipped units under a real `systemd --user` and journald.
#
#   units.sh BIN_DIR
#
# altv-reconnectd is installed with its own `install --user`, follows the example
# altv-server.service (its ExecStart a stand-in script printing what alt:V prints) through the
# journal, and drives altv-client-sim. Each check prints "units: ok …"; the first failure prints
# "units: FAIL …" with the journal and exits 1.
set -euo pipefail
bin=${1:?usage: units.sh BIN_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$SANDBOX_WORK
. "$(dirname "$0")/lib.sh"
secret=hunter2-$RANDOM$RANDOM
config=$XDG_CONFIG_HOME/altv-reconnectd/config.toml

show() { systemctl --user show -p "$2" --value "$1"; }
journal() { journalctl --no-pager -q "$@"; }
fail() {
  echo "units: FAIL $*"
  echo "--- status"; systemctl --user status --no-pager altv-reconnectd altv-server 2>&1 | head -40 || true
  echo "--- journal"; journal -n 80 -o short-monotonic 2>&1 || true
  exit 1
}
ok() { echo "units: ok $*"; }
status_is() { [[ "$(show altv-reconnectd StatusText)" == $1* ]]; }
is_state() { [ "$(show "$1" ActiveState)" = "$2" ]; }

# The client: password-protected, so a reconnect is accepted only with the credential.
start_simulator --password "$secret" --connect-delay 100ms
trap 'kill $sim 2>/dev/null || true' EXIT

# --- install --user (twice: idempotent) --------------------------------------------------------
"$bin/altv-reconnectd" install --user --journal-unit altv-server.service --client "http://127.0.0.1:$port" > "$work/install1.out" \
  || fail "install --user exited $?: $(cat "$work/install1.out")"
grep -q "reloaded the user manager" "$work/install1.out" || fail "install did not reload the manager: $(cat "$work/install1.out")"
grep -q "systemctl --user enable --now altv-reconnectd" "$work/install1.out" || fail "install did not print the enable command"
"$bin/altv-reconnectd" install --user --journal-unit other.service > "$work/install2.out"
[ "$(grep -cE '^(wrote|updated)' "$work/install2.out" || true)" = 0 ] || fail "second install changed files: $(cat "$work/install2.out")"
grep -q "journal-unit = 'altv-server.service'" "$config" || fail "second install overwrote the configuration"
ok "install --user: $(grep -cE '^wrote' "$work/install1.out") files written, second run changed none"
printf '%s\n' "$secret" > "$XDG_CONFIG_HOME/altv-reconnectd/password"
chmod 600 "$XDG_CONFIG_HOME/altv-reconnectd/password"

# --- the example server unit, its binary a stand-in script ------------------------------------
install -Dm644 "$repo/systemd/altv-server.service" "$XDG_CONFIG_HOME/systemd/user/altv-server.service"
mkdir -p "$HOME/altv-server"
cat > "$HOME/altv-server/altv-server" <<'SERVER'
#!/bin/sh
# Stand-in for the alt:V server: what it prints on start, in its colours, then it runs.
echo "[00:00:00] alt:V Server 16.0 starting"
sleep 0.3
printf '[00:00:01][\033[31mError\033[0m] Failed to start resource chat unknown type js\n'
printf '[00:00:01][\033[33mWarning\033[0m] ~g~Server started in debug mode\n'
exec sleep 100000
SERVER
chmod 755 "$HOME/altv-server/altv-server"
# Short watchdog and restart delays so that the watchdog check takes seconds, not a minute.
mkdir -p "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd.service.d"
printf '[Service]\nWatchdogSec=3s\nRestartSec=200ms\nTimeoutAbortSec=1s\n' > "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd.service.d/test.conf"
systemctl --user daemon-reload

# --- active, with a StatusText saying what it waits for ----------------------------------------
systemctl --user enable --now altv-reconnectd 2> "$work/enable.err" || fail "enable --now failed: $(cat "$work/enable.err")"
wait_for 10 is_state altv-reconnectd active || fail "not active: $(show altv-reconnectd ActiveState)"
wait_for 5 status_is "Waiting for the server to start" || fail "StatusText: $(show altv-reconnectd StatusText)"
ok "active; StatusText: $(show altv-reconnectd StatusText)"
# A changed unit while the service runs: install puts the shipped one back and says to restart.
echo "# edited by hand" >> "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd.service"
"$bin/altv-reconnectd" install --user > "$work/install3.out"
grep -q "^updated  user unit" "$work/install3.out" && grep -q "It is running: restart it" "$work/install3.out" \
  || fail "install over a changed unit of a running service: $(cat "$work/install3.out")"
ok "install over an edited unit of the running service: updated, restart advised"
pid=$(show altv-reconnectd MainPID)

# --- a server start: exactly one reconnect, StatusText in game --------------------------------
systemctl --user start altv-server
wait_for 15 has_reconnects 1 || fail "no reconnect after the server started"
wait_for 10 status_is "Client IN_GAME" || fail "StatusText after the reconnect: $(show altv-reconnectd StatusText)"
sleep 1
[ "$(reconnects)" = 1 ] || fail "$(reconnects) reconnects for one server start"
grep '"type":"reconnect"' "$work/events.jsonl" | grep -q '"result":"accepted"' || fail "the reconnect was rejected: the credential did not arrive"
ok "server start: 1 reconnect (accepted: the LoadCredential password arrived); StatusText: $(show altv-reconnectd StatusText)"

# --- structured journal fields -----------------------------------------------------------------
entry=$(journal -u altv-reconnectd ALTV_EVENT=reconnect_sent -o verbose)
[ -n "$entry" ] || fail "journalctl -u altv-reconnectd ALTV_EVENT=reconnect_sent found nothing"
for field in ALTV_START=1 ALTV_CLIENT_STATUS= MESSAGE_ID=037b1e85da4742ea92f7418b8a34008f SYSLOG_IDENTIFIER=altv-reconnectd PRIORITY=6; do
  grep -q "$field" <<<"$entry" || fail "reconnect_sent entry lacks $field: $entry"
done
ready=$(journal -u altv-reconnectd ALTV_EVENT=server_ready -o verbose)
grep -q "ALTV_RESOURCE_ERRORS=chat" <<<"$ready" || fail "server_ready entry lacks ALTV_RESOURCE_ERRORS=chat: $(tr "\n" " " <<<"$ready"); server: $(journal -u altv-server -o cat | cat -v | tr "\n" "|")"
grep -q "Server ready (start #1) with 1 resource error: Failed to start resource chat unknown type js" <<<"$ready" || fail "server_ready entry does not name the failed resource: $ready"
latency=$(journal -u altv-reconnectd ALTV_EVENT=client_in_game -o verbose | sed -n 's/^ *ALTV_LATENCY_MS=//p' | tail -1)
[ -n "$latency" ] || fail "client_in_game entry lacks ALTV_LATENCY_MS"
# The README's one-liners (as root in the sandbox the entries are in the system journal, so
# `journalctl -u` stands for a desktop user's `journalctl --user -u`).
journal -u altv-reconnectd ALTV_EVENT=client_in_game -n 10 | grep -q "Client IN_GAME .* after server ready (start #1)" \
  || fail "README: journalctl ... ALTV_EVENT=client_in_game -n 10 shows no reconnect time"
journal -u altv-reconnectd ALTV_EVENT=client_in_game -o json --output-fields=ALTV_START,ALTV_LATENCY_MS | grep -q '"ALTV_LATENCY_MS"' \
  || fail "README: the -o json --output-fields one-liner shows no ALTV_LATENCY_MS"
systemctl --user status --no-pager altv-reconnectd | grep -q "Status: \"Client IN_GAME" || fail "systemctl --user status shows no Status line"
ok "journalctl -u altv-reconnectd ALTV_EVENT=reconnect_sent: ALTV_START=1, MESSAGE_ID; server_ready ALTV_RESOURCE_ERRORS=chat; client_in_game ALTV_LATENCY_MS=$latency; README one-liners and systemctl status work"

# --- the password appears nowhere --------------------------------------------------------------
journal -o verbose > "$work/journal-verbose.txt"
! grep -q "$secret" "$work/journal-verbose.txt" || fail "the password is in journalctl -o verbose"
systemctl --user show altv-reconnectd > "$work/show.txt"
! grep -q "$secret" "$work/show.txt" || fail "the password is in systemctl show"
! tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$secret" || fail "the password is in the daemon's command line"
ok "password absent from journalctl -o verbose ($(wc -l < "$work/journal-verbose.txt") lines), systemctl show and argv"

# --- reload: new settings apply, a broken file keeps the old ones -------------------------------
echo 'poll-interval = "100ms"' >> "$config"
systemctl --user reload altv-reconnectd || fail "systemctl --user reload failed"
wait_for 5 sh -c "journalctl --no-pager -q -u altv-reconnectd ALTV_EVENT=reloaded | grep -q 'Reloaded: poll-interval changed'" \
  || fail "no 'Reloaded: poll-interval changed' in the journal"
wait_for 5 is_state altv-reconnectd active || fail "not active after reload: $(show altv-reconnectd ActiveState)"
[ "$(show altv-reconnectd MainPID)" = "$pid" ] || fail "reload restarted the daemon"
ok "reload: poll-interval applied, same PID $pid, StatusText: $(show altv-reconnectd StatusText)"
cp "$config" "$work/config.good"
echo 'poll_interval = 3' >> "$config"
systemctl --user reload altv-reconnectd || fail "systemctl --user reload (broken file) failed"
wait_for 5 status_is "Reload failed" || fail "StatusText after a broken reload: $(show altv-reconnectd StatusText)"
wait_for 5 is_state altv-reconnectd active || fail "not active after a broken reload"
[ "$(show altv-reconnectd MainPID)" = "$pid" ] || fail "a broken reload restarted the daemon"
ok "broken file on reload: still active, same PID; StatusText: $(show altv-reconnectd StatusText)"
cp "$work/config.good" "$config"
systemctl --user reload altv-reconnectd

# --- a server restart: exactly one more reconnect ----------------------------------------------
sleep 2  # past the first reconnect's reaction grace
systemctl --user restart altv-server
wait_for 15 has_reconnects 2 || fail "no reconnect after the server restarted"
wait_for 10 status_is "Client IN_GAME" || fail "StatusText after the restart: $(show altv-reconnectd StatusText)"
sleep 1
[ "$(reconnects)" = 2 ] || fail "$(reconnects) reconnects for two server starts"
ok "systemctl --user restart altv-server: reconnect #2; StatusText: $(show altv-reconnectd StatusText)"

# --- watchdog: a stopped daemon is killed and restarted ----------------------------------------
restarts=$(show altv-reconnectd NRestarts)
kill -STOP "$pid"
restarted() { [ "$(show altv-reconnectd NRestarts)" -gt "$restarts" ] && is_state altv-reconnectd active && [ "$(show altv-reconnectd MainPID)" != "$pid" ]; }
wait_for 20 restarted || fail "SIGSTOPped daemon not restarted: NRestarts=$(show altv-reconnectd NRestarts) state=$(show altv-reconnectd ActiveState)"
# The manager's own message about the unit (USER_UNIT=, or its stderr when it has no journal).
# (Only the manager kills a stopped process, and only Restart= raises NRestarts.)
wait_for 10 status_is "Client IN_GAME" || fail "StatusText after the watchdog restart: $(show altv-reconnectd StatusText)"
[ "$(reconnects)" = 2 ] || fail "the restarted daemon reconnected a client already in game ($(reconnects) reconnects)"
ok "watchdog: SIGSTOPped PID $pid killed, NRestarts $restarts -> $(show altv-reconnectd NRestarts), new PID $(show altv-reconnectd MainPID); no extra reconnect"

# --- a clean stop -----------------------------------------------------------------------------
systemctl --user stop altv-reconnectd
[ "$(show altv-reconnectd Result)" = success ] && [ "$(show altv-reconnectd ExecMainStatus)" = 0 ] \
  || fail "stop: Result=$(show altv-reconnectd Result) exit $(show altv-reconnectd ExecMainStatus)"
ok "systemctl --user stop: exit 0, Result=success"

# --- an invalid configuration: exit 78, no restart loop, StatusText says why --------------------
printf 'journal-unit = "altv-server.service"\ncolour = true\n' > "$config"
systemctl --user start altv-reconnectd 2>/dev/null && fail "start with an invalid configuration succeeded"
# A manual start resets NRestarts; with RestartSec=200ms a restart loop would raise it within 3 s.
restarts=$(show altv-reconnectd NRestarts)
failed_pid=$(show altv-reconnectd ExecMainPID)
sleep 3
[ "$(show altv-reconnectd ExecMainPID)" = "$failed_pid" ] || fail "started again after exit 78"
[ "$(show altv-reconnectd ActiveState)" = failed ] || fail "ActiveState $(show altv-reconnectd ActiveState), expected failed"
[ "$(show altv-reconnectd ExecMainStatus)" = 78 ] || fail "ExecMainStatus $(show altv-reconnectd ExecMainStatus), expected 78"
[ "$(show altv-reconnectd NRestarts)" = "$restarts" ] || fail "restarted with an invalid configuration: NRestarts $(show altv-reconnectd NRestarts)"
status=$(show altv-reconnectd StatusText)
[[ "$status" == *"line 2: unknown key 'colour'"* ]] || fail "StatusText does not say why: '$status'"
[ "$(show altv-reconnectd StatusErrno)" = 22 ] || fail "StatusErrno $(show altv-reconnectd StatusErrno), expected 22 (EINVAL, from ERRNO=)"
ok "invalid configuration: failed, exit 78, NRestarts stays $restarts, StatusErrno 22; StatusText: $status"

# --- uninstall --user (twice: idempotent) ------------------------------------------------------
"$bin/altv-reconnectd" uninstall --user > "$work/uninstall1.out" || fail "uninstall exited $?"
"$bin/altv-reconnectd" uninstall --user > "$work/uninstall2.out" || fail "second uninstall exited $?"
[ "$(show altv-reconnectd LoadState)" = not-found ] || fail "unit still loaded after uninstall: $(show altv-reconnectd LoadState)"
[ ! -e "$HOME/.local/bin/altv-reconnectd" ] || fail "program left in ~/.local/bin"
[ -e "$config" ] || fail "uninstall removed the user's configuration"
grep -q "^removed" "$work/uninstall2.out" && fail "second uninstall removed something: $(cat "$work/uninstall2.out")"
ok "uninstall --user: unit not-found, program gone, configuration kept; second run removed nothing"
systemctl --user stop altv-server
echo "units: all checks passed"
