import Foundation
import ReconnectKit
import Testing
import TestSupport

/// The shipped unit files pass `systemd-analyze verify` with the real binary in place, and
/// `install` writes exactly what systemd/ ships.
@Suite struct UnitFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs systemd-analyze; returns its status and output.
    static func runAnalyze(_ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze!)
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// `systemd-analyze --user verify` with HOME holding the binary and the example server's folder.
    static func verifyUserUnit(_ name: String) throws -> (Int32, String) {
        let home = TemporaryDirectory()
        let runtime = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: home.file(".local/bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home.file("altv-server"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: productsDirectory + "/altv-reconnectd", toPath: home.file(".local/bin/altv-reconnectd"))
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: home.file("altv-server/altv-server"))
        chmod(runtime.path, 0o700)
        return try runAnalyze(["--user", "verify", "--man=no", repository + "/systemd/" + name],
                              environment: ["HOME": home.path, "XDG_RUNTIME_DIR": runtime.path])
    }

    @Test(.enabled(if: analyze != nil, "systemd-analyze is not installed (apt-get install systemd)"),
          arguments: ["altv-reconnectd.service", "altv-server.service"])
    func userUnitsVerify(name: String) throws {
        let (status, text) = try Self.verifyUserUnit(name)
        #expect(status == 0, "\(text)")
        // Unknown keys and bad values only warn (exit 0): any warning about our unit is a failure.
        #expect(!text.contains(name + ":"), "\(text)")
    }

    /// The system template, verified as an instance inside a root tree holding the binary at
    /// /usr/local/bin and the host's systemd units (no root needed).
    @Test(.enabled(if: analyze != nil, "systemd-analyze is not installed (apt-get install systemd)"))
    func systemTemplateVerifiesAndIsHardened() throws {
        let root = TemporaryDirectory()
        let files = FileManager.default
        for directory in ["usr/local/bin", "usr/bin", "usr/lib", "etc/systemd/system"] {
            try files.createDirectory(atPath: root.file(directory), withIntermediateDirectories: true)
        }
        try files.createSymbolicLink(atPath: root.file("bin"), withDestinationPath: "usr/bin")
        try files.createSymbolicLink(atPath: root.file("lib"), withDestinationPath: "usr/lib")
        try files.copyItem(atPath: "/usr/lib/systemd", toPath: root.file("usr/lib/systemd"))
        try files.copyItem(atPath: "/usr/bin/kill", toPath: root.file("usr/bin/kill"))
        try files.copyItem(atPath: productsDirectory + "/altv-reconnectd", toPath: root.file("usr/local/bin/altv-reconnectd"))
        try files.copyItem(atPath: Self.repository + "/systemd/altv-reconnectd@.service", toPath: root.file("etc/systemd/system/altv-reconnectd@.service"))
        let (status, text) = try Self.runAnalyze(["verify", "--root=" + root.path, "--man=no", "altv-reconnectd@demo.service"], environment: [:])
        #expect(status == 0, "\(text)")
        #expect(!text.contains("altv-reconnectd@"), "\(text)")

        // The exposure score the README reports (goal <= 2.0).
        let (_, security) = try Self.runAnalyze(["security", "--offline=true", "--no-pager", Self.repository + "/systemd/altv-reconnectd@.service"], environment: [:])
        let score = security.split(separator: "\n").last { $0.contains("Overall exposure level") }
            .flatMap { $0.split(separator: " ").first { Double($0) != nil } }.flatMap { Double($0) }
        #expect(score != nil && score! <= 2.0, "\(security.suffix(300))")
    }

    @Test func installWritesTheShippedUnits() throws {
        #expect(Installer.userUnit == (try String(contentsOfFile: Self.repository + "/systemd/altv-reconnectd.service", encoding: .utf8)))
        #expect(Installer.templateUnit == (try String(contentsOfFile: Self.repository + "/systemd/altv-reconnectd@.service", encoding: .utf8)))
    }
}
