import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What the server did, per start, told by the daemon: resource errors with the readiness, a
/// crash (line, or an exit without a shutdown line) that drops a pending reconnect, a clean
/// shutdown, a start that never gets ready. Lines as alt:V prints them (quoted from public
/// issue reports: Stuyk/altv-athena#41, altmp/altv-issues#1872). The daemon follows a real
/// server folder (`--server-dir`: its server.log, overwritten per start, and a server.toml as
/// alt:V ships it).
@Suite struct ServerReportTests {
    /// The rig's directory as the server's folder: its server.log is the rig's log.
    static func serverFolder(_ rig: DaemonRig) -> [String] {
        overwrite(altvServerToml(password: nil, debug: true), to: rig.directory.file("server.toml"))
        return ["--server-dir", rig.directory.path]
    }

    static let startWithFailures = """
        [12:42:21] alt:V Server 2.23 (release)
        [12:42:21] Loading resource core
        [12:42:21][Error] Could not open resource.cfg
        [12:42:21][\u{1B}[31mError\u{1B}[0m] Failed to load resource core
        [12:42:21][Error] Failed to start resource chat unknown type js
        [12:42:21] Server started

        """

    @Test func failedResourcesAreNamedWithTheReadiness() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"], source: Self.serverFolder(rig))
        overwrite(Self.startWithFailures, to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #1; 2 resources failed: core, chat)"), "\(rig.notify.statuses)")
        #expect(rig.waitForStatus("Client IN_GAME"))
        // The next start (the log overwritten) has one failure, and only its own.
        overwrite("[13:00:00][Error] Failed to start resource chat unknown type js\n[13:00:01] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #2; resource chat failed to start)"), "\(rig.notify.statuses)")
        #expect(rig.waitForStatus("Client IN_GAME", count: 2))
        // A third start without failures says nothing of them.
        overwrite("[14:00:01] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #3), contacting client") || rig.waitForStatus("Server ready (start #3), client"))
        rig.stop(daemon)
        #expect(daemon.stderr.contains("Server ready (start #1) with 2 resource errors: Failed to load resource core; Failed to start resource chat unknown type js"), "\(daemon.stderr)")
        #expect(rig.simulator.reconnects.count == 3, "resource errors never stop the reconnect")
    }

    @Test func aCrashLineDropsThePendingReconnect() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "1s"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"], source: Self.serverFolder(rig))
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #1), client LOADING"))
        append("[2] \u{1B}[31mMiniDump created.\u{1B}[0m\n", to: rig.log)
        #expect(rig.waitForStatus("Server crashed (start #1); waiting for the next start"), "\(rig.notify.statuses)")
        #expect(waitUntil { daemon.stderr.contains("Server crashed (start #1): [2] MiniDump created.; waiting for the next start") }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("Server stopped before the reconnect finished (start #1)"))
        usleep(1_500_000)  // the client reaches MAIN_MENU meanwhile: a live loop would post
        #expect(rig.simulator.reconnects.isEmpty)
        // The next start reconnects as usual.
        overwrite("[3] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        rig.stop(daemon)
    }

    @Test func aShutdownLineMarksTheServerStopped() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"], source: Self.serverFolder(rig))
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        append("[9] Server shutdown\n", to: rig.log)
        #expect(rig.waitForStatus("Server stopped (start #1); waiting for the next start"), "\(rig.notify.statuses)")
        rig.stop(daemon)
        #expect(daemon.stderr.contains("Server shut down (start #1)"))
    }

    /// A start that writes lines but never its ready line: warned once, with its last line.
    @Test func aStalledStartIsWarned() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0"])
        let daemon = try rig.startDaemon(["--start-timeout", "1s"], source: Self.serverFolder(rig))
        overwrite("[1] Starting\n[2] Loading resource huge\n", to: rig.log)
        #expect(rig.waitForStatus("Server start stalled: no ready line after 1"), "\(rig.notify.statuses)")
        #expect(daemon.stderr.contains("its last line: '[2] Loading resource huge'"), "\(daemon.stderr)")
        usleep(1_500_000)
        #expect(daemon.stderr.components(separatedBy: "Server start stalled").count <= 1 && daemon.stderr.components(separatedBy: "has written no ready line").count == 2, "once")
        rig.stop(daemon)
    }

    /// With a PID file beside the log: the process exiting without a shutdown line is a crash;
    /// with one (written just before the exit), a clean stop.
    @Test func anExitWithoutAShutdownLineIsACrash() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"])
        let pidFile = rig.directory.file("server.pid")
        let daemon = try rig.startDaemon(["--pid-file", pidFile, "--poll-interval", "50ms"], source: Self.serverFolder(rig))
        let server = try FakeServer()
        writePidFile(pidFile, "\(server.pid)\n", atomically: true)
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        server.kill()
        #expect(rig.waitForStatus("Server crashed (start #1)"), "\(rig.notify.statuses)")
        #expect(daemon.stderr.contains("Server crashed (start #1): its process exited without a shutdown line"))

        let second = try FakeServer()
        writePidFile(pidFile, "\(second.pid)\n", atomically: true)
        overwrite("[2] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME", count: 2))
        append("[3] Server shutdown\n", to: rig.log)
        second.kill()
        #expect(rig.waitForStatus("Server stopped (start #2)"), "\(rig.notify.statuses)")
        usleep(800_000)  // past the grace
        #expect(!daemon.stderr.contains("Server crashed (start #2)"), "\(daemon.stderr)")
        rig.stop(daemon)
    }
}
