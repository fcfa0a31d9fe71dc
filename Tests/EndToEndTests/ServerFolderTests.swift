import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `--server-dir`: a real server folder, with a `server.toml` laid out as alt:V ships it (tables,
/// arrays) and a `server.log` overwritten on each start, as the server does without `--logfile`.
@Suite struct ServerFolderTests {
    /// The folder in the rig's directory, with this server.toml and a log from a start in progress.
    static func makeFolder(_ rig: DaemonRig, toml: String) throws -> String {
        let folder = rig.directory.file("altv-server")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        overwrite(toml, to: folder + "/server.toml")
        overwrite("[10:00:00] Starting server...\n", to: folder + "/server.log")
        return folder
    }

    /// A new start: the server overwrites its log.
    static func serverStarts(in folder: String, at time: String = "10:00:01") {
        overwrite("[\(time)] Starting server...\n[\(time)] [Warning] Server started in debug mode\n", to: folder + "/server.log")
    }

    /// How an editor saves: a new file renamed over the old one.
    static func save(_ text: String, to path: String) {
        overwrite(text, to: path + ".swp")
        rename(path + ".swp", path)
    }

    @Test func thePasswordComesFromServerTomlAndIsNeverShown() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "hunter2"])
        let folder = try Self.makeFolder(rig, toml: altvServerToml(password: "hunter2", debug: true, port: 7790))
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"], source: ["--server-dir", folder])
        Self.serverStarts(in: folder)
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.map { $0["result"] as? String } == ["accepted"])
        rig.stop(daemon)
        let stderr = daemon.stderr
        #expect(stderr.contains("password from \(folder)/server.toml"), "\(stderr)")
        #expect(stderr.contains("\(folder)/server.toml: port 7790, debug = true, its password is used"), "\(stderr)")
        #expect(stderr.contains("Following \(folder)/server.log"))
        for secret in ["hunter2", "voice-secret"] {
            #expect(!stderr.contains(secret))
            #expect(!rig.notify.datagrams.current.joined().contains(secret))
        }
    }

    /// debug = false: said at start (the STATUS= sent with READY=1) and in every failure; an edit
    /// of server.toml (saved by rename, then written in place) applies without a restart.
    @Test func debugOffIsWarnedAndAnEditAppliesWithoutARestart() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "hunter2"])
        let folder = try Self.makeFolder(rig, toml: altvServerToml(password: "old-password", debug: false))
        let toml = folder + "/server.toml"
        let daemon = try rig.startDaemon(["--poll-interval", "50ms", "--verify-timeout", "2s"], source: ["--server-dir", folder])
        #expect(rig.notify.statuses.first == "server.toml has no debug = true: the client will not accept the reconnect", "\(rig.notify.statuses)")

        // A start with the wrong password fails, and the failure names the cause it can see.
        Self.serverStarts(in: folder)
        #expect(rig.waitForStatus("Reconnect failed (start #1)"))
        let failure = rig.notify.statuses.first { $0.hasPrefix("Reconnect failed") } ?? ""
        #expect(failure.hasSuffix("server.toml has no debug = true: the client will not accept the reconnect"), "\(failure)")

        // The developer fixes server.toml; the daemon picks it up and the next start works.
        Self.save(altvServerToml(password: "hunter2", debug: true), to: toml)
        #expect(rig.waitForStatus("server.toml has debug = true now"))
        Self.serverStarts(in: folder, at: "10:01:00")
        #expect(rig.waitForStatus("Client IN_GAME"))
        #expect(rig.simulator.reconnects.map { $0["result"] as? String } == ["wrong_password", "accepted"])

        // Written in place (no rename) back to debug = false: warned again.
        overwrite(altvServerToml(password: "hunter2", debug: false), to: toml)
        #expect(rig.waitForStatus("server.toml has no debug = true", count: 2))

        // A broken edit is a warning naming the line; what it said before stays in use.
        let broken = altvServerToml(password: "hunter2", debug: true) + "resources = [\"chat\", }\n"
        let line = broken.components(separatedBy: "\n").count - 1
        overwrite(broken, to: toml)
        #expect(waitUntil { daemon.stderr.contains("server.toml line \(line): '}' inside an array") }, "\(daemon.stderr)")
        rig.stop(daemon)
        #expect(!daemon.stderr.contains("hunter2") && !daemon.stderr.contains("old-password"))
    }

    /// The folder does not exist when the daemon starts (the service was enabled before the
    /// server was installed): it waits, then follows the log and reads server.toml once they appear.
    @Test func aFolderInstalledLaterIsPickedUp() throws {
        let rig = try DaemonRig(simulator: ["--boot-delay", "0", "--connect-delay", "100ms", "--password", "hunter2"])
        let folder = rig.directory.file("altv-server")
        let daemon = try rig.startDaemon(["--poll-interval", "50ms"], source: ["--server-dir", folder])
        #expect(rig.waitForStatus("Waiting for \(folder)/ to exist"))
        #expect(daemon.stderr.contains("No server.toml in \(folder)"))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        overwrite(altvServerToml(password: "hunter2", debug: true), to: folder + "/server.toml")
        #expect(waitUntil { daemon.stderr.contains("\(folder)/server.toml changed: port 7788, debug = true, its password is used") }, "\(daemon.stderr)")
        Self.serverStarts(in: folder)
        #expect(rig.waitForStatus("Client IN_GAME"))
        rig.stop(daemon)
    }
}
