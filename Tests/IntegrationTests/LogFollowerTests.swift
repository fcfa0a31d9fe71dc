import Dispatch
import Foundation
import LogWatch
import Testing

/// Real inotify on real files in a temporary directory.
@Suite struct LogFollowerTests {
    final class Recorder: @unchecked Sendable {
        let lines = Locked<[String]>([])
        let events = Locked<[LogFollower.Event]>([])
        let queue = DispatchQueue(label: "test.follower")
        var follower: LogFollower!

        init(path: String, maximumLineLength: Int = 64 * 1024) throws {
            let lines = lines, events = events
            follower = try LogFollower(path: path, queue: queue, maximumLineLength: maximumLineLength,
                                       onLine: { line in lines.with { $0.append(String(decoding: line, as: UTF8.self)) } },
                                       onEvent: { event in events.with { $0.append(event) } })
            try queue.sync { try follower.start() }
        }

        func stop() { queue.sync { follower.stop() } }
        func has(_ line: String) -> Bool { lines.current.contains(line) }
        func saw(_ event: LogFollower.Event) -> Bool { events.current.contains(event) }
    }

    @Test func readsExistingContentThenFollowsAppends() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[1] old line\n[2] Server started\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        // Existing lines arrive before .caughtUp, synchronously in start().
        #expect(recorder.lines.current == ["[1] old line", "[2] Server started"])
        #expect(recorder.events.current == [.opened(offset: 0), .caughtUp])
        append("[3] new line\n", to: log)
        #expect(waitUntil { recorder.has("[3] new line") })
    }

    @Test func matchesOnlyCompleteLines() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        append("[1] Server st", to: log)
        usleep(100_000)
        #expect(recorder.lines.current.isEmpty)
        append("arted\n", to: log)
        #expect(waitUntil { recorder.has("[1] Server started") })
        #expect(recorder.lines.current == ["[1] Server started"])
    }

    @Test func waitsForAFileCreatedAfterStart() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("later.log")
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(recorder.events.current == [.waitingForFile, .caughtUp])
        append("unrelated\n", to: directory.file("other.log"))
        append("[1] Server started\n", to: log)
        #expect(waitUntil { recorder.has("[1] Server started") })
        #expect(!recorder.has("unrelated"))
    }

    @Test func followsTruncationInPlace() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("first run line one\nfirst run line two\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(truncate(log, 0) == 0)
        append("second run\n", to: log)
        #expect(waitUntil { recorder.has("second run") })
        #expect(recorder.saw(.truncated))
    }

    @Test func followsANewFileUnderTheSameName() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("old file\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(rename(log, log + ".1") == 0)
        append("written to the old file after the rename\n", to: log + ".1")
        append("new file\n", to: log)
        #expect(waitUntil { recorder.has("new file") })
        #expect(recorder.saw(.replaced) || recorder.saw(.removed))
        // Deleted and recreated.
        #expect(unlink(log) == 0)
        append("recreated\n", to: log)
        #expect(waitUntil { recorder.has("recreated") })
    }

    @Test func cutsOverlongLinesAndSaysSoOnce() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("", to: log)
        let recorder = try Recorder(path: log, maximumLineLength: 1024)
        defer { recorder.stop() }
        append("Server started " + String(repeating: "x", count: 300_000) + "\nafter\n", to: log)
        append(String(repeating: "y", count: 5000) + "\n", to: log)
        #expect(waitUntil { recorder.lines.current.count == 3 })
        #expect(recorder.lines.current[0].hasPrefix("Server started x"))
        #expect(recorder.lines.current[0].utf8.count == 1024)
        #expect(recorder.lines.current[1] == "after")
        #expect(recorder.events.current.filter { $0 == .longLineCut(limit: 1024) }.count == 1)
    }

    @Test func missingDirectoryIsAnError() throws {
        let directory = TemporaryDirectory()
        #expect(throws: SystemError.self) { _ = try Recorder(path: directory.file("no/such/dir.log")) }
    }
}
