import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP (`systemctl reload`): the configuration file and the password are read again, the
/// current start carries on, and a broken file leaves the running configuration in place.
@Suite struct ReloadTests {
    @Test func reloadAppliesTheNewFileAndPasswordWithoutDroppingTheStart() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms", "--password", "new-secret"])
        let passwordFile = rig.file("password", "old-secret\n")
        let config = rig.file("config.toml", "password-file = \"\(passwordFile)\"\npoll-interval = \"50ms\"\n")
        try rig.simulator.force("LOADING")
        let daemon = try rig.startDaemon(["--config", config])

        append("[10:00:00] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #1), client LOADING"))

        // New password, new pattern, new polling; then SIGHUP while start #1 waits for the client.
        try "new-secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try "password-file = \"\(passwordFile)\"\npoll-interval = \"20ms\"\nready-pattern = \"Server is up\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(waitUntil { rig.notify.assignments.filter { $0 == "READY=1" }.count >= 2 })
        let reloading = rig.notify.datagrams.current.first { $0.contains("RELOADING=1") }
        #expect(reloading?.contains("MONOTONIC_USEC=") == true, "\(rig.notify.datagrams.current)")
        let order = rig.notify.datagrams.current.map { $0.contains("RELOADING=1") ? "R" : $0.contains("READY=1") ? "Y" : "" }.joined()
        #expect(order == "YRY", "READY, then RELOADING, then READY again: \(order)")
        #expect(daemon.stderr.contains("Reloaded: ready-pattern, poll-interval changed; password re-read (from file \(passwordFile))"), "\(daemon.stderr)")

        // Start #1 carries on and reconnects with the new password.
        try rig.simulator.force("MAIN_MENU")
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.notify.statuses.last?.hasSuffix("(start #1)") == true, "\(rig.notify.statuses)")
        #expect(rig.simulator.reconnects.map { $0["result"] as? String } == ["accepted"])

        // The old pattern no longer counts; the new one does.
        usleep(2_200_000)  // past the reaction grace of the first reconnect
        append("[10:01:00] Server started\n", to: rig.log)
        usleep(300_000)
        #expect(!rig.notify.statuses.contains { $0.hasPrefix("Server ready (start #2)") })
        append("[10:02:00] Server is up\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #2)"))
        #expect(waitUntil { rig.simulator.reconnects.count == 2 })
        rig.stop(daemon)
        #expect(!daemon.stderr.contains("secret") && !rig.notify.datagrams.current.joined().contains("secret"))
    }

    @Test func aBrokenFileOnReloadKeepsTheRunningConfiguration() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "50ms"])
        let config = rig.file("config.toml", "poll-interval = \"50ms\"\n")
        let daemon = try rig.startDaemon(["--config", config])

        try "poll-interval = \"50ms\"\npoll_intervall = 3\n".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(rig.waitForStatus("Reload failed"))
        let status = rig.notify.statuses.last ?? ""
        #expect(status.contains("\(config) line 2: unknown key 'poll_intervall'") && status.hasSuffix("running with the previous configuration"), "\(status)")
        #expect(rig.notify.assignments.filter { $0 == "READY=1" }.count == 2, "READY=1 follows RELOADING=1 even when the reload fails")
        #expect(daemon.stderr.contains("Reload failed, keeping the previous configuration"))

        // Still running, still reconnecting.
        append("[10:00:00] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Client IN_GAME"))
        rig.stop(daemon)
    }
}
