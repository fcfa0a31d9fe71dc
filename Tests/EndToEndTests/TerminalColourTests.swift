import Foundation
import Testing
import TestSupport

/// Colour on a terminal only: levels coloured and errors in bold red under a real pty (util-linux
/// `script`), nothing with NO_COLOR, nothing on a pipe (every other test reads a pipe and
/// compares exact text) and never in the journal (the journal formats do not colour).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script (util-linux) is not installed"))
struct TerminalColourTests {
    /// Runs `command` under a pseudo-terminal and returns what it printed there.
    /// A terminal that wants colour unless `environment` says otherwise (the test runner's own
    /// TERM and NO_COLOR are not this test's business).
    func onATerminal(_ command: String, environment: [String: String] = [:]) throws -> String {
        let wanting = ["TERM": "xterm-256color", "NO_COLOR": ""].merging(environment) { $1 }
        let (_, stdout, _) = try runProduct("/usr/bin/script", ["-qec", command, "/dev/null"], environment: wanting, timeout: 20)
        return stdout
    }

    @Test func errorsStandOutOnATerminal() throws {
        let daemon = productsDirectory + "/altv-reconnectd"
        let coloured = try onATerminal("\(daemon) --log-file /tmp/x.log --poll-interval 250")
        #expect(coloured.contains("\u{1B}[1;31maltv-reconnectd: --poll-interval 250: 250 s is longer than 1 min; did you mean 250ms?"), "\(coloured.debugDescription)")
        let plain = try onATerminal("\(daemon) --log-file /tmp/x.log --poll-interval 250", environment: ["NO_COLOR": "1"])
        #expect(!plain.contains("\u{1B}["), "NO_COLOR: \(plain.debugDescription)")
        #expect(plain.contains("altv-reconnectd: --poll-interval 250: 250 s"))
    }

    @Test func levelsAreColouredOnATerminal() throws {
        let directory = TemporaryDirectory()
        let daemon = productsDirectory + "/altv-reconnectd"
        let output = try onATerminal("timeout -s INT 1 \(daemon) --log-file \(directory.file("server.log")) --client http://127.0.0.1:\(closedPort())")
        #expect(output.contains("\u{1B}[36minfo \u{1B}[0m Waiting for server log"), "\(output.debugDescription)")
        let dumb = try onATerminal("timeout -s INT 1 \(daemon) --log-file \(directory.file("server.log")) --client http://127.0.0.1:\(closedPort())", environment: ["TERM": "dumb"])
        #expect(!dumb.contains("\u{1B}["), "TERM=dumb: \(dumb.debugDescription)")
    }
}
