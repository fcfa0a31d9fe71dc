import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The configuration file and `install`/`uninstall` through the built binary.
@Suite struct ConfigAndInstallTests {
    @Test func aBadFileExits78WithOneLineNamingKeyAndLine() throws {
        let directory = TemporaryDirectory()
        let config = directory.file("config.toml")
        append("log-file = \"\(directory.file("x.log"))\"\n\nverify-timeout = true\n", to: config)
        let (status, stdout, stderr) = try runProduct("altv-reconnectd", ["--config", config])
        #expect(status == 78)
        #expect(stdout.isEmpty)
        #expect(stderr == "altv-reconnectd: \(config) line 3: verify-timeout must be a duration such as \"250ms\", \"2.5s\", \"1m\" or a number of seconds, not a boolean\n")
        let (missing, _, missingError) = try runProduct("altv-reconnectd", ["--config", directory.file("absent.toml")])
        #expect(missing == 78)
        #expect(missingError.contains("cannot read configuration file \(directory.file("absent.toml")): No such file or directory"))
    }

    @Test func theDefaultFileIsReadAndTheCommandLineWins() throws {
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        let xdg = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: xdg.file("altv-reconnectd"), withIntermediateDirectories: true)
        append("client = \"\(simulator.url)\"\n", to: xdg.file("altv-reconnectd/config.toml"))
        // `status` takes the client from $XDG_CONFIG_HOME/altv-reconnectd/config.toml ...
        var (status, stdout, _) = try runProduct("altv-reconnectd", ["status"], environment: ["XDG_CONFIG_HOME": xdg.path])
        #expect(status == 0)
        #expect(stdout == "MAIN_MENU")
        // ... and --client overrides it.
        (status, _, _) = try runProduct("altv-reconnectd", ["status", "--client", "http://127.0.0.1:\(closedPort())"], environment: ["XDG_CONFIG_HOME": xdg.path])
        #expect(status == 69)
    }

    @Test func installAndUninstallAreIdempotent() throws {
        let home = TemporaryDirectory()
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": home.file(".config"), "XDG_RUNTIME_DIR": "/nonexistent", "DBUS_SESSION_BUS_ADDRESS": ""]
        var (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user", "--log-file", "/srv/altv/server.log"], environment: environment)
        #expect(status == 0)
        #expect(stdout.contains("wrote    program \(home.file(".local/bin/altv-reconnectd"))"))
        #expect(stdout.contains("wrote    user unit \(home.file(".config/systemd/user/altv-reconnectd.service"))"))
        #expect(stdout.contains("systemctl --user enable --now altv-reconnectd"))
        let config = readText(home.file(".config/altv-reconnectd/config.toml"))
        #expect(config.contains("log-file = '/srv/altv/server.log'"))
        #expect(FileManager.default.isExecutableFile(atPath: home.file(".local/bin/altv-reconnectd")))

        // The starter configuration is valid: the installed program accepts it, and waits for
        // /srv/altv, which does not exist here, saying so.
        let notify = try NotifySocket(directory: home)
        let installed = try Child(home.file(".local/bin/altv-reconnectd"), [], environment: environment.merging(["NOTIFY_SOCKET": notify.path]) { $1 },
                                  stderrPath: home.file("run.stderr"))
        #expect(waitUntil { notify.assignments.contains("READY=1") }, "\(installed.stderr)")
        #expect(notify.statuses.contains("Waiting for /srv/altv/ to exist") || notify.statuses.contains { $0.hasPrefix("Standby") }, "\(notify.statuses)")
        installed.signal(SIGTERM)
        #expect(installed.waitForExit() == 0)

        (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user"], environment: environment)
        #expect(status == 0)
        #expect(!stdout.contains("wrote") && !stdout.contains("updated"), "\(stdout)")
        #expect(stdout.contains("kept     configuration"))

        (status, stdout, _) = try runProduct("altv-reconnectd", ["uninstall", "--user"], environment: environment)
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: home.file(".config/systemd/user/altv-reconnectd.service")))
        #expect(FileManager.default.fileExists(atPath: home.file(".config/altv-reconnectd/config.toml")))
        (status, stdout, _) = try runProduct("altv-reconnectd", ["uninstall", "--user", "--purge"], environment: environment)
        #expect(status == 0)
        #expect(!stdout.contains("removed  user unit") && stdout.contains("removed  configuration"), "\(stdout)")
        #expect(!FileManager.default.fileExists(atPath: home.file(".config/altv-reconnectd")))
    }
}
