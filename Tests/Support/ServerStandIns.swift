import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real server stand-in: `sleep` in a child process.
public final class FakeServer {
    public let process = Process()
    public init() throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
    }
    public var pid: Int32 { process.processIdentifier }
    /// SIGKILL: a child spawned from a libdispatch worker inherits its blocked signal mask, so
    /// SIGTERM would wait in the queue until `sleep` ends by itself.
    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    deinit { if process.isRunning { kill() } }
}

/// Writes `text` to `path` the way a script would: in place, or atomically through a rename.
public func writePidFile(_ path: String, _ text: String, atomically: Bool) {
    if atomically {
        append(text, to: path + ".tmp")
        rename(path + ".tmp", path)
    } else {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// A server.toml laid out as alt:V ships and documents it (docs.altv.mp, "The server.toml
/// configuration file"): top-level keys, arrays (one spread over lines, with comments), tables.
/// `password` and `debug` are the caller's; the voice table holds a second secret that must
/// never be shown either.
public func altvServerToml(password: String?, debug: Bool?, port: Int = 7788) -> String {
    var text = """
        # The display name of your server
        name = "Dev server"
        host = "0.0.0.0"
        port = \(port)
        players = 32

        """
    if let password { text += "password = \"\(password)\"\n" }
    text += """
        announce = false
        gamemode = "Freeroam"
        website = "example.com"
        language = "en"
        description = "A server for [testing], with {braces} in strings"

        """
    if let debug { text += "debug = \(debug)\n" }
    text += """
        streamingDistance = 400.0
        migrationDistance = 150.0
        timeout = 1.5
        modules = ["js-module", "csharp-module"]
        resources = [
            "chat",      # the chat resource
            "freeroam",
            # "disabled",
        ]
        tags = ["dev", "test"]
        useEarlyAuth = false
        earlyAuthUrl = 'https://example.com/auth'

        [voice]
        bitrate = 64000
        externalSecret = "voice-secret-5ec"
        externalHost = "localhost"
        externalPort = 7798

        [js-module]
        source-maps = true
        heap-profiler = false

        [[worlds]]
        name = "main"

        """
    return text
}
