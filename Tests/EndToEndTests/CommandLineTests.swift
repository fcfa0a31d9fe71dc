import Foundation
import Testing
import TestSupport

/// Bad input gets one line naming the input, and the documented exit code; never a trace.
@Suite struct CommandLineTests {
    @Test(arguments: [
        (["--log-file", "/tmp/x.log", "--poll-interval", "5x"], "'5x'"),
        (["--log-file", "/tmp/x.log", "--request-timeout", "0"], "--request-timeout"),
        (["--log-file", "/tmp/x.log", "--client", "127.0.0.1:9223"], "--client 127.0.0.1:9223: "),
        (["--log-file", "/tmp/x.log", "--client", "http://127.0.0.1:9223/status"], "--client"),
        (["--log-file", "/tmp/x.log", "--ready-pattern", "(unclosed"], "--ready-pattern (unclosed: "),
        (["--log-file", "/tmp/x.log", "--ready-pattern", ".*"], "--ready-pattern .*: "),
        ([], "--server-dir PATH"),
        (["--pid-file", ""], "--pid-file"),
        (["--log-file", "/tmp/x.log", "--ready-port", "0"], "--ready-port"),
        (["--log-file", "/tmp/x.log", "--ready-port", "70000"], "--ready-port 70000: must be a port number from 1 to 65535"),
        (["--log-file", "/tmp/x.log", "--no-such-option"], "--no-such-option"),
        (["status", "--client", "nope"], "--client nope: "),
        // Durations that can't surprise: a bare number is seconds, so the likely meaning is said.
        (["--log-file", "/tmp/x.log", "--poll-interval", "250"], "--poll-interval 250: 250 s is longer than 1 min; did you mean 250ms?"),
        (["--log-file", "/tmp/x.log", "--settle-delay", "2000"], "--settle-delay 2000: 2000 s is longer than 5 min; did you mean 2000ms?"),
        (["--log-file", "/tmp/x.log", "--poll-interval", "-1"], "--poll-interval -1: a duration cannot be negative"),
        (["--log-file", "/tmp/x.log", "--poll-interval", "250", "ms"], "--poll-interval 250 ms: write a duration without a space, e.g. --poll-interval 250ms"),
        (["--log-file", "/tmp/x.log", "--poll-interval", "5ms"], "--poll-interval 5ms: 5 ms is shorter than 10 ms"),
        (["reconnect", "--verify-timeout", "3h"], "--verify-timeout 3h: 3 h"),
    ])
    func usageErrorsExit64(arguments: [String], named: String) throws {
        let (status, stdout, stderr) = try runProduct("altv-reconnectd", arguments)
        #expect(status == 64)
        #expect(stdout.isEmpty)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(stderr)")
        #expect(stderr.contains(named))
        #expect(stderr.hasPrefix("altv-reconnectd: "))
    }

    @Test func configurationErrorsExit78() throws {
        let directory = TemporaryDirectory()
        var (status, _, stderr) = try runProduct("altv-reconnectd", ["--log-file", directory.file("x.log"), "--password-file", directory.file("missing")])
        #expect(status == 78)
        #expect(stderr.split(separator: "\n").last?.contains("password-file \(directory.file("missing"))") == true)
        let unreadable = directory.file("secret")
        append("x\n", to: unreadable)
        chmod(unreadable, 0)
        if getuid() != 0 {  // root reads anything
            (status, _, stderr) = try runProduct("altv-reconnectd", ["--log-file", directory.file("x.log"), "--password-file", unreadable])
            #expect(status == 78)
        }
        // A directory where the password file should be.
        (status, _, stderr) = try runProduct("altv-reconnectd", ["--log-file", directory.file("x.log"), "--password-file", directory.path])
        #expect(status == 78)
        #expect(!stderr.contains("Fatal error"))
        // A bare number in the file: the same likely meaning, as a configuration error.
        let config = directory.file("config.toml")
        overwrite("log-file = \"\(directory.file("x.log"))\"\npoll-interval = 250\n", to: config)
        (status, _, stderr) = try runProduct("altv-reconnectd", ["--config", config])
        #expect(status == 78)
        #expect(stderr == "altv-reconnectd: \(config) line 2: poll-interval = 250: 250 s is longer than 1 min; did you mean 250ms?\n")
        overwrite("log-file = \"\(directory.file("x.log"))\"\nsettle-delay = \"-1s\"\n", to: config)
        (status, _, stderr) = try runProduct("altv-reconnectd", ["--config", config])
        #expect(status == 78)
        #expect(stderr.contains("line 2: settle-delay = '-1s': a duration cannot be negative"))
    }

    @Test func statusPrintsTheClientStatus() throws {
        let simulator = try SimulatorProcess(["--boot-delay", "0"])
        let (status, stdout, _) = try runProduct("altv-reconnectd", ["status", "--client", simulator.url])
        #expect(status == 0)
        #expect(stdout == "MAIN_MENU")
    }

    /// A web server on the client's port: exit 69, saying it is another program, not "unreachable".
    @Test func statusOfAnotherProgramExits69() throws {
        let server = FaultServer([.answer(status: 200, body: "<!DOCTYPE html><html><title>nginx</title></html>"), .answer(status: 404, body: "Not Found")])
        defer { server.stop() }
        for what in ["an HTML page", "HTTP 404 for GET /status"] {
            let (status, stdout, stderr) = try runProduct("altv-reconnectd", ["status", "--client", server.url])
            #expect(status == 69)
            #expect(stdout.isEmpty, "nothing that looks like a status: \(stdout)")
            #expect(stderr == "altv-reconnectd: another program listens on \(server.url), not the alt:V client (it answered \(what)); check --client (the debug API is on port 9223 unless changed; 9222 is the game's CEF DevTools)\n")
        }
    }

    @Test func statusOfAnAbsentClientExits69() throws {
        let (status, _, stderr) = try runProduct("altv-reconnectd", ["status", "--client", "http://127.0.0.1:\(closedPort())"])
        #expect(status == 69)
        #expect(stderr.contains("connection refused"))
        #expect(stderr.split(separator: "\n").count == 1)
    }

    @Test func oneShotReconnect() throws {
        let directory = TemporaryDirectory()
        let right = directory.file("right")
        let wrong = directory.file("wrong")
        append("pw\n", to: right)
        append("nope\n", to: wrong)
        let simulator = try SimulatorProcess(["--boot-delay", "0", "--connect-delay", "100ms", "--password", "pw"])
        var (status, _, stderr) = try runProduct("altv-reconnectd", ["reconnect", "--client", simulator.url, "--password-file", right, "--poll-interval", "50ms"])
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("Client IN_GAME"))
        (status, _, stderr) = try runProduct("altv-reconnectd", ["reconnect", "--client", simulator.url, "--password-file", wrong, "--poll-interval", "50ms"])
        #expect(status == 1)
        #expect(stderr.contains("debug = true"))
        (status, _, _) = try runProduct("altv-reconnectd", ["reconnect", "--client", "http://127.0.0.1:\(closedPort())", "--give-up-after", "300ms", "--poll-interval", "50ms"])
        #expect(status == 69)
        #expect(simulator.reconnects.count == 2)
    }

    @Test func helpAndVersionExit0() throws {
        var (status, stdout, _) = try runProduct("altv-reconnectd", ["--help"])
        #expect(status == 0)
        #expect(stdout.contains("status"))
        (status, stdout, _) = try runProduct("altv-reconnectd", ["run", "--help"])
        #expect(status == 0)
        #expect(stdout.contains("--ready-pattern"))
        (status, stdout, _) = try runProduct("altv-client-sim", ["--help"])
        #expect(status == 0)
        #expect(stdout.contains("--boot-delay"))
    }
}
