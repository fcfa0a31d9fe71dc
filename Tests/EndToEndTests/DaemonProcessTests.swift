import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One daemon under test: a temporary directory, the built simulator, a real notify socket and a
/// server log the test writes.
struct DaemonRig {
    let directory = TemporaryDirectory()
    let simulator: SimulatorProcess
    let notify: NotifySocket
    let log: String

    /// `logContent` nil: the log does not exist yet.
    /// `logName` may name directories that do not exist yet.
    init(simulator arguments: [String] = [], logContent: String? = "", logName: String = "server.log") throws {
        simulator = try SimulatorProcess(arguments)
        notify = try NotifySocket(directory: directory)
        log = directory.file(logName)
        if let logContent {
            try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            append(logContent, to: log)
        }
    }

    /// A file in the rig's directory holding `text` (a password file, say).
    func file(_ name: String, _ text: String) -> String {
        append(text, to: directory.file(name))
        return directory.file(name)
    }

    /// Starts the daemon on `log`; returns once it has sent READY=1.
    /// `wrapper`: a command that runs the daemon (`setpriv …`, `unshare …`), the daemon's path
    /// (`executable`, by default the built one) and arguments appended.
    /// `source`: what to watch, instead of `--log-file log`.
    func startDaemon(_ extra: [String] = [], source: [String]? = nil, environment: [String: String] = [:], notify: NotifySocket? = nil, wrapper: [String] = [],
                     executable: String = productsDirectory + "/altv-reconnectd") throws -> Child {
        let notify = notify ?? self.notify
        let arguments = (source ?? ["--log-file", log]) + ["--client", simulator.url] + extra
        let daemon = try Child(wrapper.first ?? executable, wrapper.isEmpty ? arguments : wrapper.dropFirst() + [executable] + arguments,
                               environment: ["NOTIFY_SOCKET": notify.path].merging(environment) { $1 },
                               stderrPath: directory.file("daemon-\(UInt32.random(in: 0...UInt32.max)).stderr"))
        guard waitUntil({ notify.assignments.contains("READY=1") }) else {
            throw TestFailure("no READY=1; stderr: \(daemon.stderr)")
        }
        return daemon
    }

    func waitForStatus(_ prefix: String, count: Int = 1) -> Bool {
        waitUntil { notify.statuses.filter { $0.hasPrefix(prefix) }.count >= count }
    }

    /// SIGTERM, and the documented exit status 0.
    func stop(_ daemon: Child, signal number: Int32 = SIGTERM) {
        daemon.signal(number)
        #expect(daemon.waitForExit() == 0)
    }
}

/// The built `altv-reconnectd` binary, end to end, against the built `altv-client-sim` and a log
/// file written by the test, with a real notify socket.
@Suite struct DaemonProcessTests {
    @Test func twoServerStartsGiveExactlyTwoReconnects() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "hunter2"],
                                logContent: "[10:00:00] Starting server...\n")
        let passwordFile = rig.file("password", "hunter2\n")
        let daemon = try rig.startDaemon(["--password-file", passwordFile, "--poll-interval", "50ms"])
        #expect(rig.simulator.reconnects.isEmpty)

        append("[10:00:01] ~g~Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        append("[10:05:00] Stopping\n[10:05:02] Starting server...\n[10:05:03] [Warning] Server started in debug mode\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME", count: 2))
        usleep(300_000)  // anything extra would show up by now

        let reconnects = rig.simulator.reconnects
        #expect(reconnects.count == 2)
        #expect(reconnects.allSatisfy { $0["result"] as? String == "accepted" })
        // Never a POST in a state other than MAIN_MENU/IN_GAME.
        #expect(reconnects.allSatisfy { ["MAIN_MENU", "IN_GAME"].contains($0["state"] as? String ?? "") })

        rig.stop(daemon)
        #expect(rig.notify.assignments.contains("STOPPING=1"))
        #expect(rig.notify.statuses.contains("Server ready (start #2), contacting client"))
        #expect(daemon.stderr.contains("Client IN_GAME") && daemon.stderr.contains("(start #2)"))
        // The password appears in no datagram, no log line, no argument.
        #expect(!rig.notify.datagrams.current.joined().contains("hunter2"))
        #expect(!daemon.stderr.contains("hunter2"))
    }

    @Test func notifiesReadyStatusAndStoppingInOrder() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0"], logContent: nil, logName: "not-yet.log")
        let notify = rig.notify
        let daemon = try rig.startDaemon()
        let secretArgs = (try? String(contentsOfFile: "/proc/\(daemon.pid)/cmdline", encoding: .utf8)) ?? ""
        #expect(!secretArgs.contains("hunter2"))
        #expect(notify.statuses.first == "Waiting for server log \(rig.log)")
        rig.stop(daemon, signal: SIGINT)
        let assignments = notify.assignments
        let ready = assignments.firstIndex(of: "READY=1")
        let stopping = assignments.firstIndex(of: "STOPPING=1")
        #expect(ready != nil && stopping != nil && ready! < stopping!)
        #expect(notify.statuses.last == "Stopping (SIGINT)")
    }

    @Test func reactsToTheReadyLineWithoutWaitingForAPoll() throws {
        // A 10 s poll interval: only an event-driven daemon reconnects a MAIN_MENU client within a second or two.
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"])
        let daemon = try rig.startDaemon(["--poll-interval", "10s"])
        let written = Date()
        append("[10:00:01] Server started\n", to: rig.log)
        #expect(waitUntil(timeout: 5) { rig.simulator.reconnects.count == 1 })
        #expect(Date().timeIntervalSince(written) < 3)
        rig.stop(daemon)
    }

    @Test func waitsForALoadingClientAndPostsOnlyInTheMenu() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "1500ms", "--connect-delay", "100ms"])
        let simulator = rig.simulator
        let daemon = try rig.startDaemon(["--poll-interval", "100ms"])
        append("[10:00:01] Server started\n", to: rig.log)
        #expect(waitUntil { simulator.reconnects.count == 1 })
        let events = simulator.events
        let menuAt = events.first { $0["type"] as? String == "state" && $0["to"] as? String == "MAIN_MENU" }?["t_ns"] as? Int ?? 0
        let postAt = simulator.reconnects.first?["t_ns"] as? Int ?? 0
        #expect(simulator.reconnects.first?["state"] as? String == "MAIN_MENU")
        #expect(postAt > menuAt)
        // Polled while LOADING (the client was contacted), but the POST came only after MAIN_MENU.
        #expect(events.contains { $0["type"] as? String == "request" && $0["state"] as? String == "LOADING" })
        #expect(rig.notify.statuses.contains("Server ready (start #1), client LOADING"))
        rig.stop(daemon)
    }

    @Test func startedLateConnectsTheClientOnce() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"],
                                logContent: "[09:00:00] Server started\n[09:00:05] Player joined\n")
        let daemon = try rig.startDaemon()
        #expect(rig.waitForStatus("Client IN_GAME"))
        usleep(300_000)
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
    }

    @Test func wrongPasswordIsReportedWithTheHint() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "right"])
        let passwordFile = rig.file("password", "wrong-secret\n")
        let daemon = try rig.startDaemon(["--password-file", passwordFile, "--poll-interval", "50ms"])
        append("Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Reconnect failed"))
        #expect(rig.simulator.reconnects.map { $0["result"] as? String } == ["wrong_password"])
        #expect(daemon.stderr.contains("debug = true"))
        #expect(daemon.stderr.contains("the server may have rejected the password"))
        #expect(waitUntil { rig.notify.statuses.contains { $0.hasPrefix("Reconnect failed") && $0.hasSuffix("; check the password and debug = true") } })
        #expect(!daemon.stderr.contains("wrong-secret"))
        #expect(!rig.notify.datagrams.current.joined().contains("wrong-secret"))
        rig.stop(daemon)
    }

    /// `--verbose` traces every request and answer with its time, every timer, every readiness
    /// decision and follower event, at debug level, and still never the password.
    @Test func verboseTracesEveryDecision() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "trace-secret"])
        let passwordFile = rig.file("password", "trace-secret\n")
        chmod(passwordFile, 0o600)
        let daemon = try rig.startDaemon(["--password-file", passwordFile, "--poll-interval", "50ms", "--verbose"])
        append("[12:00:00] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        rig.stop(daemon)
        let log = daemon.stderr
        for expected in [
            "debug \(rig.log): caughtUp", "debug readiness: caughtUp -> report(waitingForStart)",
            "debug Ready line: [12:00:00] Server started", "debug readiness: readyLine -> serverReady(serverReady)",
            "debug GET \(rig.simulator.url)/status (#1.1)", "debug GET /status (#1.1) -> MAIN_MENU in ",
            "debug POST \(rig.simulator.url)/reconnect (#1.2), body: the password, 12 bytes", "debug POST /reconnect (#1.2) -> HTTP 200 in ",
            "debug timer: loop wakes up in 50 ms (#1.3, phase verifying)",
        ] {
            #expect(log.contains(expected), "missing '\(expected)' in:\n\(log)")
        }
        #expect(!log.contains("trace-secret"))
    }

    /// A password file others may read is used, with an ssh-style warning at start.
    @Test func aPasswordFileOthersMayReadIsWarnedAbout() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms", "--password", "shared-pw"])
        let passwordFile = rig.file("password", "shared-pw\n")
        chmod(passwordFile, 0o644)
        let daemon = try rig.startDaemon(["--password-file", passwordFile, "--poll-interval", "50ms"])
        append("Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(daemon.stderr.contains("The password file \(passwordFile) is readable by group and others (mode 0644); chmod 600 \(passwordFile)"))
        #expect(!daemon.stderr.contains("shared-pw"))
        rig.stop(daemon)
    }

    /// No password at all is told apart from a rejected one: the fix differs.
    @Test func noPasswordIsToldApartFromARejectedOne() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "right"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"])
        append("Server started\n", to: rig.log)
        #expect(waitUntil { rig.notify.statuses.contains { $0.hasPrefix("Reconnect failed") && $0.hasSuffix("; no password configured; check debug = true") } })
        #expect(daemon.stderr.contains("no password is configured: if the server has one, put it in password-file"))
        #expect(!daemon.stderr.contains("rejected"))
        rig.stop(daemon)
    }

    @Test func passwordComesFromTheSystemdCredential() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms", "--password", "cred-pass"],
                                logContent: "Server started\n")
        let credentials = rig.directory.file("credentials")
        mkdir(credentials, 0o700)
        append("cred-pass\n", to: credentials + "/password")
        let daemon = try rig.startDaemon(environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.map { $0["result"] as? String } == ["accepted"])
        #expect(daemon.stderr.contains("password from systemd credential"))
        #expect(!daemon.stderr.contains("cred-pass"))
        rig.stop(daemon)
    }

    @Test func pingsTheWatchdogWhenAsked() throws {
        let rig = try DaemonRig()
        let daemon = try rig.startDaemon(environment: ["WATCHDOG_USEC": "200000"])
        #expect(waitUntil { rig.notify.assignments.filter { $0 == "WATCHDOG=1" }.count >= 3 })
        rig.stop(daemon)
        // Without WATCHDOG_USEC there are no pings.
        let quietDirectory = TemporaryDirectory()
        let quiet = try NotifySocket(directory: quietDirectory)
        let other = try rig.startDaemon(notify: quiet)
        usleep(300_000)
        #expect(!quiet.assignments.contains("WATCHDOG=1"))
        rig.stop(other)
    }

    /// With stderr a journal stream but no journald socket for native entries (this test fakes
    /// JOURNAL_STREAM), lines carry `<N>` priorities; the structured entries are tested under a
    /// real journald (SystemdUnitTests).
    @Test(.enabled(if: access("/run/systemd/journal/socket", F_OK) != 0, "a real journald listens here: entries would go to it"))
    func usesPriorityPrefixesWhenStderrIsAJournalStream() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess()
        let stderrPath = directory.file("daemon.stderr")
        #expect(FileManager.default.createFile(atPath: stderrPath, contents: nil))
        var status = stat()
        stat(stderrPath, &status)
        let daemon = try Child("altv-reconnectd", ["--log-file", directory.file("x.log"), "--client", simulator.url],
                               environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"], stderrPath: stderrPath)
        #expect(waitUntil { daemon.stderr.contains("Waiting for server log") })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let lines = daemon.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("<6>") || $0.hasPrefix("<5>") || $0.hasPrefix("<4>") || $0.hasPrefix("<3>") })
    }

    /// GNU `timeout` sends SIGTERM to the daemon and then to its group: two signals at once. The
    /// daemon stops once (one "Stopping" line, exit 0) and the second signal never reaches a
    /// daemon that has already returned from `run` (it did: "Attempted to read an unowned
    /// reference", found under a pty's SIGINT). Repeated, since the window is short.
    @Test func twoSignalsAtOnceStopItOnce() throws {
        for _ in 0..<5 {
            let rig = try DaemonRig()
            let daemon = try rig.startDaemon()
            daemon.signal(SIGTERM)
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit() == 0)
            #expect(daemon.stderr.components(separatedBy: "Stopping (SIGTERM)").count == 2, "\(daemon.stderr)")
            #expect(!daemon.stderr.contains("Fatal error"))
        }
    }
}
