import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `--keep-connected` against the simulator: a client dropped to MAIN_MENU while the server
/// runs is reconnected once; not while the server is stopped; not without the option. A real
/// server folder, as in `ServerReportTests`.
@Suite struct KeepConnectedEndToEndTests {
    @Test func aDroppedClientIsReconnectedOnceAndNotWhileTheServerIsStopped() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms", "--keep-connected", "--keep-connected-interval", "1s"], source: ServerReportTests.serverFolder(rig))
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.count == 1)

        try rig.simulator.force("MAIN_MENU")  // the connection is lost
        #expect(rig.waitForStatus("Client dropped; reconnecting it (start #2)"), "\(rig.notify.statuses)")
        #expect(rig.waitForStatus("Client IN_GAME", count: 2))
        usleep(2_500_000)  // two more checks: the client is in game, nothing to do
        #expect(rig.simulator.reconnects.count == 2)

        append("[2] Server shutdown\n", to: rig.log)
        #expect(rig.waitForStatus("Server stopped (start #2)"))
        try rig.simulator.force("MAIN_MENU")
        usleep(2_500_000)  // two intervals: a running check would have reconnected it
        #expect(rig.simulator.reconnects.count == 2, "not while the server is stopped")
        rig.stop(daemon)
        #expect(daemon.stderr.contains("Client dropped to MAIN_MENU while the server runs; reconnecting it (start #2, keep-connected)"))
    }

    @Test func withoutTheOptionADropIsLeftAlone() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"])
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"])
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        try rig.simulator.force("MAIN_MENU")
        usleep(1_500_000)
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
    }
}
