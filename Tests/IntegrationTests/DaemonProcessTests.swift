import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `altv-reconnectd` binary, end to end, against the built `altv-client-sim` and a log
/// file written by the test, with a real notify socket.
@Suite struct DaemonProcessTests {
    /// Starts the daemon on `log`; waits until it has told the notify socket READY=1.
    func startDaemon(log: String, simulator: SimulatorProcess, directory: TemporaryDirectory, notify: NotifySocket,
                     extra: [String] = [], environment: [String: String] = [:]) throws -> Child {
        let daemon = try Child("altv-reconnectd", ["--log-file", log, "--client", simulator.url] + extra,
                               environment: ["NOTIFY_SOCKET": notify.path].merging(environment) { $1 },
                               stderrPath: directory.file("daemon.stderr"))
        guard waitUntil({ notify.assignments.contains("READY=1") }) else {
            throw TestFailure("no READY=1; stderr: \(daemon.stderr)")
        }
        return daemon
    }

    @Test func twoServerStartsGiveExactlyTwoReconnects() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "100ms", "--password", "hunter2"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        let passwordFile = directory.file("password")
        append("hunter2\n", to: passwordFile)
        append("[10:00:00] Starting server...\n", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify,
                                     extra: ["--password-file", passwordFile, "--poll-interval", "50ms"])
        #expect(simulator.reconnects.isEmpty)

        append("[10:00:01] ~g~Server started\n", to: log)
        #expect(waitUntil { notify.statuses.contains { $0.hasPrefix("Client IN_GAME") } })
        append("[10:05:00] Stopping\n[10:05:02] Starting server...\n[10:05:03] [Warning] Server started in debug mode\n", to: log)
        #expect(waitUntil { notify.statuses.filter { $0.hasPrefix("Client IN_GAME") }.count == 2 })
        usleep(300_000)  // anything extra would show up by now

        let reconnects = simulator.reconnects
        #expect(reconnects.count == 2)
        #expect(reconnects.allSatisfy { $0["result"] as? String == "accepted" })
        // Never a POST in a state other than MAIN_MENU/IN_GAME.
        #expect(reconnects.allSatisfy { ["MAIN_MENU", "IN_GAME"].contains($0["state"] as? String ?? "") })

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        #expect(notify.assignments.contains("STOPPING=1"))
        #expect(notify.statuses.contains("Server ready (start #2), contacting client"))
        #expect(daemon.stderr.contains("Client IN_GAME") && daemon.stderr.contains("(start #2)"))
        // The password appears in no datagram, no log line, no argument.
        #expect(!notify.datagrams.current.joined().contains("hunter2"))
        #expect(!daemon.stderr.contains("hunter2"))
    }

    @Test func notifiesReadyStatusAndStoppingInOrder() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("not-yet.log")
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify)
        let secretArgs = (try? String(contentsOfFile: "/proc/\(daemon.pid)/cmdline", encoding: .utf8)) ?? ""
        #expect(!secretArgs.contains("hunter2"))
        #expect(notify.statuses.first == "Waiting for server log \(log)")
        daemon.signal(SIGINT)
        #expect(daemon.waitForExit() == 0)
        let assignments = notify.assignments
        let ready = assignments.firstIndex(of: "READY=1")
        let stopping = assignments.firstIndex(of: "STOPPING=1")
        #expect(ready != nil && stopping != nil && ready! < stopping!)
        #expect(notify.statuses.last == "Stopping (SIGINT)")
    }

    @Test func reactsToTheReadyLineWithoutWaitingForAPoll() throws {
        // A 10 s poll interval: only an event-driven daemon reconnects a MAIN_MENU client within a second or two.
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "0"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        append("", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify, extra: ["--poll-interval", "10s"])
        let written = Date()
        append("[10:00:01] Server started\n", to: log)
        #expect(waitUntil(timeout: 5) { simulator.reconnects.count == 1 })
        #expect(Date().timeIntervalSince(written) < 3)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func waitsForALoadingClientAndPostsOnlyInTheMenu() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "1500ms", "--connect-delay", "100ms"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        append("", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify, extra: ["--poll-interval", "100ms"])
        append("[10:00:01] Server started\n", to: log)
        #expect(waitUntil { simulator.reconnects.count == 1 })
        let events = simulator.events
        let menuAt = events.first { $0["type"] as? String == "state" && $0["to"] as? String == "MAIN_MENU" }?["t_ns"] as? Int ?? 0
        let postAt = simulator.reconnects.first?["t_ns"] as? Int ?? 0
        #expect(simulator.reconnects.first?["state"] as? String == "MAIN_MENU")
        #expect(postAt > menuAt)
        // Polled while LOADING (the client was contacted), but the POST came only after MAIN_MENU.
        #expect(events.contains { $0["type"] as? String == "request" && $0["state"] as? String == "LOADING" })
        #expect(notify.statuses.contains("Server ready (start #1), client LOADING"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func startedLateConnectsTheClientOnce() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "50ms"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        append("[09:00:00] Server started\n[09:00:05] Player joined\n", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify)
        #expect(waitUntil { notify.statuses.contains { $0.hasPrefix("Client IN_GAME") } })
        usleep(300_000)
        #expect(simulator.reconnects.count == 1)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func wrongPasswordIsReportedWithTheHint() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "100ms", "--password", "right"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        let passwordFile = directory.file("password")
        append("wrong-secret\n", to: passwordFile)
        append("", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify,
                                     extra: ["--password-file", passwordFile, "--poll-interval", "50ms"])
        append("Server started\n", to: log)
        #expect(waitUntil { notify.statuses.contains { $0.hasPrefix("Reconnect failed") } })
        #expect(simulator.reconnects.map { $0["result"] as? String } == ["wrong_password"])
        #expect(daemon.stderr.contains("debug = true"))
        #expect(daemon.stderr.contains("password"))
        #expect(!daemon.stderr.contains("wrong-secret"))
        #expect(!notify.datagrams.current.joined().contains("wrong-secret"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func passwordComesFromTheSystemdCredential() throws {
        let directory = TemporaryDirectory()
        let credentials = directory.file("credentials")
        mkdir(credentials, 0o700)
        append("cred-pass\n", to: credentials + "/password")
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "50ms", "--password", "cred-pass"])
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        append("Server started\n", to: log)
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify,
                                     environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(waitUntil { notify.statuses.contains { $0.hasPrefix("Client IN_GAME") } })
        #expect(simulator.reconnects.map { $0["result"] as? String } == ["accepted"])
        #expect(daemon.stderr.contains("password from systemd credential"))
        #expect(!daemon.stderr.contains("cred-pass"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func pingsTheWatchdogWhenAsked() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess()
        let notify = try NotifySocket(directory: directory)
        let log = directory.file("server.log")
        let daemon = try startDaemon(log: log, simulator: simulator, directory: directory, notify: notify,
                                     environment: ["WATCHDOG_USEC": "200000"])
        #expect(waitUntil { notify.assignments.filter { $0 == "WATCHDOG=1" }.count >= 3 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        // Without WATCHDOG_USEC there are no pings.
        let quietDirectory = TemporaryDirectory()
        let quiet = try NotifySocket(directory: quietDirectory)
        let other = try startDaemon(log: log, simulator: simulator, directory: directory, notify: quiet)
        usleep(300_000)
        #expect(!quiet.assignments.contains("WATCHDOG=1"))
        other.signal(SIGTERM)
        #expect(other.waitForExit() == 0)
    }

    @Test func usesPriorityPrefixesWhenStderrIsTheJournal() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess()
        let stderrPath = directory.file("daemon.stderr")
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
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
}
