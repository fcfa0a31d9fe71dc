import Foundation
import Testing
import TestSupport

/// Tests against a real journald and `systemd --user`, in a private mount namespace
/// (Tests/system/systemd-sandbox.sh). They need root; elsewhere they are skipped, saying why.
@Suite struct SystemdSandboxTests {
    static let canSandbox = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd-journald")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")

    /// Runs `script` (in Tests/system) with the products directory inside the sandbox.
    static func runInSandbox(_ script: String) throws -> (Int32, String) {
        let system = UnitFileTests.repository + "/Tests/system"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [system + "/systemd-sandbox.sh", "bash \(system)/\(script) \(productsDirectory)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: canSandbox, "needs root, unshare and systemd for a private journald (run the tests as root, as CI does)"))
    func journalSourceReconnectsOnEveryUnitStart() throws {
        let (status, output) = try Self.runInSandbox("journal-source.sh")
        #expect(status == 0, "\(output)")
        #expect(output.contains("journal-source: 2 reconnects, daemon exit 0"), "\(output)")
    }

    /// The shipped units under the real manager: install --user, active with a StatusText, one
    /// reconnect per start of the example altv-server.service, structured journal fields, the
    /// credential kept out of the journal, reload (good and broken), the watchdog, exit 78
    /// without a restart loop, uninstall. Tests/system/units.sh prints each check.
    @Test(.enabled(if: canSandbox, "needs root, unshare and systemd for a private systemd --user and journald (run the tests as root, as CI does)"))
    func shippedUnitsUnderARealUserManager() throws {
        let (status, output) = try Self.runInSandbox("units.sh")
        #expect(status == 0, "\(output)")
        #expect(output.contains("units: all checks passed"), "\(output)")
        print(output.split(separator: "\n").filter { $0.hasPrefix("units: ") }.joined(separator: "\n"))
    }

    /// The system template's hardening around the real daemon (under root's user manager:
    /// everything but the user switch and five /proc-/sys settings this sandbox cannot combine
    /// with sd_notify). Tests/system/template.sh says which.
    @Test(.enabled(if: canSandbox, "needs root, unshare and systemd for a private systemd --user and journald (run the tests as root, as CI does)"))
    func systemTemplateHardeningLeavesTheDaemonWorking() throws {
        let (status, output) = try Self.runInSandbox("template.sh")
        #expect(status == 0, "\(output)")
        #expect(output.contains("template: all checks passed"), "\(output)")
        print(output.split(separator: "\n").filter { $0.hasPrefix("template: ") }.joined(separator: "\n"))
    }
}
