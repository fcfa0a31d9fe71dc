import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every way a server restart shows up in its log — appends, truncation, real logrotate in both
/// modes, delete and recreate — against the built daemon and simulator: one reconnect per start,
/// never zero, never two, and no descriptor or memory growth.
@Suite(.serialized) struct RestartSoakTests {
    static let logrotate = ["/usr/sbin/logrotate", "/sbin/logrotate", "/usr/bin/logrotate"].first { FileManager.default.isExecutableFile(atPath: $0) }

    enum Restart: CaseIterable {
        case append, truncateInPlace, rotateCopyTruncate, rotateCreate, deleteAndRecreate
        /// A start script that keeps the previous log: `mv server.log server.log.1`, then the server
        /// writes a new one (the race of issue 8: the new file's lines before its watch).
        case renameAndRecreate
    }

    /// Writes a server start into `log` the way `kind` says; `n` makes each start's lines unique.
    static func restart(_ kind: Restart, log: String, n: Int, directory: TemporaryDirectory) throws {
        let lines = "[\(n)] alt:V Server starting\n[\(n)] Loading resources\n[\(n)][Warning] ~g~Server started in debug mode\n"
        switch kind {
        case .append:
            append(lines, to: log)
        case .truncateInPlace:
            overwrite(lines, to: log)
        case .rotateCopyTruncate, .rotateCreate:
            let mode = kind == .rotateCopyTruncate ? "copytruncate" : "create"
            let config = directory.file("logrotate-\(mode).conf")
            if !FileManager.default.fileExists(atPath: config) {
                append("\(log) {\n    rotate 2\n    \(mode)\n    missingok\n    nocompress\n}\n", to: config)
            }
            let rotate = Process()
            rotate.executableURL = URL(fileURLWithPath: logrotate!)
            rotate.arguments = ["-f", "-s", directory.file("logrotate.state"), config]
            try rotate.run()
            rotate.waitUntilExit()
            guard rotate.terminationStatus == 0 else { throw TestFailure("logrotate failed (\(mode))") }
            append(lines, to: log)  // the restarted server writes its new log
        case .deleteAndRecreate:
            unlink(log)
            append(lines, to: log)
        case .renameAndRecreate:
            rename(log, log + ".1")
            append(lines, to: log)
        }
    }

    /// The daemon's open descriptors once settled: the fewest of ten looks 20 ms apart. One look
    /// can catch a status request's socket, or the old and the new log both open for a moment,
    /// which is not a leak (seen once in 3 loaded release runs: 14 after 10 restarts, 13 at the end).
    static func descriptorCount(_ pid: Int32) -> Int {
        (0..<10).map { _ in
            usleep(20_000)
            return (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }.min() ?? -1
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = readText("/proc/\(pid)/status")
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// One restart of each kind, with real logrotate.
    @Test(.enabled(if: logrotate != nil, "logrotate is not installed (apt-get install logrotate)"))
    func everyKindOfRestartGivesOneReconnect() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: "[0] booting\n")
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        for (n, kind) in Restart.allCases.enumerated() {
            try rig.simulator.force("MAIN_MENU")  // a restarted server drops the client to the menu
            try Self.restart(kind, log: rig.log, n: n + 1, directory: rig.directory)
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == n + 1 }, "\(kind): \(daemon.stderr)")
        }
        usleep(200_000)
        #expect(rig.simulator.reconnects.count == Restart.allCases.count)
        rig.stop(daemon)
    }

    /// 1,000 consecutive restarts mixing rotation, truncation and recreate give exactly
    /// 1,000 reconnects, and the daemon holds as many descriptors and as much memory at the end
    /// as after the first 10.
    @Test(.enabled(if: logrotate != nil, "logrotate is not installed (apt-get install logrotate)"))
    func thousandRestarts() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: "[0] booting\n")
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        var descriptorsAfter10 = 0
        var residentAfter10 = 0
        let total = 1000
        for n in 1...total {
            let kind = Restart.allCases[n % Restart.allCases.count]
            try rig.simulator.force("MAIN_MENU")
            try Self.restart(kind, log: rig.log, n: n, directory: rig.directory)
            guard waitUntil(timeout: 20, { rig.notify.count("Client IN_GAME") == n }) else {
                Issue.record("restart \(n) (\(kind)) was not reconnected: \(rig.notify.count("Client IN_GAME")) in game")
                break
            }
            if n == 10 {
                descriptorsAfter10 = Self.descriptorCount(daemon.pid)
                residentAfter10 = Self.residentKilobytes(daemon.pid)
            }
        }
        usleep(300_000)
        let reconnects = rig.simulator.reconnects
        #expect(reconnects.count == total)
        #expect(reconnects.allSatisfy { $0["state"] as? String == "MAIN_MENU" && $0["result"] as? String == "accepted" })
        // Every start was numbered once: the last is #1000, and there is no #1001.
        let statuses = rig.notify.statuses
        #expect(statuses.contains("Server ready (start #\(total)), contacting client"))
        #expect(!statuses.contains { $0.hasPrefix("Server ready (start #\(total + 1))") })
        let descriptors = Self.descriptorCount(daemon.pid)
        let resident = Self.residentKilobytes(daemon.pid)
        print("soak: \(total) restarts, \(reconnects.count) reconnects; fds \(descriptorsAfter10) -> \(descriptors); RSS \(residentAfter10) kB -> \(resident) kB")
        #expect(descriptors == descriptorsAfter10)
        #expect(resident - residentAfter10 < 1024, "RSS grew from \(residentAfter10) kB to \(resident) kB")
        rig.stop(daemon)
    }

    @Test func tenMegabyteLineIsCutNotBuffered() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"])
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        let before = Self.residentKilobytes(daemon.pid)
        // Written in pieces, so the line straddles many reads.
        let piece = String(repeating: "x", count: 1024 * 1024)
        for _ in 0..<10 { append(piece, to: rig.log) }
        append("\n[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        let after = Self.residentKilobytes(daemon.pid)
        #expect(after - before < 4 * 1024, "RSS grew from \(before) kB to \(after) kB for a 10 MB line")
        #expect(daemon.stderr.contains("longer than 64 KiB"))
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
    }

    @Test func burstOf200MegabytesEndingInTheReadyLine() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"])
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        var block = ""
        for n in 0..<20_000 { block += "[12:00:\(n % 60)] ~y~resource~w~ loaded \u{1B}[32mchunk \(n)\u{1B}[0m player sync entity stream\n" }
        let blockBytes = Array(block.utf8)
        let fd = open(rig.log, O_WRONLY | O_APPEND)
        var written = 0
        while written < 200 * 1024 * 1024 {
            written += blockBytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        var last = Array("[12:59:59] Server started\n".utf8)
        _ = last.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(waitUntil(timeout: 60) { rig.notify.count("Client IN_GAME") == 1 })
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
        unlink(rig.log)
    }
}
