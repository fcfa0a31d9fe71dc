import Dispatch
import Foundation
import ReconnectKit
import Testing
import TestSupport

/// Real inotify on real files in a temporary directory.
@Suite struct LogFollowerTests {
    /// Collects every complete line the follower delivers.
    final class LineCollector: LogSink, @unchecked Sendable {
        var splitter: LineSplitter
        let lines = Locked<[String]>([])
        init(maximumLineLength: Int) { splitter = LineSplitter(maximumLineLength: maximumLineLength) }
        func consume(_ bytes: UnsafeRawBufferPointer) {
            splitter.split(bytes) { line in lines.with { $0.append(String(decoding: line, as: UTF8.self)) } }
        }
        func restart() { splitter.reset() }
    }

    final class Recorder: @unchecked Sendable {
        let collector: LineCollector
        var lines: Locked<[String]> { collector.lines }
        let events = Locked<[LogFollower.Event]>([])
        let queue = DispatchQueue(label: "test.follower")
        var follower: LogFollower!

        init(path: String, maximumLineLength: Int = 64 * 1024, rewriteGrace: DispatchTimeInterval = .milliseconds(100),
             raceHook: ((LogFollower.RacePoint) -> Void)? = nil) throws {
            collector = LineCollector(maximumLineLength: maximumLineLength)
            let events = events
            follower = try LogFollower(path: path, queue: queue, sink: collector, rewriteGrace: rewriteGrace) { event in events.with { $0.append(event) } }
            follower.raceHook = raceHook
            try queue.sync { try follower.start() }
        }

        /// Holds the follower's queue while `body` runs, so every event it causes is handled in one look.
        func whilePaused(_ body: () -> Void) {
            let release = DispatchSemaphore(value: 0)
            queue.async { release.wait() }
            body()
            release.signal()
        }

        func count(_ line: String) -> Int { lines.current.filter { $0 == line }.count }

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
        #expect(recorder.events.current == [.opened, .caughtUp])
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

    @Test func finishesTheOldFileThenFollowsTheNewOne() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("old file\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        // Rotation in create mode: the writer keeps writing to the renamed file for a while.
        #expect(rename(log, log + ".1") == 0)
        append("", to: log)
        append("written to the old file after the rotation\n", to: log + ".1")
        #expect(waitUntil { recorder.has("written to the old file after the rotation") })
        #expect(!recorder.saw(.replaced))
        // The writer moves to the new file: the old one is finished, the new one followed from its start.
        append("new file\n", to: log)
        #expect(waitUntil { recorder.has("new file") })
        #expect(recorder.saw(.replaced))
        #expect(recorder.follower.resourceCount.files == 1)
    }

    @Test func followsDeleteAndRecreate() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("first\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(unlink(log) == 0)
        #expect(waitUntil { recorder.saw(.removed) })
        append("recreated\n", to: log)
        #expect(waitUntil { recorder.has("recreated") })
        #expect(recorder.saw(.replaced))
    }

    @Test func seesAFileRewrittenPastItsOldSize() throws {
        // Truncated and rewritten with more than before between two looks: the size never
        // shrinks, but the bytes before the old offset changed. GNU tail misses this.
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[1] run one\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        let fd = open(log, O_WRONLY | O_TRUNC)
        var bytes = Array("[2] run two, a longer first line\n[2] Server started\n".utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(waitUntil { recorder.has("[2] Server started") })
        #expect(recorder.has("[2] run two, a longer first line"))
    }

    @Test func followsASymlinkWhoseTargetChanges() throws {
        let directory = TemporaryDirectory()
        mkdir(directory.file("logs"), 0o755)
        let link = directory.file("current.log")
        append("one\n", to: directory.file("logs/a.log"))
        #expect(symlink("logs/a.log", link) == 0)
        let recorder = try Recorder(path: link)
        defer { recorder.stop() }
        #expect(recorder.has("one"))
        append("two\n", to: directory.file("logs/a.log"))
        #expect(waitUntil { recorder.has("two") })
        // Relink (atomically, like ln -sfn) to a target that does not exist yet, then create it.
        #expect(symlink("logs/b.log", link + ".tmp") == 0)
        #expect(rename(link + ".tmp", link) == 0)
        usleep(50_000)
        append("three\n", to: directory.file("logs/b.log"))
        #expect(waitUntil { recorder.has("three") })
        append("four\n", to: directory.file("logs/b.log"))
        #expect(waitUntil { recorder.has("four") })
    }

    @Test func cutsOverlongLines() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("", to: log)
        let recorder = try Recorder(path: log, maximumLineLength: 1024)
        defer { recorder.stop() }
        append("Server started " + String(repeating: "x", count: 300_000) + "\nafter\n", to: log)
        #expect(waitUntil { recorder.lines.current.count == 2 })
        #expect(recorder.lines.current[0].hasPrefix("Server started x"))
        #expect(recorder.lines.current[0].utf8.count == 1024)
        #expect(recorder.lines.current[1] == "after")
    }

}

/// A real `IN_Q_OVERFLOW`: the queue limit is read when an inotify instance is created, so the
/// test lowers it just for the follower's instance (root only), blocks the follower's queue and
/// makes far more events than fit. Everything is looked at again; no line is lost.
@Suite struct InotifyOverflowTests {
    static let limitPath = "/proc/sys/fs/inotify/max_queued_events"

    @Test(.enabled(if: getuid() == 0, "needs root to lower \(limitPath) for one inotify instance"))
    func overflowRescansWithoutLosingLines() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("", to: log)
        let original = readText(Self.limitPath).trimmingCharacters(in: .whitespacesAndNewlines)
        try "16\n".write(toFile: Self.limitPath, atomically: false, encoding: .utf8)
        let recorder: LogFollowerTests.Recorder
        do {
            defer { try? (original + "\n").write(toFile: Self.limitPath, atomically: false, encoding: .utf8) }
            recorder = try LogFollowerTests.Recorder(path: log)
        }
        defer { recorder.stop() }
        let release = DispatchSemaphore(value: 0)
        recorder.queue.async { release.wait() }  // the follower cannot read events meanwhile
        for n in 0..<200 {
            append("line \(n)\n", to: log)
            append("noise\n", to: directory.file("other-\(n).log"))
        }
        release.signal()
        #expect(waitUntil { recorder.lines.current.count == 200 })
        #expect(recorder.lines.current == (0..<200).map { "line \($0)" })
        #expect(recorder.saw(.overflowed))
    }
}
