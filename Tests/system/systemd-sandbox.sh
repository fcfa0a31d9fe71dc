#!/usr/bin/env bash
# Runs COMMAND beside a private, real systemd user manager and journald.
#
#   Tests/system/systemd-sandbox.sh 'COMMAND'
#
# CI machines boot without systemd as PID 1, but systemd is installed. In a private mount
# namespace (unshare -m, root only) we give systemd the /run/systemd/system marker it looks for,
# start journald and `systemd --user`, run COMMAND, and tear everything down.
#
# Inside COMMAND: HOME and XDG_CONFIG_HOME point into a private tree ($SANDBOX_WORK), XDG_RUNTIME_DIR
# into the private /run/systemd;
# put user units in "$XDG_CONFIG_HOME/systemd/user/" and run `systemctl --user daemon-reload`.
# Without a login session the manager's units sit in app.slice, and journald files their output
# under _SYSTEMD_UNIT=NAME (read it with `journalctl -u NAME`).
# Exits 77 when not root (the caller reports it as skipped), else with COMMAND's status.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "systemd-sandbox: needs root (unshare -m)" >&2; exit 77; }
command -v unshare >/dev/null && [ -x /lib/systemd/systemd-journald ] && [ -x /lib/systemd/systemd ] \
  || { echo "systemd-sandbox: needs unshare and systemd (apt-get install systemd)" >&2; exit 77; }
cmd=${1:?usage: systemd-sandbox.sh 'COMMAND'}
work=$(mktemp -d /tmp/altv-sandbox.XXXXXX)
export SANDBOX_WORK=$work SANDBOX_COMMAND=$cmd
exec unshare -m --propagation private bash -c '
  set -u
  mkdir -p /run/systemd /run/log
  mount -t tmpfs tmpfs /run/systemd
  mount -t tmpfs tmpfs /run/log
  mkdir -p /run/systemd/system /run/systemd/journal
  # The runtime directory (notify socket, credentials) lives under /run, as /run/user/UID does on
  # a booted system: a unit with PrivateTmp= must still reach the notify socket.
  export HOME=$SANDBOX_WORK/home XDG_RUNTIME_DIR=/run/systemd/altv-sandbox-runtime XDG_CONFIG_HOME=$SANDBOX_WORK/home/.config
  mkdir -p "$HOME" "$XDG_CONFIG_HOME/systemd/user" "$XDG_RUNTIME_DIR"
  # Credentials (LoadCredential=) are mounted in a child namespace and moved into the runtime
  # directory: it must be a shared mount, as /run/user/UID is on a booted system.
  mount -t tmpfs -o mode=700 tmpfs "$XDG_RUNTIME_DIR" && mount --make-shared "$XDG_RUNTIME_DIR"
  /lib/systemd/systemd-journald >"$SANDBOX_WORK/journald.log" 2>&1 & journald=$!
  for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
  /lib/systemd/systemd --user >"$SANDBOX_WORK/manager.log" 2>&1 & manager=$!
  for _ in $(seq 200); do [ -S "$XDG_RUNTIME_DIR/systemd/private" ] && break; sleep 0.05; done
  set +e
  bash -c "$SANDBOX_COMMAND"; status=$?
  # Tear down best-effort: the command'"'"'s status is what counts.
  kill $manager 2>/dev/null; wait $manager 2>/dev/null
  kill $journald 2>/dev/null; wait $journald 2>/dev/null
  umount -l "$XDG_RUNTIME_DIR" 2>/dev/null
  rm -rf "$SANDBOX_WORK" 2>/dev/null
  exit $status
'
