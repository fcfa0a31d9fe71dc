import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `altv-reconnectd check` against a real client stand-in in each state: one line per check,
/// a fix for each failure, exit 0 or 1, never the password.
@Suite struct CheckCommandTests {
    func check(_ arguments: [String], home: TemporaryDirectory) throws -> (Int32, [String]) {
        let (status, stdout, stderr) = try runProduct("altv-reconnectd", ["check"] + arguments, environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.file(".config")])
        #expect(stderr.isEmpty, "\(stderr)")
        return (status, stdout.split(separator: "\n").map(String.init))
    }

    @Test func aGoodSetupPasses() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--password", "s3cret-pw"])
        let log = directory.file("server.log")
        append("[12:00:00] \u{1B}[32mServer started\u{1B}[0m\n[12:00:01] [Info] Resource chat started\n", to: log)
        let password = directory.file("password")
        append("s3cret-pw\n", to: password)
        chmod(password, 0o600)
        let (status, lines) = try check(["--log-file", log, "--client", simulator.url, "--password-file", password], home: directory)
        #expect(status == 0, "\(lines)")
        #expect(lines.contains("ok    log file \(log) exists (75 bytes) and is readable"))
        #expect(lines.contains("ok    ready pattern 'Server started' matches the log's line '[12:00:00] Server started'"))
        #expect(lines.contains("ok    client \(simulator.url) answers MAIN_MENU: the alt:V debug API"))
        #expect(lines.contains("ok    password: from file \(password)"))
        #expect(lines.last?.hasPrefix("check: nothing failed") == true)
        #expect(!lines.joined().contains("s3cret-pw"))
    }

    /// The server may be writing its last line: it counts without its newline.
    @Test func aLastLineWithoutItsNewlineIsMatched() throws {
        let directory = TemporaryDirectory()
        let log = directory.file("server.log")
        append("[12:00:00] Loading resources\n[12:00:02] Server started", to: log)
        let (_, lines) = try check(["--log-file", log, "--client", "http://127.0.0.1:\(closedPort())"], home: directory)
        #expect(lines.contains("ok    ready pattern 'Server started' matches the log's line '[12:00:02] Server started'"), "\(lines)")
    }

    @Test func aClientThatIsNotRunningFails() throws {
        let directory = TemporaryDirectory()
        let url = "http://127.0.0.1:\(closedPort())"
        let (status, lines) = try check(["--log-file", directory.file("server.log"), "--client", url], home: directory)
        #expect(status == 1)
        #expect(lines.contains { $0.hasPrefix("FAIL  client \(url): not running (connection refused); fix: start GTA V with debug = true") })
        #expect(lines.contains { $0.hasPrefix("warn  log file \(directory.file("server.log")) does not exist yet; the daemon waits for it; fix: ") })
        #expect(lines.last == "check: 1 failed")
    }

    @Test func anotherProgramOnThePortFails() throws {
        let directory = TemporaryDirectory()
        let server = FaultServer([.answer(status: 200, body: "<!DOCTYPE html><html><body>It works!</body></html>")])
        defer { server.stop() }
        let (status, lines) = try check(["--log-file", directory.file("server.log"), "--client", server.url], home: directory)
        #expect(status == 1)
        #expect(lines.contains("FAIL  another program listens on \(server.url), not the alt:V client (it answered an HTML page); fix: set client to the debug API's address (port 9223 unless changed; 9222 is the game's CEF DevTools)"))
    }

    @Test func warningsSayWhatLooksWrong() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        let log = directory.file("server.log")
        append("[12:00:00] Server is up\n[12:00:01] Listening on 7788\n", to: log)
        let password = directory.file("password")
        append("open-secret\n", to: password)
        chmod(password, 0o644)
        let (status, lines) = try check(["--log-file", log, "--client", simulator.url, "--password-file", password, "--pid-file", directory.file("server.pid")], home: directory)
        #expect(status == 0, "warnings do not fail: \(lines)")
        #expect(lines.contains("warn  no line of \(log) matches the ready pattern 'Server started'; the last lines are '[12:00:00] Server is up', '[12:00:01] Listening on 7788'; fix: if the server is up, set ready-pattern to match its ready line"))
        #expect(lines.contains("warn  password file \(password) is readable by group and others (mode 0644); chmod 600 \(password)"))
        #expect(lines.contains { $0.hasPrefix("warn  PID file \(directory.file("server.pid")) does not exist") })
        #expect(!lines.joined().contains("open-secret"))
    }

    /// A server that exited but was not reaped (a zombie, which `kill(pid, 0)` still finds) is
    /// down, as the daemon's pidfd says: not "running".
    @Test func aZombieServerIsDown() throws {
        let directory = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        var zombie: pid_t = 0
        let arguments = [strdup("/bin/true"), nil]
        defer { free(arguments[0]) }
        #expect(posix_spawn(&zombie, "/bin/true", nil, nil, arguments, environ) == 0)
        defer { waitpid(zombie, nil, 0) }
        #expect(waitUntil { readText("/proc/\(zombie)/stat").contains(") Z ") })
        let pidFile = directory.file("server.pid")
        append("\(zombie)\n", to: pidFile)
        let (_, lines) = try check(["--pid-file", pidFile, "--client", simulator.url], home: directory)
        #expect(lines.contains("warn  PID file \(pidFile) names PID \(zombie), which has exited (its parent has not reaped it yet): the server is down"), "\(lines)")
    }

    @Test func aBrokenConfigurationFails() throws {
        let directory = TemporaryDirectory()
        let config = directory.file("config.toml")
        append("log-file = \"/srv/server.log\"\npoll_interval = \"250ms\"\n", to: config)
        let (status, lines) = try check(["--config", config, "--client", "http://127.0.0.1:\(closedPort())"], home: directory)
        #expect(status == 1)
        #expect(lines.first == "FAIL  configuration: \(config) line 2: unknown key 'poll_interval'; did you mean 'poll-interval'?")
        #expect(lines.contains("warn  what to watch: not known until the configuration loads"), "no second failure that follows from the first")
        #expect(lines.last == "check: 2 failed", "the configuration and the client (none on that port)")
    }

    /// `install --user` prints the same checks once the configuration is in place, and a client
    /// that is not running (the game closed while installing) is a warning there.
    @Test func installRunsTheSameChecks() throws {
        let home = TemporaryDirectory()
        let url = "http://127.0.0.1:\(closedPort())"
        let (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user", "--log-file", home.file("server.log"), "--client", url],
                                                 environment: ["HOME": home.path, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""])
        #expect(status == 0, "\(stdout)")
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("Checking the setup (altv-reconnectd check runs these again):"))
        #expect(lines.contains("  ok    configuration: \(home.file(".config/altv-reconnectd/config.toml")) loads"))
        #expect(lines.contains { $0.hasPrefix("  warn  client \(url): not running (connection refused); fix: ") })
    }

    /// install --user takes paths as a user means them: `~` expanded, relative ones made
    /// absolute (the service runs elsewhere), a missing folder said at once.
    @Test func installTakesPathsAsTheUserMeansThem() throws {
        let home = TemporaryDirectory()
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""]
        let (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user", "--log-file", "relative/server.log", "--pid-file", "~/altv/server.pid"],
                                                 environment: environment)
        #expect(status == 0, "\(stdout)")
        let config = readText(home.file(".config/altv-reconnectd/config.toml"))
        let absolute = FileManager.default.currentDirectoryPath + "/relative/server.log"
        #expect(config.contains("log-file = '\(absolute)'"), "\(config)")
        #expect(config.contains("pid-file = '\(home.file("altv/server.pid"))'"), "\(config)")
        #expect(stdout.contains("FAIL  PID file \(home.file("altv/server.pid")): its folder \(home.file("altv"))/ does not exist"), "\(stdout)")
        #expect(stdout.contains("warn  log file \(absolute): its folder \(FileManager.default.currentDirectoryPath)/relative/ does not exist yet"), "\(stdout)")
    }

    /// A server folder: server.toml's port, debug and password as the daemon reads them.
    @Test func theServerFolderIsChecked() throws {
        let home = TemporaryDirectory()
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        let folder = home.file("altv-server")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        append("[12:00:00] Server started\n", to: folder + "/server.log")
        append(altvServerToml(password: "s3cret-pw", debug: true, port: 7790), to: folder + "/server.toml")
        var (status, lines) = try check(["--server-dir", folder, "--client", simulator.url], home: home)
        #expect(status == 0, "\(lines)")
        #expect(lines.contains("ok    server folder \(folder)/: server.toml says port 7790, a password"), "\(lines)")
        #expect(lines.contains("ok    \(folder)/server.toml has debug = true"))
        #expect(lines.contains("ok    log file \(folder)/server.log exists (26 bytes) and is readable"))
        #expect(lines.contains("ok    password: from \(folder)/server.toml (its password key)"))
        #expect(!lines.joined().contains("s3cret-pw"))

        overwrite(altvServerToml(password: "s3cret-pw", debug: false), to: folder + "/server.toml")
        (status, lines) = try check(["--server-dir", folder, "--client", simulator.url], home: home)
        #expect(status == 1)
        #expect(lines.contains("FAIL  \(folder)/server.toml has debug = false: the client will not accept the reconnect; fix: set debug = true in it (and in the client's altv.toml), then restart the server"), "\(lines)")

        (status, lines) = try check(["--server-dir", home.path, "--client", simulator.url], home: home)
        #expect(status == 1)
        #expect(lines.contains("FAIL  server folder \(home.path)/ has no server.toml; fix: set server-dir to the alt:V server's folder (the one holding server.toml)"), "\(lines)")
    }

    @Test func installWritesTheServerFolder() throws {
        let home = TemporaryDirectory()
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""]
        let (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user", "--server-dir", "~/altv-server"], environment: environment)
        #expect(status == 0, "\(stdout)")
        let config = readText(home.file(".config/altv-reconnectd/config.toml"))
        #expect(config.contains("\nserver-dir = '\(home.file("altv-server"))'\n"), "\(config)")
        #expect(!config.contains("\nlog-file ="), "only that one key: the log is the folder's")
        #expect(stdout.contains("warn  server folder \(home.file("altv-server"))/ does not exist yet; the daemon waits for it"), "\(stdout)")
    }
}
