#!/usr/bin/env python3
"""Benchmarks for altv-reconnectd (run through scripts/bench): prints figures, asserts nothing.
The bars are the README's Performance targets.

  reaction   readiness line written -> POST received, client already in MAIN_MENU (p50/p99)
  detection  client switches LOADING -> MAIN_MENU -> POST, at the default 250 ms poll (p50/p99/max)
  start      exec -> READY=1 on a real notify socket (p50/max)
  idle       wake-ups (context switches), CPU time and peak RSS over an idle period; and with
             --keep-connected (default interval 5 s) while the server runs
  burst      a 200 MB log with the ready line at its end: daemon start -> ready line found,
             against `grep -F -m1` on the same file (plain, and with colour codes)
  docker     --docker-container against a private engine (scripts/docker-engine; root): the
             container's ready line written -> POST (p50/p99), and idle wake-ups while the
             container runs and prints nothing

Timestamps on both sides are CLOCK_MONOTONIC (Python's time.monotonic_ns, the simulator's t_ns).
Usage: Benchmarks/bench.py [--bin DIR] [--reaction N] [--detection N] [--idle SECONDS]
"""
import argparse, contextlib, json, os, random, socket, statistics, subprocess, sys, tempfile, time

def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]

class Sim:
    def __init__(self, bin_dir, work, *args):
        self.events = os.path.join(work, "events.jsonl")
        self.proc = subprocess.Popen([os.path.join(bin_dir, "altv-client-sim"), "--port", "0", "--events", self.events, "--quiet", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.split("127.0.0.1:")[1].split()[0])
        self.offset = 0
        self.seen = []
        self.reconnect_events = []

    def new_events(self):
        with open(self.events) as f:
            f.seek(self.offset)
            data = f.read()
        complete = data[: data.rfind("\n") + 1]
        self.offset += len(complete.encode())
        for line in complete.splitlines():
            event = json.loads(line)
            self.seen.append(event)
            if event["type"] == "reconnect":
                self.reconnect_events.append(event)
        return self.seen

    def reconnects(self):
        """Reconnect events so far (reads only what was appended since the last call)."""
        self.new_events()
        return self.reconnect_events

    def wait_reconnects(self, count):
        """Waits, sleeping 1 ms between looks, until `count` reconnects were recorded."""
        while len(self.reconnects()) < count:
            time.sleep(0.001)
        return self.reconnect_events[count - 1]["t_ns"]

    def force(self, state):
        s = socket.create_connection(("127.0.0.1", self.port))
        s.sendall(f"POST /_sim/state HTTP/1.1\r\nHost: x\r\nContent-Length: {len(state)}\r\n\r\n{state}".encode())
        s.recv(1024)
        s.close()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

class Notify:
    def __init__(self, work):
        self.path = os.path.join(work, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.01)
        self.messages = []

    def drain(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                return self.messages
            self.messages.append((time.monotonic_ns(), data.decode()))

    def wait_for(self, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            if predicate(self.messages):
                return True
            time.sleep(0.002)
        raise SystemExit("bench: timed out waiting for the daemon; is it running?")

def start_daemon(bin_dir, log, sim, notify, *args, env=None):
    """`log` None: the source is in `args` (--docker-container NAME)."""
    env = dict(env or os.environ, NOTIFY_SOCKET=notify.path)
    env.pop("WATCHDOG_USEC", None)
    started = time.monotonic_ns()
    source = ["--log-file", log] if log else []
    proc = subprocess.Popen([os.path.join(bin_dir, "altv-reconnectd"), *source, "--client", f"http://127.0.0.1:{sim.port}", *args],
                            env=env, stderr=subprocess.DEVNULL)
    notify.wait_for(lambda m: any("READY=1" in text for _, text in m))
    ready_at = next(t for t, text in notify.messages if "READY=1" in text)
    return proc, ready_at - started

@contextlib.contextmanager
def rig(bin_dir, *daemon_args):
    """A simulator (boots and connects instantly), a notify socket, an empty server log, and the
    daemon on them; everything stopped afterwards."""
    with tempfile.TemporaryDirectory() as work:
        sim = Sim(bin_dir, work, "--boot-delay", "0", "--connect-delay", "0")
        notify = Notify(work)
        log = os.path.join(work, "server.log")
        open(log, "w").close()
        daemon, _ = start_daemon(bin_dir, log, sim, notify, *daemon_args)
        try:
            yield sim, notify, log, daemon
        finally:
            daemon.terminate(); daemon.wait(); sim.stop()

def append(path, text):
    with open(path, "a") as f:
        f.write(text)

def statuses(notify):
    return [line[7:] for _, text in notify.messages for line in text.split("\n") if line.startswith("STATUS=")]

def bench_reaction(bin_dir, rounds):
    with rig(bin_dir, "--poll-interval", "20ms") as (sim, notify, log, daemon):
        latencies = []
        for i in range(rounds):
            notify.wait_for(lambda m: sum(s.startswith("Client IN_GAME") for s in statuses(notify)) >= i)
            sim.force("MAIN_MENU")
            written = time.monotonic_ns()
            append(log, f"[00:00:{i % 60:02d}] Server started\n")
            latencies.append((sim.wait_reconnects(i + 1) - written) / 1e6)
    return latencies

def bench_detection(bin_dir, rounds):
    with rig(bin_dir) as (sim, notify, log, daemon):  # default --poll-interval 250ms
        latencies = []
        for i in range(rounds):
            notify.wait_for(lambda m: sum(s.startswith("Client IN_GAME") for s in statuses(notify)) >= i)
            sim.force("LOADING")
            append(log, f"[00:01:{i % 60:02d}] Server started\n")
            notify.wait_for(lambda m: statuses(notify).count(f"Server ready (start #{i + 1}), client LOADING") >= 1)
            time.sleep(random.uniform(0, 0.25))
            sim.force("MAIN_MENU")
            post = sim.wait_reconnects(i + 1)
            menu = [e["t_ns"] for e in sim.seen if e["type"] == "state" and e["to"] == "MAIN_MENU" and e["t_ns"] <= post][-1]
            latencies.append((post - menu) / 1e6)
    return latencies

def bench_start(bin_dir, rounds):
    results = []
    with tempfile.TemporaryDirectory() as work:
        sim = Sim(bin_dir, work)
        for i in range(rounds):
            notify = Notify(work) if i == 0 else notify
            notify.messages.clear()
            daemon, elapsed = start_daemon(bin_dir, os.path.join(work, "server.log"), sim, notify)
            results.append(elapsed / 1e6)
            daemon.terminate(); daemon.wait()
        sim.stop()
    return results

def proc_counters(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    switches = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/status") as f:
            for line in f:
                if "ctxt_switches" in line:
                    switches += int(line.split()[1])
    with open(f"/proc/{pid}/status") as f:
        hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
    return ticks * 1000 // os.sysconf("SC_CLK_TCK"), switches, hwm

def bench_idle(bin_dir, seconds, *daemon_args):
    with rig(bin_dir, *daemon_args) as (sim, notify, log, daemon):
        append(log, "Server started\n")
        notify.wait_for(lambda m: any(s.startswith("Client IN_GAME") for s in statuses(notify)))
        time.sleep(10)  # let worker threads retire
        cpu0, sw0, _ = proc_counters(daemon.pid)
        time.sleep(seconds)
        cpu1, sw1, hwm = proc_counters(daemon.pid)
    return (cpu1 - cpu0) * 60 / seconds, (sw1 - sw0) * 60 / seconds, hwm

def write_burst_log(path, megabytes, coloured):
    block = []
    for n in range(20000):
        words = "player sync entity stream resource loaded chunk vehicle"
        if coloured:
            block.append(f"[12:{n // 60 % 60:02d}:{n % 60:02d}] ~y~resource~w~ loaded \x1b[32mchunk {n}\x1b[0m {words}\n")
        else:
            block.append(f"[12:{n // 60 % 60:02d}:{n % 60:02d}] resource loaded chunk {n} {words}\n")
    data = "".join(block).encode()
    with open(path, "wb") as f:
        written = 0
        while written < megabytes * 1024 * 1024:
            f.write(data)
            written += len(data)
        f.write(b"[12:59:59] Server started\n")

def bench_burst(bin_dir, megabytes):
    results = []
    for coloured in (False, True):
        with tempfile.TemporaryDirectory() as work:
            log = os.path.join(work, "server.log")
            write_burst_log(log, megabytes, coloured)
            subprocess.run(["cat", log], stdout=subprocess.DEVNULL)  # same page-cache state for both
            started = time.monotonic_ns()
            subprocess.run(["grep", "-F", "-m1", "Server started", log], stdout=subprocess.DEVNULL, check=True)
            grep_ms = (time.monotonic_ns() - started) / 1e6
            sim = Sim(bin_dir, work, "--boot-delay", "60s")
            notify = Notify(work)
            started = time.monotonic_ns()
            daemon = subprocess.Popen([os.path.join(bin_dir, "altv-reconnectd"), "--log-file", log, "--client", f"http://127.0.0.1:{sim.port}"],
                                      env=dict(os.environ, NOTIFY_SOCKET=notify.path), stderr=subprocess.DEVNULL)
            notify.wait_for(lambda m: any("Server already running" in text for _, text in m), timeout=120)
            found = next(t for t, text in notify.messages if "Server already running" in text)
            daemon_ms = (found - started) / 1e6
            daemon.terminate(); daemon.wait(); sim.stop()
            results.append(("coloured" if coloured else "plain", os.path.getsize(log), grep_ms, daemon_ms))
    return results

ENGINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docker-engine")

def bench_docker(bin_dir, rounds, idle_seconds):
    """The container plays the server: `cat` copies what the bench writes into a FIFO (bind-mounted)
    to its output, with a TTY as in alt:V's compose file; timestamps from the write into the FIFO."""
    check = subprocess.run([ENGINE, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        return None, check.stdout.strip()
    with tempfile.TemporaryDirectory(dir="/tmp") as work:
        subprocess.run([ENGINE, "start", work], check=True, stdout=subprocess.DEVNULL)
        try:
            subprocess.run([ENGINE, "image", work], check=True)
            env = dict(os.environ, DOCKER_HOST="unix://" + os.path.join(work, "docker.sock"))
            io = os.path.join(work, "io")
            os.mkdir(io)
            fifo = os.path.join(io, "fifo")
            os.mkfifo(fifo)
            subprocess.run(["docker", "run", "-d", "-t", "--name", "altv", "--network", "none", "-v", f"{io}:/io", "altv-fake-server:1",
                            "/bin/sh", "-c", "while true; do cat /io/fifo; done"], check=True, env=env, stdout=subprocess.DEVNULL)
            sim = Sim(bin_dir, work, "--boot-delay", "0", "--connect-delay", "0")
            notify = Notify(work)
            daemon, _ = start_daemon(bin_dir, None, sim, notify, "--docker-container", "altv", "--poll-interval", "20ms", env=env)
            try:
                latencies = []
                for i in range(rounds):
                    notify.wait_for(lambda m: sum(s.startswith("Client IN_GAME") for s in statuses(notify)) >= i)
                    sim.force("MAIN_MENU")
                    written = time.monotonic_ns()
                    with open(fifo, "w") as f:
                        f.write(f"[00:00:{i % 60:02d}] Server started\n")
                    latencies.append((sim.wait_reconnects(i + 1) - written) / 1e6)
                notify.wait_for(lambda m: sum(s.startswith("Client IN_GAME") for s in statuses(notify)) >= rounds)
                time.sleep(10)  # let worker threads retire
                cpu0, sw0, _ = proc_counters(daemon.pid)
                time.sleep(idle_seconds)
                cpu1, sw1, hwm = proc_counters(daemon.pid)
            finally:
                daemon.terminate(); daemon.wait(); sim.stop()
            return (latencies, (cpu1 - cpu0) * 60 / idle_seconds, (sw1 - sw0) * 60 / idle_seconds, hwm), None
        finally:
            subprocess.run([ENGINE, "stop", work], stdout=subprocess.DEVNULL)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=None, help="directory with the built binaries (default: release build)")
    parser.add_argument("--reaction", type=int, default=300)
    parser.add_argument("--detection", type=int, default=40)
    parser.add_argument("--start", type=int, default=20)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--burst", type=int, default=200, help="size of the burst log in MB (0 skips)")
    parser.add_argument("--docker", type=int, default=100, help="rounds of the container's reaction (0 skips the Docker figures)")
    args = parser.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], text=True).strip()
    print(f"binaries: {bin_dir}")
    if args.reaction:
        r = bench_reaction(bin_dir, args.reaction)
        print(f"reaction  (ready line -> POST, client in MAIN_MENU), n={len(r)}: p50 {statistics.median(r):.3f} ms, p99 {percentile(r, 99):.3f} ms, max {max(r):.3f} ms   [bar: p50 <= 1 ms, p99 <= 5 ms]")
    if args.detection:
        d = bench_detection(bin_dir, args.detection)
        print(f"detection (MAIN_MENU -> POST, poll 250 ms), n={len(d)}: p50 {statistics.median(d):.1f} ms, p99 {percentile(d, 99):.1f} ms, max {max(d):.1f} ms   [bar: p99 <= 300 ms; docs script: up to 2500 ms]")
    if args.start:
        s = bench_start(bin_dir, args.start)
        print(f"start     (exec -> READY=1), n={len(s)}: p50 {statistics.median(s):.1f} ms, max {max(s):.1f} ms   [bar: <= 20 ms]")
    if args.burst:
        for kind, size, grep_ms, daemon_ms in bench_burst(bin_dir, args.burst):
            print(f"burst     ({size / 1048576:.0f} MB {kind} log, ready line last): daemon {daemon_ms:.0f} ms (exec included), grep -F -m1 {grep_ms:.0f} ms   [bar: daemon <= grep]")
    if args.idle:
        cpu, wakeups, hwm = bench_idle(bin_dir, args.idle)
        print(f"idle      ({args.idle:.0f} s): {wakeups:.1f} context switches/min, CPU {cpu:.1f} ms/min, peak RSS {hwm / 1024:.1f} MB   [bar: 0 wake-ups, <= 10 ms CPU, <= 10 MB]")
        cpu, wakeups, hwm = bench_idle(bin_dir, args.idle, "--keep-connected")
        print(f"keep-connected ({args.idle:.0f} s, server running, client IN_GAME, checked every 5 s): {wakeups:.1f} context switches/min, CPU {cpu:.1f} ms/min, peak RSS {hwm / 1024:.1f} MB   [documented, no bar]")
    if args.docker:
        figures, reason = bench_docker(bin_dir, args.docker, args.idle or 10)
        if figures is None:
            print(f"docker    skipped: {reason}")
        else:
            r, cpu, wakeups, hwm = figures
            print(f"docker    (container's ready line -> POST, TTY, client in MAIN_MENU), n={len(r)}: p50 {statistics.median(r):.3f} ms, p99 {percentile(r, 99):.3f} ms, max {max(r):.3f} ms   [the log file's: see reaction]")
            print(f"docker    idle ({args.idle or 10:.0f} s, container running and silent): {wakeups:.1f} context switches/min, CPU {cpu:.1f} ms/min, peak RSS {hwm / 1024:.1f} MB   [bar: 0 wake-ups]")

if __name__ == "__main__":
    main()
