import Foundation
import Testing

/// The shipped unit files pass `systemd-analyze verify` with the real binary in place.
@Suite struct UnitFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: analyze != nil, "systemd-analyze is not installed (apt-get install systemd)"))
    func userUnitVerifies() throws {
        let home = TemporaryDirectory()
        let runtime = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: home.file(".local/bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home.file(".config/altv-reconnectd"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: productsDirectory + "/altv-reconnectd", toPath: home.file(".local/bin/altv-reconnectd"))
        append("ALTV_LOG_FILE=/tmp/server.log\n", to: home.file(".config/altv-reconnectd/altv-reconnectd.env"))
        chmod(runtime.path, 0o700)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.analyze!)
        process.arguments = ["--user", "verify", "--man=no", Self.repository + "/systemd/altv-reconnectd.service"]
        process.environment = ["HOME": home.path, "XDG_RUNTIME_DIR": runtime.path, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        // Unknown keys and bad values only warn (exit 0): any warning about our unit is a failure.
        #expect(!text.contains("altv-reconnectd.service:"), "\(text)")
    }
}
