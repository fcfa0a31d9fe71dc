import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The edges of "one reconnect per server start" where users first lost a restart (issue 8),
/// through the built daemon and simulator: what a user does by hand, and what a second daemon,
/// a reinstalled server folder or the kernel's inotify limits do.
@Suite struct RestartEdgeTests {
    static let ready = "[12:00:00] Server started"

    /// `echo '[12:00:00] Server started' > server.log` ten times, a developer's first hand test:
    /// the same bytes each time, ten reconnects.
    @Test func identicalRewritesGiveOneReconnectEach() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil)
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        for n in 1...10 {
            try rig.simulator.force("MAIN_MENU")
            overwrite(Self.ready + "\n", to: rig.log)
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == n }, "rewrite \(n): \(daemon.stderr)")
        }
        usleep(200_000)
        #expect(rig.simulator.reconnects.count == 10)
        rig.stop(daemon)
    }

    /// The server folder reinstalled: `rm -r logs; mkdir logs`, then the server writes its log.
    @Test func logDirectoryRemovedAndCreatedAgain() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil, logName: "logs/server.log")
        mkdir(rig.directory.file("logs"), 0o755)
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        for n in 1...3 {
            try FileManager.default.removeItem(atPath: rig.directory.file("logs"))
            usleep(20_000)
            #expect(mkdir(rig.directory.file("logs"), 0o755) == 0)
            try rig.simulator.force("MAIN_MENU")
            append(Self.ready + "\n", to: rig.log)
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == n }, "round \(n): \(daemon.stderr)")
        }
        #expect(rig.simulator.reconnects.count == 3)
        rig.stop(daemon)
    }

    /// A service enabled before the server is installed: it waits for the folder (never exit 78,
    /// which systemd would not restart), says so once, and follows the log when it appears.
    @Test func missingLogDirectoryIsWaitedFor() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil, logName: "altv-server/server.log")
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        let waiting = "Waiting for \(rig.directory.file("altv-server"))/ to exist"
        #expect(rig.notify.statuses.first == waiting)
        #expect(daemon.stderr.contains(waiting))
        #expect(mkdir(rig.directory.file("altv-server"), 0o755) == 0)
        #expect(rig.waitForStatus("Waiting for server log \(rig.log)"))
        append(Self.ready + "\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"), "\(daemon.stderr)")
        #expect(daemon.stderr.components(separatedBy: waiting).count == 2, "said once: \(daemon.stderr)")
        rig.stop(daemon)
    }

    /// A directory where the log should be: said in the log and STATUS=, then followed once fixed.
    @Test func aDirectoryAtTheLogPathIsSaid() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil)
        mkdir(rig.log, 0o755)
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"])
        #expect(rig.notify.statuses.first == "Server log \(rig.log) is a directory, not a log file; fix --log-file")
        #expect(daemon.stderr.contains("is a directory"))
        rmdir(rig.log)
        append(Self.ready + "\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"), "\(daemon.stderr)")
        rig.stop(daemon)
    }

    /// A log the daemon may not read (the server runs as another user): said, then followed
    /// once readable. Root reads anything, so as root the daemon runs as `nobody`.
    @Test(.enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "as root, needs setpriv (util-linux) to run the daemon as nobody"))
    func anUnreadableLogIsSaidThenFollowed() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: "[0] old\n" + Self.ready + "\n")
        chmod(rig.directory.path, 0o755)
        chmod(rig.notify.path, 0o777)
        chmod(rig.log, 0o600)
        var wrapper: [String] = []
        var executable = productsDirectory + "/altv-reconnectd"
        if getuid() == 0 {
            chown(rig.log, 0, 0)
            wrapper = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
            // A copy nobody may run, wherever the checkout is (root's home is not open to nobody).
            executable = rig.directory.file("altv-reconnectd")
            try FileManager.default.copyItem(atPath: productsDirectory + "/altv-reconnectd", toPath: executable)
            chmod(executable, 0o755)
        } else {
            chmod(rig.log, 0)
        }
        let daemon = try rig.startDaemon(["--poll-interval", "10ms"], wrapper: wrapper, executable: executable)
        let said = "Server log \(rig.log) permission denied: run as the server's user or add yourself to its group"
        #expect(rig.notify.statuses.first == said, "\(rig.notify.statuses) \(daemon.stderr)")
        #expect(rig.simulator.reconnects.isEmpty)
        try rig.simulator.force("MAIN_MENU")
        chmod(rig.log, 0o644)  // fixed: the log is read, its ready line is a start
        #expect(rig.waitForStatus("Client IN_GAME"), "\(daemon.stderr)")
        rig.stop(daemon)
    }

    // MARK: 6. One daemon per client

    /// A second daemon for the same client stands by (READY=1, saying who drives the client),
    /// never POSTs while the first runs, and takes over when it stops. A one-shot `reconnect`
    /// refuses with exit 75 while a daemon drives the client.
    @Test func aSecondDaemonStandsByAndTakesOver() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "200ms"], logContent: "[0] booting\n")
        let first = try rig.startDaemon(["--poll-interval", "10ms"])
        let secondDirectory = TemporaryDirectory()
        let secondNotify = try NotifySocket(directory: secondDirectory)
        let second = try rig.startDaemon(["--poll-interval", "10ms"], notify: secondNotify)
        let standby = "Standby: another altv-reconnectd (PID \(first.pid)) already reconnects \(rig.simulator.url)"
        #expect(secondNotify.statuses.first == standby, "\(secondNotify.statuses)")
        #expect(second.stderr.contains("another altv-reconnectd (PID \(first.pid)) already reconnects \(rig.simulator.url)"))

        // Also spelled differently: localhost is the same client.
        let (status, _, stderr) = try runProduct("altv-reconnectd", ["reconnect", "--client", "http://localhost:\(rig.simulator.port)", "--give-up-after", "0"])
        #expect(status == 75)
        #expect(stderr.contains("another altv-reconnectd (PID \(first.pid)) already reconnects"), "\(stderr)")

        try rig.simulator.force("MAIN_MENU")
        append(Self.ready + "\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        usleep(300_000)
        #expect(rig.simulator.reconnects.count == 1)
        #expect(secondNotify.count("Reconnect sent") == 0)

        rig.stop(first)
        #expect(waitUntil { second.stderr.contains("taking over") }, "\(second.stderr)")
        // Started late with the client in game already: nothing to do until the next start.
        // Said once it has asked the client; forced to MAIN_MENU before that, the client would
        // rightly be reconnected for the start already running (seen under load).
        #expect(waitUntil { second.stderr.contains("Client already IN_GAME (start #1); not reconnecting it") }, "\(second.stderr)")
        try rig.simulator.force("MAIN_MENU")
        append("[1] Server started\n", to: rig.log)
        #expect(waitUntil { secondNotify.count("Client IN_GAME") == 1 }, "\(second.stderr)")
        usleep(300_000)
        #expect(rig.simulator.reconnects.count == 2)
        rig.stop(second)
    }

    // MARK: 8. inotify limits

    static let canLimitInotify: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-U", "-r", "sh", "-c", "echo 1 > /proc/sys/user/max_inotify_instances"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// The limits are lowered for the daemon alone, in a user namespace of its own (whose
    /// `/proc/sys/user/max_inotify_*` bound only it): a clear line, exit 78, no hang.
    @Test(.enabled(if: canLimitInotify, "needs unshare -U (user namespaces) to lower the inotify limits for one process"),
          arguments: [("max_inotify_instances", "fs.inotify.max_user_instances"), ("max_inotify_watches", "fs.inotify.max_user_watches")])
    func inotifyLimitsExit78SayingTheRemedy(limit: String, sysctl: String) throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        let daemon = "\(productsDirectory)/altv-reconnectd"
        let (status, _, stderr) = try runProduct("/usr/bin/unshare", ["-U", "-r", "sh", "-c", "echo 0 > /proc/sys/user/\(limit) && exec \"$0\" \"$@\"",
                                                                        daemon, "--log-file", log, "--client", "http://127.0.0.1:1"])
        #expect(status == 78, "\(stderr)")
        let lines = stderr.split(separator: "\n")
        #expect(lines.last?.contains("sysctl \(sysctl)=") == true, "\(stderr)")
        #expect(lines.last?.contains(log) == true)
    }
}
