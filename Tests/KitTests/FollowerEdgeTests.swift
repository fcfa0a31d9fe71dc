import Dispatch
import Foundation
import ReconnectKit
import Testing
import TestSupport

/// The edges where a restart used to be missed (issue 8), each pinned down deterministically on a
/// real file with real inotify: the follower's queue is held while the file system changes (so all
/// of it is seen in one look), or a race hook acts at the exact point between two system calls.
@Suite struct FollowerEdgeTests {
    typealias Recorder = LogFollowerTests.Recorder
    static let ready = "[12:00:00] Server started"

    // MARK: 1. Byte-identical rewrites

    /// `echo '…Server started' > server.log`, the same bytes each time, with the truncation and the
    /// write seen in one look: same size, same last bytes, only the modification time tells.
    @Test func identicalRewriteSeenInOneLookIsReadAgain() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        overwrite(Self.ready + "\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(recorder.count(Self.ready) == 1)
        for n in 2...4 {
            recorder.whilePaused { overwrite(Self.ready + "\n", to: log) }
            #expect(waitUntil { recorder.count(Self.ready) == n }, "rewrite \(n)")
        }
        #expect(recorder.saw(.truncated))
    }

    /// The developer's hand test: ten rewrites with a pause between give ten lines.
    @Test func tenIdenticalRewritesGiveTenLines() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        for n in 1...10 {
            overwrite(Self.ready + "\n", to: log)
            #expect(waitUntil { recorder.count(Self.ready) == n }, "rewrite \(n)")
        }
        usleep(100_000)
        #expect(recorder.count(Self.ready) == 10)
    }

    /// `touch` changes the time without writing: nothing already read is read again.
    @Test func touchDoesNotReplay() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        overwrite(Self.ready + "\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        recorder.whilePaused { #expect(utimensat(AT_FDCWD, log, nil, 0) == 0) }
        usleep(150_000)
        append("after touch\n", to: log)
        #expect(waitUntil { recorder.has("after touch") })
        #expect(recorder.count(Self.ready) == 1)
        #expect(!recorder.saw(.truncated))
    }

    /// A write lands after the size was taken and before the read: it is read once, by the next
    /// look, and its own event never makes the file look rewritten.
    @Test func writeBetweenMeasureAndReadIsReadOnce() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[0] booting\n", to: log)
        let armed = Locked(false)
        let recorder = try Recorder(path: log) { point in
            guard point == .beforeReading, armed.take() else { return }
            append(Self.ready + "\n", to: log)
        }
        defer { recorder.stop() }
        armed.with { $0 = true }
        append("[1] starting\n", to: log)
        #expect(waitUntil { recorder.has(Self.ready) })
        usleep(150_000)
        append("[2] later\n", to: log)
        #expect(waitUntil { recorder.has("[2] later") })
        #expect(recorder.lines.current == ["[0] booting", "[1] starting", Self.ready, "[2] later"])
    }

    /// An append seen in flight: a write sets the modification time before it moves the size, so
    /// for a moment the file is "modified, same size" like an identical rewrite. Made here with a
    /// same-size truncate (`IN_MODIFY`, size kept) and a new time; the append that completes
    /// within the grace is read as an append, and nothing already read is read again. (Found by
    /// the Fluent Bit rotation scenario under load: 2,580 lines read twice.)
    @Test func appendInFlightIsNotARewrite() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        overwrite(Self.ready + "\n", to: log)
        let recorder = try Recorder(path: log, rewriteGrace: .seconds(2))
        defer { recorder.stop() }
        let size = off_t(Self.ready.utf8.count + 1)
        recorder.whilePaused {
            #expect(truncate(log, size) == 0)
            var later = [timespec(tv_sec: 4_000_000_000, tv_nsec: 0), timespec(tv_sec: 4_000_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, log, &later, 0) == 0)
        }
        usleep(200_000)  // looked at: undecided, nothing replayed
        #expect(recorder.count(Self.ready) == 1)
        append("[12:00:01] after\n", to: log)  // the append completes within the grace
        #expect(waitUntil { recorder.has("[12:00:01] after") })
        usleep(2_200_000)  // past the grace: still nothing replayed
        #expect(recorder.lines.current == [Self.ready, "[12:00:01] after"])
        #expect(!recorder.saw(.truncated))
    }

    /// An append still in flight when the writer rotates: the old file is undecided ("modified,
    /// same size") at the look that finds the new file, and must be read to its end before it is
    /// dropped. (Found by the Fluent Bit rotation scenario under load: 5 lines of 40,000 lost.)
    @Test func theOldFileIsReadToItsEndBeforeItIsDropped() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        overwrite("[0] old run\n", to: log)
        let armed = Locked(false)
        let recorder = try Recorder(path: log, rewriteGrace: .seconds(5)) { point in
            guard point == .beforeLookingAtTheName, armed.take() else { return }
            append("[1] the old file's last line\n", to: log)  // the append completes
            rename(log, log + ".1")                            // the writer rotates
            append("[2] Server started\n", to: log)           // and writes the new file
        }
        defer { recorder.stop() }
        recorder.whilePaused {
            #expect(truncate(log, off_t("[0] old run\n".utf8.count)) == 0)  // IN_MODIFY, size kept
            var later = [timespec(tv_sec: 4_000_000_000, tv_nsec: 0), timespec(tv_sec: 4_000_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, log, &later, 0) == 0)                 // a new time: undecided
            armed.with { $0 = true }
        }
        #expect(waitUntil { recorder.has("[2] Server started") })
        #expect(recorder.lines.current == ["[0] old run", "[1] the old file's last line", "[2] Server started"])
    }

    // MARK: 2. Rename rotation races

    /// The new file gets its first lines between being opened and being watched: the look after
    /// the watch measures them.
    @Test func writeBetweenOpeningAndWatchingTheNewFileIsSeen() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[0] old run\n", to: log)
        let armed = Locked(false)
        let recorder = try Recorder(path: log) { point in
            guard point == .beforeWatchingNewFile, armed.take() else { return }
            append(Self.ready + "\n", to: log)  // the restarted server writes its new log
        }
        defer { recorder.stop() }
        armed.with { $0 = true }
        #expect(rename(log, log + ".1") == 0)  // the start script keeps the previous log
        append("", to: log)
        #expect(waitUntil { recorder.has(Self.ready) })
        #expect(recorder.saw(.replaced))
        #expect(recorder.follower.resourceCount.files == 1)
    }

    /// Two renames in a row while each new file is still empty: the newest file is the one
    /// watched, not the one the first rotation left behind.
    @Test func aNewerEmptyFileReplacesTheWaitingOne() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[0] old run\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(rename(log, log + ".1") == 0)
        append("", to: log)
        #expect(waitUntil { recorder.follower.resourceCount.files == 2 })
        #expect(rename(log, log + ".2") == 0)
        append("", to: log)
        usleep(100_000)
        append(Self.ready + "\n", to: log)
        #expect(waitUntil { recorder.has(Self.ready) })
        #expect(waitUntil { recorder.follower.resourceCount.files == 1 })
    }

    /// Rotated twice before the follower looks, each new file with lines: the middle file is read
    /// before the newest, so no start written there is skipped.
    @Test func aFileRotatedAwayWithLinesIsReadBeforeTheNewest() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[1] first\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(rename(log, log + ".1") == 0)
        append("", to: log)
        #expect(waitUntil { recorder.follower.resourceCount.files == 2 })
        recorder.whilePaused {
            append("[2] second\n", to: log)
            #expect(rename(log, log + ".2") == 0)
            append("[3] third\n", to: log)
        }
        #expect(waitUntil { recorder.has("[3] third") })
        #expect(recorder.lines.current == ["[1] first", "[2] second", "[3] third"])
        #expect(waitUntil { recorder.follower.resourceCount.files == 1 })
    }

    // MARK: 3. The log's directory removed and created again

    /// "in one look": removed and made again before the follower looks; on ext4 the new directory
    /// usually gets the old one's inode number, so only the dropped watch (`IN_IGNORED`) tells.
    @Test(arguments: ["rm -r", "mv", "rm -r in one look"])
    func directoryRecreatedIsFollowedAgain(how: String) throws {
        let directory = TemporaryDirectory()
        let logs = directory.file("logs")
        let log = logs + "/server.log"
        mkdir(logs, 0o755)
        append("[0] first install\n", to: log)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        for round in 1...3 {
            switch how {
            case "mv":
                #expect(rename(logs, logs + ".old\(round)") == 0)
                #expect(waitUntil { recorder.saw(.removed) })
                #expect(mkdir(logs, 0o755) == 0)
            case "rm -r":
                // What rm -r does, with a look between its steps: the file goes first, and the
                // follower keeps it open, which holds its directory: rmdir then sends no
                // IN_DELETE_SELF, only the parent's IN_DELETE for "logs" tells.
                #expect(unlink(log) == 0)
                #expect(waitUntil { recorder.events.current.filter { $0 == .removed }.count == round })
                #expect(rmdir(logs) == 0)
                #expect(mkdir(logs, 0o755) == 0)
            default:
                recorder.whilePaused {
                    try? FileManager.default.removeItem(atPath: logs)
                    #expect(mkdir(logs, 0o755) == 0)
                }
                usleep(50_000)
            }
            append("[\(round)] Server started\n", to: log)
            #expect(waitUntil { recorder.has("[\(round)] Server started") }, "\(how) round \(round)")
        }
        // No watch left behind: one per directory on the way (logs up to /) and one on the file.
        #expect(recorder.follower.resourceCount.watches == log.split(separator: "/").count + 1)
    }

    // MARK: 4. The log's directory missing at start

    @Test func waitsForAMissingDirectory() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("altv-server/logs/server.log")
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(recorder.events.current == [.waitingForDirectory(directory.file("altv-server/logs/")), .caughtUp])
        #expect(mkdir(directory.file("altv-server"), 0o755) == 0)
        usleep(50_000)
        #expect(mkdir(directory.file("altv-server/logs"), 0o755) == 0)
        usleep(50_000)
        #expect(recorder.events.current.last == .waitingForFile)
        append(Self.ready + "\n", to: log)
        #expect(waitUntil { recorder.has(Self.ready) })
        // Said once each, not once per event.
        #expect(recorder.events.current.filter { if case .waitingForDirectory = $0 { true } else { false } }.count == 1)
    }

    /// Created in one go (`mkdir -p` and the file at once, seen in one look).
    @Test func missingDirectoryCreatedWithItsFileInOneLook() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("a/b/server.log")
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        recorder.whilePaused {
            try? FileManager.default.createDirectory(atPath: directory.file("a/b"), withIntermediateDirectories: true)
            append(Self.ready + "\n", to: log)
        }
        #expect(waitUntil { recorder.has(Self.ready) })
    }

    // MARK: 5. A path that is a directory

    @Test func aDirectoryAtThePathIsSaidAndThenAFileIsFollowed() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        mkdir(log, 0o755)
        let recorder = try Recorder(path: log)
        defer { recorder.stop() }
        #expect(recorder.events.current == [.unusable(.isDirectory), .caughtUp])
        #expect(rmdir(log) == 0)
        append(Self.ready + "\n", to: log)
        #expect(waitUntil { recorder.has(Self.ready) })
        #expect(recorder.saw(.opened))
    }
}
