import Dispatch
import Foundation
import ReconnectKit
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

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
