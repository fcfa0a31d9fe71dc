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
