import Dispatch
import Foundation
import LogWatch
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real server stand-in: `sleep` in a child process.
final class FakeServer {
    let process = Process()
    init() throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
    }
    var pid: Int32 { process.processIdentifier }
    /// SIGKILL: a child spawned from a libdispatch worker inherits its blocked signal mask, so
    /// SIGTERM would wait in the queue until `sleep` ends by itself.
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    deinit { if process.isRunning { kill() } }
}

/// Writes `text` to `path` the way a script would: in place, or atomically through a rename.
func writePidFile(_ path: String, _ text: String, atomically: Bool) {
    if atomically {
        append(text, to: path + ".tmp")
        rename(path + ".tmp", path)
    } else {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

@Suite struct PidFileWatcherTests {
    @Test func followsStartsExitsAndStaleFiles() throws {
        let directory = TemporaryDirectory()
        let pidFile = directory.file("server.pid")
        let events = Locked<[PidFileWatcher.Event]>([])
        let queue = DispatchQueue(label: "test.pid")
        let watcher = try PidFileWatcher(path: pidFile, queue: queue) { event in events.with { $0.append(event) } }
        try queue.sync { try watcher.start() }
        defer { queue.sync { watcher.stop() } }
        #expect(events.current == [.waitingForFile])

        let first = try FakeServer()
        writePidFile(pidFile, "\(first.pid)\n", atomically: true)
        #expect(waitUntil { events.current.contains(.started(pid: first.pid, atStart: false)) })
        first.kill()
        #expect(waitUntil { events.current.contains(.exited(pid: first.pid)) })

        let second = try FakeServer()
        writePidFile(pidFile, "\(second.pid)", atomically: false)
        #expect(waitUntil { events.current.contains(.started(pid: second.pid, atStart: false)) })
        second.kill()
        #expect(waitUntil { events.current.contains(.exited(pid: second.pid)) })

        // A PID that names no process: the server is down.
        let gone = try FakeServer()
        let stalePid = gone.pid
        gone.kill()
        writePidFile(pidFile, "\(stalePid)\n", atomically: true)
        #expect(waitUntil { events.current.contains(.stale(pid: stalePid)) })
        writePidFile(pidFile, "not a pid\n", atomically: true)
        #expect(waitUntil { events.current.contains(.invalid("not a pid")) })
        // Each start reported once.
        #expect(events.current.filter { if case .started = $0 { true } else { false } }.count == 2)
    }

    @Test func findsARunningServerAtStart() throws {
        let directory = TemporaryDirectory()
        let pidFile = directory.file("server.pid")
        let server = try FakeServer()
        writePidFile(pidFile, "\(server.pid)\n", atomically: false)
        let events = Locked<[PidFileWatcher.Event]>([])
        let queue = DispatchQueue(label: "test.pid")
        let watcher = try PidFileWatcher(path: pidFile, queue: queue) { event in events.with { $0.append(event) } }
        try queue.sync { try watcher.start() }
        defer { queue.sync { watcher.stop() } }
        #expect(events.current == [.started(pid: server.pid, atStart: true)])
        server.kill()
        #expect(waitUntil { events.current.contains(.exited(pid: server.pid)) })
    }
}

@Suite struct DaemonSourceTests {
    @Test func pidFileAloneWithReadyDelay() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil)
        let pidFile = rig.directory.file("server.pid")
        let daemon = try Child("altv-reconnectd", ["--pid-file", pidFile, "--ready-delay", "300ms", "--client", rig.simulator.url, "--poll-interval", "20ms"],
                               environment: ["NOTIFY_SOCKET": rig.notify.path], stderrPath: rig.directory.file("daemon.stderr"))
        #expect(waitUntil { rig.notify.assignments.contains("READY=1") })
        for round in 1...2 {
            try rig.simulator.force("MAIN_MENU")
            let server = try FakeServer()
            writePidFile(pidFile, "\(server.pid)\n", atomically: round == 1)
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == round }, "\(daemon.stderr)")
            server.kill()
            #expect(waitUntil { rig.notify.statuses.last?.hasPrefix("Server stopped (PID \(server.pid) exited)") == true })
        }
        // A server that dies during its ready delay: no start, no reconnect.
        let shortLived = try FakeServer()
        writePidFile(pidFile, "\(shortLived.pid)\n", atomically: true)
        #expect(waitUntil { daemon.stderr.contains("Server process \(shortLived.pid) started") })
        shortLived.kill()
        #expect(waitUntil { daemon.stderr.contains("Server process \(shortLived.pid) exited: server stopped before ready") }, "\(daemon.stderr)")
        usleep(400_000)
        #expect(rig.simulator.reconnects.count == 2)
        rig.stop(daemon)
    }

    @Test func serverStoppingBeforeReadyCancelsThePendingReconnect() throws {
        // The client is still loading when the server dies: nothing must be sent afterwards.
        let rig = try DaemonRig(simulator: ["--boot-delay", "60s"])
        let pidFile = rig.directory.file("server.pid")
        let server = try FakeServer()
        let daemon = try rig.startDaemon(["--pid-file", pidFile, "--poll-interval", "20ms"])
        writePidFile(pidFile, "\(server.pid)\n", atomically: true)
        #expect(waitUntil { rig.notify.statuses.contains { $0.hasPrefix("Server starting (PID \(server.pid))") } })
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #1), client LOADING"))
        server.kill()
        #expect(waitUntil { daemon.stderr.contains("Server stopped before the reconnect finished (start #1)") })
        try rig.simulator.force("MAIN_MENU")
        usleep(400_000)  // many poll intervals: a live loop would have posted by now
        #expect(rig.simulator.reconnects.isEmpty)
        rig.stop(daemon)
    }

    @Test func readyPortHoldsTheReconnectUntilTheServerAccepts() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"])
        let port = closedPort()
        let daemon = try rig.startDaemon(["--ready-port", "\(port)", "--poll-interval", "20ms"])
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready, waiting for port \(port)"))
        usleep(300_000)
        #expect(rig.simulator.reconnects.isEmpty)
        // The game port opens.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        listen(listener, 8)
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
    }
}
