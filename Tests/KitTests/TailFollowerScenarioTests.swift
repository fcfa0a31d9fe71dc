import Dispatch
import Foundation
@testable import ReconnectKit
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The follower-level scenarios of GNU coreutils' `tail -F` tests and Fluent Bit's in_tail
/// tests (the daemon-level ones are in EndToEndTests/TailScenarioTests.swift).
@Suite struct TailFollowerScenarioTests {
    /// inotify-race.sh: a line appended between the first read and the watch is not lost.
    @Test func coreutilsLineAppendedBeforeTheWatch() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("file")
        append("", to: file)
        let once = Locked(true)
        let recorder = try LogFollowerTests.Recorder(path: file) { point in
            guard point == .beforeWatchingNewFile, once.take() else { return }
            append("never-seen-with-tail-7.5\n", to: file)
        }
        defer { recorder.stop() }
        #expect(waitUntil { recorder.has("never-seen-with-tail-7.5") })
    }

    /// inotify-race2.sh: the file replaced (`mv file.new file`) between the first read and the watch.
    @Test func coreutilsFileReplacedBeforeTheWatch() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("file")
        append("", to: file)
        append("never-seen-with-tail-8.23\n", to: file + ".new")
        let once = Locked(true)
        let recorder = try LogFollowerTests.Recorder(path: file) { point in
            guard point == .beforeWatchingNewFile, once.take() else { return }
            rename(file + ".new", file)
        }
        defer { recorder.stop() }
        #expect(waitUntil { recorder.has("never-seen-with-tail-8.23") })
        #expect(recorder.saw(.replaced))
    }

    // MARK: Fluent Bit tests/runtime_shell/in_tail

    /// test_normal_rotation: a writer rotating its file (rename, new file) every 256 KB:
    /// every line written is read, once.
    @Test func fluentBitNormalRotation() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("a.log")
        append("", to: log)
        let recorder = try LogFollowerTests.Recorder(path: log)
        defer { recorder.stop() }
        var fd = open(log, O_WRONLY | O_APPEND)
        var size = 0
        var rotations = 0
        let total = 40_000
        for n in 0..<total {
            var line = Array("line \(n) \(String(repeating: "x", count: 40))\n".utf8)
            size += line.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
            if size >= 256 * 1024 {
                close(fd)
                rotations += 1
                rename(log, log + ".\(rotations)")
                fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o644)
                size = 0
            }
        }
        close(fd)
        #expect(rotations >= 5)
        #expect(waitUntil(timeout: 30) { recorder.lines.current.count >= total })
        usleep(100_000)
        let lines = recorder.lines.current
        var seen = Set<String>()
        let repeated = lines.filter { !seen.insert($0).inserted }
        #expect(repeated.isEmpty, "\(repeated.count) lines read twice, first \(repeated.prefix(3)); events \(recorder.events.current.prefix(20))")
        #expect(lines.count == total)
        #expect(lines.first == "line 0 " + String(repeating: "x", count: 40) && lines.last?.hasPrefix("line \(total - 1) ") == true)
    }

    /// test_single_static_rotation: a big file renamed away while it is being read at start:
    /// every line is read, and lines written to the renamed file later too.
    @Test func fluentBitStaticRotation() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("a.log")
        let total = 200_000
        overwrite((0..<total).map { "line \($0)\n" }.joined(), to: log)
        let once = Locked(true)
        let recorder = try LogFollowerTests.Recorder(path: log) { point in
            guard point == .beforeReading, once.take() else { return }
            rename(log, log + ".1")
        }
        defer { recorder.stop() }
        append("written after the rotation\n", to: log + ".1")
        #expect(waitUntil { recorder.has("written after the rotation") })
        #expect(recorder.lines.current.count == total + 1)
    }

    /// test_truncate: 200 lines, `truncate -s 0`, 100 more lines: 300 read.
    @Test func fluentBitTruncate() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("a.log")
        overwrite((0..<200).map { "before \($0)\n" }.joined(), to: log)
        let recorder = try LogFollowerTests.Recorder(path: log)
        defer { recorder.stop() }
        #expect(truncate(log, 0) == 0)
        for n in 0..<100 { append("after \(n)\n", to: log) }
        #expect(waitUntil { recorder.lines.current.count == 300 })
        #expect(recorder.lines.current.last == "after 99")
    }

    /// test_rotate_link: the followed path is a link to data.log; `mv a.log a.log.1` (the link),
    /// then 200 lines through the renamed link: all read (the name has no new file).
    @Test func fluentBitRotateLink() throws {
        let directory = TemporaryDirectory()
        let data = directory.file("data.log")
        let link = directory.file("a.log")
        overwrite((0..<100).map { "line \($0)\n" }.joined(), to: data)
        symlink("data.log", link)
        let recorder = try LogFollowerTests.Recorder(path: link)
        defer { recorder.stop() }
        rename(link, link + ".1")
        for n in 100..<300 { append("line \(n)\n", to: link + ".1") }
        #expect(waitUntil { recorder.lines.current.count == 300 })
        #expect(recorder.lines.current == (0..<300).map { "line \($0)" })
    }

    /// test_truncate_link: truncated through the link, then 200 lines: 300 read.
    @Test func fluentBitTruncateLink() throws {
        let directory = TemporaryDirectory()
        let data = directory.file("data.log")
        let link = directory.file("a.log")
        overwrite((0..<100).map { "before \($0)\n" }.joined(), to: data)
        symlink("data.log", link)
        let recorder = try LogFollowerTests.Recorder(path: link)
        defer { recorder.stop() }
        #expect(truncate(link, 0) == 0)
        usleep(50_000)
        for n in 0..<200 { append("after \(n)\n", to: link) }
        #expect(waitUntil { recorder.lines.current.count == 300 })
        #expect(recorder.saw(.truncated))
    }
}
