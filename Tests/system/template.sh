#!/usr/bin/env bash
# Inside systemd-sandbox.sh: the system template's sandboxing applied to the real daemon.
#
#   template.sh BIN_DIR
#
# There is no system manager here, but root's user manager applies every hardening setting of
# systemd/altv-reconnectd@.service except the user switch. The template runs unchanged but for
# a drop-in that replaces what only a system manager can do or what points at /usr/local and
# /etc: DynamicUser= and SupplementaryGroups= off, ExecStart= and LoadCredential= at this test's
# files, and the five /proc and /sys settings this sandbox cannot combine with sd_notify.
# Nor can this sandbox run a second command in a unit with a mount namespace (ExecReload= of any
# PrivateTmp=/ProtectSystem= unit fails with 226/NAMESPACE here, `+` or not), so the reload is
# sent as `systemctl kill -s HUP`, which is what ExecReload= does. The instance must start, reconnect the client once per server start (log file), reload,
# and stop cleanly: proof that the system call filter, MemoryDenyWriteExecute=, ProtectProc=,
# ProtectSystem=strict, PrivateTmp= and the rest leave the daemon working.
set -euo pipefail
bin=${1:?usage: template.sh BIN_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$SANDBOX_WORK
. "$(dirname "$0")/lib.sh"
# PrivateTmp= hides /tmp from the service: its files, the program among them (the checkout may
# be under /tmp), live under /var/lib (read-only to it).
data=$(mktemp -d /var/lib/altv-reconnectd-test.XXXXXX)
install -m755 "$bin/altv-reconnectd" "$data/altv-reconnectd"
secret=tmpl-$RANDOM$RANDOM
unit=altv-reconnectd@demo.service

show() { systemctl --user show -p "$1" --value "$unit"; }
fail() {
  echo "template: FAIL $*"
  systemctl --user status --no-pager "$unit" 2>&1 | head -30 || true
  journalctl --no-pager -q -u "$unit" -n 40 2>&1 || true
  exit 1
}
ok() { echo "template: ok $*"; }
status_is() { [[ "$(show StatusText)" == $1* ]]; }
cleanup() { kill "${sim:-}" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

start_simulator --password "$secret" --connect-delay 100ms

printf 'log-file = "%s/server.log"\nclient = "http://127.0.0.1:%s"\npoll-interval = "50ms"\n' "$data" "$port" > "$data/demo.toml"
printf '%s\n' "$secret" > "$data/demo.password"
chmod 600 "$data/demo.password"
: > "$data/server.log"
install -Dm644 "$repo/systemd/altv-reconnectd@.service" "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd@.service"
mkdir -p "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd@demo.service.d"
cat > "$XDG_CONFIG_HOME/systemd/user/altv-reconnectd@demo.service.d/test.conf" <<DROPIN
[Service]
DynamicUser=no
SupplementaryGroups=
ExecStart=
ExecStart=$data/altv-reconnectd run --config $data/%i.toml
LoadCredential=
LoadCredential=password:$data/%i.password
# In this sandbox every setting that remounts /proc or /sys stops the manager from accepting
# any service's sd_notify (systemd-notify --ready times out the same way): off here, applied by a
# real system manager. The exposure score covers them.
ProtectProc=default
ProcSubset=all
ProtectKernelLogs=no
ProtectKernelTunables=no
ProtectControlGroups=no
DROPIN
systemctl --user daemon-reload

systemctl --user start "$unit" 2> "$work/start.err" || fail "start failed: $(cat "$work/start.err")"
wait_for 10 status_is "Waiting for the server to start" || fail "StatusText: $(show StatusText)"
for setting in ProtectSystem=strict ProtectHome=read-only PrivateTmp=yes PrivateDevices=yes NoNewPrivileges=yes \
    MemoryDenyWriteExecute=yes RestrictNamespaces=yes LockPersonality=yes PrivateIPC=yes RestrictSUIDSGID=yes; do
  key=${setting%%=*}
  [ "$(show "$key")" = "${setting#*=}" ] || fail "$key is '$(show "$key")', not ${setting#*=}"
done
[ -n "$(show SystemCallFilter)" ] || fail "no SystemCallFilter in effect"
ok "active under the template's hardening; StatusText: $(show StatusText)"

printf '[00:00:01] Server started\n' >> "$data/server.log"
wait_for 15 status_is "Client IN_GAME" || fail "no IN_GAME after the ready line: $(show StatusText)"
sleep 0.5
[ "$(reconnects)" = 1 ] || fail "$(reconnects) reconnects for one start"
grep '"type":"reconnect"' "$work/events.jsonl" | grep -q '"result":"accepted"' || fail "the credential did not arrive"
ok "ready line: 1 reconnect, accepted (credential from $data/demo.password); StatusText: $(show StatusText)"

pid=$(show MainPID)
echo 'verify-timeout = "30s"' >> "$data/demo.toml"
systemctl --user kill -s HUP --kill-whom=main "$unit" || fail "SIGHUP failed"
wait_for 5 sh -c "journalctl --no-pager -q -u $unit | grep -q 'Reloaded: verify-timeout changed'" || fail "no reload line"
[ "$(show MainPID)" = "$pid" ] || fail "reload restarted the daemon"
ok "reload: verify-timeout applied, same PID"

sleep 2
printf '[00:00:09] Stopping\n[00:00:10] Server started\n' >> "$data/server.log"
wait_for 15 has_reconnects 2 || fail "no reconnect after the second start"
ok "second start: reconnect #2"

systemctl --user stop "$unit"
[ "$(show Result)" = success ] || fail "stop: Result=$(show Result)"
[ "$(show ExecMainStatus)" = 0 ] || fail "stop: exit $(show ExecMainStatus)"
! journalctl --no-pager -q -o verbose | grep -q "$secret" || fail "the password is in the journal"
# errno=1 would be the system call filter refusing setpriority (Dispatch's worker threads);
# errno=13 is root without CAP_SYS_NICE, this test's user, not the template's dynamic user.
! journalctl --no-pager -q -u "$unit" -o cat | grep -q "Failed to set thread priority.*errno=1$" || fail "the system call filter refuses setpriority"
ok "stopped cleanly (exit 0); no system call refused; password absent from the journal"
echo "template: all checks passed"
