import Dispatch
import Foundation
import ReconnectKit
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DaemonSourceTests {
    @Test func pidFileAloneWithReadyDelay() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"], logContent: nil)
        let pidFile = rig.directory.file("server.pid")
        let daemon = try Child("altv-reconnectd", ["--pid-file", pidFile, "--ready-delay", "300ms", "--client", rig.simulator.url, "--poll-interval", "20ms"],
                               environment: ["NOTIFY_SOCKET": rig.notify.path], stderrPath: rig.directory.file("daemon.stderr"))
        #expect(waitUntil { rig.notify.assignments.contains("READY=1") })
        for round in 1...2 {
            try rig.simulator.force("MAIN_MENU")
            let server = try FakeServer()
            writePidFile(pidFile, "\(server.pid)\n", atomically: round == 1)
            #expect(waitUntil { rig.notify.count("Client IN_GAME") == round }, "\(daemon.stderr)")
            server.kill()
            #expect(waitUntil { rig.notify.statuses.last?.hasPrefix("Server stopped (PID \(server.pid) exited)") == true })
        }
        // A server that dies during its ready delay: no start, no reconnect.
        let shortLived = try FakeServer()
        writePidFile(pidFile, "\(shortLived.pid)\n", atomically: true)
        #expect(waitUntil { daemon.stderr.contains("Server process \(shortLived.pid) started") })
        shortLived.kill()
        #expect(waitUntil { daemon.stderr.contains("Server process \(shortLived.pid) exited: server stopped before ready") }, "\(daemon.stderr)")
        usleep(400_000)
        #expect(rig.simulator.reconnects.count == 2)
        rig.stop(daemon)
    }

    @Test func serverStoppingBeforeReadyCancelsThePendingReconnect() throws {
        // The client is still loading when the server dies: nothing must be sent afterwards.
        let rig = try DaemonRig(simulator: ["--boot-delay", "60s"])
        let pidFile = rig.directory.file("server.pid")
        let server = try FakeServer()
        let daemon = try rig.startDaemon(["--pid-file", pidFile, "--poll-interval", "20ms"])
        writePidFile(pidFile, "\(server.pid)\n", atomically: true)
        #expect(waitUntil { rig.notify.statuses.contains { $0.hasPrefix("Server starting (PID \(server.pid))") } })
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready (start #1), client LOADING"))
        server.kill()
        #expect(waitUntil { daemon.stderr.contains("Server stopped before the reconnect finished (start #1)") })
        try rig.simulator.force("MAIN_MENU")
        usleep(400_000)  // many poll intervals: a live loop would have posted by now
        #expect(rig.simulator.reconnects.isEmpty)
        rig.stop(daemon)
    }

    @Test func readyPortHoldsTheReconnectUntilTheServerAccepts() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "0"])
        let port = closedPort()
        let daemon = try rig.startDaemon(["--ready-port", "\(port)", "--poll-interval", "20ms"])
        append("[1] Server started\n", to: rig.log)
        #expect(rig.waitForStatus("Server ready, waiting for port \(port)"))
        usleep(300_000)
        #expect(rig.simulator.reconnects.isEmpty)
        // The game port opens.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        listen(listener, 8)
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.count == 1)
        rig.stop(daemon)
    }
}
