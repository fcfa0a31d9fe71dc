import Dispatch
import Foundation
import ReconnectKit
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The file-system sequences that other followers are tested with, replayed in our own code.
///
/// - GNU coreutils `tests/tail/*.sh` (the `tail -F` tests): each sequence runs against the built
///   daemon and simulator, and each line that `tail` would be expected to show becomes a ready
///   line: exactly one reconnect per ready line written after the operation, none for old content.
/// - Fluent Bit `tests/runtime_shell/in_tail/run_tests.sh` (rotation, truncation, symlinks): these
///   count lines, so they run on the follower itself: every line written is read once.
///
/// Where the daemon deliberately differs from `tail -F` it is said at the scenario: a renamed or
/// removed file is still read while the name has no new file (a server that has not reopened its
/// log writes on there).
@Suite struct TailScenarioTests {
    /// Drives one daemon through a scenario, counting reconnects.
    final class Scenario {
        let rig: DaemonRig
        let daemon: Child
        private(set) var expected = 0

        init(logContent: String? = nil, logName: String = "server.log", before: (DaemonRig) throws -> Void = { _ in }) throws {
            rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: logContent, logName: logName)
            try before(rig)
            daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        }

        func path(_ name: String) -> String { rig.directory.file(name) }

        /// `change` writes one new ready line: exactly one more reconnect.
        func start(_ what: String, _ change: () throws -> Void) throws {
            try rig.simulator.force("MAIN_MENU")
            try change()
            expected += 1
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == expected }, "\(what): \(daemon.stderr)")
        }

        /// `change` writes no new ready line (old content, or lines that are not ready lines): no reconnect.
        func quiet(_ what: String, _ change: () throws -> Void) throws {
            try rig.simulator.force("MAIN_MENU")
            try change()
            usleep(250_000)
            #expect(rig.simulator.reconnects.count == expected, "\(what): \(daemon.stderr)")
        }

        func finish() {
            usleep(200_000)
            #expect(rig.simulator.reconnects.count == expected)
            rig.stop(daemon)
        }
    }

    static func ready(_ n: Int) -> String { "[\(n)] Server started\n" }

    // MARK: GNU coreutils tests/tail

    /// retry.sh: `tail --follow=name --retry missing` waits for the file to appear.
    @Test func coreutilsRetryWaitsForTheFile() throws {
        let s = try Scenario(logName: "missing")
        try s.start("echo X > missing") { overwrite(Self.ready(1), to: s.rig.log) }
        s.finish()
    }

    /// retry.sh: `tail -F untailable` (a directory) retries; `rmdir untailable; echo foo > untailable`.
    @Test func coreutilsRetryUntailableBecomesAFile() throws {
        let s = try Scenario(logName: "untailable") { mkdir($0.log, 0o755) }
        try s.start("rmdir; echo > untailable") {
            rmdir(s.rig.log)
            overwrite(Self.ready(1), to: s.rig.log)
        }
        s.finish()
    }

    /// F-vs-missing.sh: `tail -F missing/file`, then `mkdir missing; echo x > missing/file`.
    @Test func coreutilsMissingDirectoryAppears() throws {
        let s = try Scenario(logName: "missing/file")
        try s.start("mkdir missing; echo x > missing/file") {
            mkdir(s.path("missing"), 0o755)
            overwrite(Self.ready(1), to: s.rig.log)
        }
        s.finish()
    }

    /// inotify-dir-recreate.sh: `rm -r dir`, then `mkdir dir && touch dir/file` (and a line).
    @Test func coreutilsDirectoryRecreated() throws {
        let s = try Scenario(logContent: "inotify\n", logName: "dir/file") { _ in }
        try s.quiet("rm -r dir") { try FileManager.default.removeItem(atPath: s.path("dir")) }
        try s.quiet("mkdir dir && touch dir/file") {
            mkdir(s.path("dir"), 0o755)
            append("", to: s.rig.log)
        }
        try s.start("echo >> dir/file") { append(Self.ready(1), to: s.rig.log) }
        s.finish()
    }

    /// symlink.sh, first part: a link to a target that does not exist yet; `echo X > target`.
    @Test func coreutilsSymlinkToAMissingTarget() throws {
        let s = try Scenario(logName: "symlink") { symlink("target", $0.log) }
        try s.start("echo X > target") { overwrite(Self.ready(1), to: s.path("target")) }
        s.finish()
    }

    /// symlink.sh, second part: `ln -nsf target2 symlink` (unlink and create, not rename) to a
    /// target that does not exist yet, then `echo X2 > target2`. The old target stays readable
    /// until target2 appears (deliberate difference: tail says "inaccessible" and stops reading it).
    @Test func coreutilsSymlinkRelinked() throws {
        let s = try Scenario(logName: "symlink") { rig in
            overwrite("X1\n", to: rig.directory.file("target1"))
            symlink("target1", rig.log)
        }
        try s.start("ln -nsf target2 symlink, then a line to the old target") {
            unlink(s.rig.log)
            symlink("target2", s.rig.log)
            usleep(50_000)
            append(Self.ready(1), to: s.path("target1"))
        }
        try s.start("echo X2 > target2") { overwrite(Self.ready(2), to: s.path("target2")) }
        try s.quiet("the old target after the switch") { append(Self.ready(3), to: s.path("target1")) }
        s.finish()
    }

    /// follow-symlink.sh: lines appended to a file followed through a link.
    @Test func coreutilsFollowThroughASymlink() throws {
        let s = try Scenario(logName: "link") { rig in
            append("", to: rig.directory.file("file"))
            symlink("file", rig.log)
        }
        for n in 1...3 { try s.start("echo \(n) >> file") { append(Self.ready(n), to: s.path("file")) } }
        s.finish()
    }

    /// inotify-rotate.sh, 50 times: `echo tailed > k`, `mv x k` (x empty), `echo ok >> k`.
    @Test func coreutilsRotateOverAnEmptyFile() throws {
        let s = try Scenario(logName: "k")
        for n in 1...50 {
            try s.start("round \(n): echo tailed > k") { overwrite(Self.ready(2 * n), to: s.rig.log) }
            try s.quiet("round \(n): mv x k (empty)") {
                append("", to: s.path("x"))
                rename(s.path("x"), s.rig.log)
            }
            try s.start("round \(n): echo ok >> k") { append(Self.ready(2 * n + 1), to: s.rig.log) }
        }
        s.finish()
    }

    /// F-vs-rename.sh (one name): `mv a b`, then lines to b, then `echo x2 > a`, then more to b.
    /// Deliberate difference: b is still read while `a` names no new file; once it does, b is dropped.
    @Test func coreutilsRenamedAway() throws {
        let s = try Scenario(logContent: "x\n", logName: "a")
        try s.quiet("mv a b") { rename(s.rig.log, s.path("b")) }
        try s.start("echo >> b while a is missing") { append(Self.ready(1), to: s.path("b")) }
        try s.start("echo x2 > a") { overwrite(Self.ready(2), to: s.rig.log) }
        try s.quiet("echo y >> b after a appeared") { append(Self.ready(3), to: s.path("b")) }
        try s.start("echo z >> a") { append(Self.ready(4), to: s.rig.log) }
        s.finish()
    }

    /// truncate.sh: `seq 10 > f`, then `seq 11 15 > f` (shorter, other content).
    @Test func coreutilsTruncatedAndRewritten() throws {
        let s = try Scenario(logContent: (1...10).map { "\($0)\n" }.joined(), logName: "f")
        try s.start("seq 11 15 > f") { overwrite((11...14).map { "\($0)\n" }.joined() + Self.ready(15), to: s.rig.log) }
        s.finish()
    }
}
