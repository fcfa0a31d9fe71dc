import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A value shared between a test and the threads it starts.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func with<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
    public var current: Value { with { $0 } }
}

extension Locked where Value == Bool {
    /// True once after it was set (for a race hook that must act a single time).
    public func take() -> Bool { with { let was = $0; $0 = false; return was } }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes. Bounds waits in tests;
/// tests assert on what happened, never on how fast (speed lives in the benchmarks).
@discardableResult
public func waitUntil(timeout: Double = 15, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// A fresh directory under /tmp, removed at deinit.
public final class TemporaryDirectory {
    public let path: String
    public init() {
        var template = Array("/tmp/altv-reconnectd-test.XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    public func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What a shell's `echo text >> path` does: create if needed, then write at the end.
public func append(_ text: String, to path: String) { write(text, to: path, flags: O_APPEND) }

/// What a shell's `echo text > path` does: truncate (or create), then write.
public func overwrite(_ text: String, to path: String) { write(text, to: path, flags: O_TRUNC) }

private func write(_ text: String, to path: String, flags: Int32) {
    let fd = open(path, O_WRONLY | O_CREAT | flags, 0o644)
    precondition(fd >= 0, "open \(path)")
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

public func readText(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// The directory holding the built products (the test bundle sits beside the executables), or
/// `ALTV_TEST_PRODUCTS` to run the end-to-end tests against another build (the release build:
/// `scripts/soak`).
public let productsDirectory: String = {
    if let products = ProcessInfo.processInfo.environment["ALTV_TEST_PRODUCTS"], !products.isEmpty { return products }
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = (executable as NSString).deletingLastPathComponent
    // xctest bundles on Linux are executables in the products directory.
    if directory.hasSuffix(".xctest") { directory = (directory as NSString).deletingLastPathComponent }
    return directory
}()

/// A child process of one of the built executables, stdout piped, stderr to a file.
public final class Child: @unchecked Sendable {
    public let process = Process()
    public let stderrPath: String
    private let stdoutPipe = Pipe()
    public let stdoutLines = Locked<[String]>([])
    /// The child's stdout reached its end (it exited, or closed it): every line is in `stdoutLines`.
    public let stdoutClosed = Locked(false)

    /// - Parameter stdoutPath: stdout to this file instead of the pipe read into `stdoutLines`
    ///   (for a child run to its end: once it has exited, all it wrote is in the file, with no
    ///   pipe end to wait for).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stderrPath: String, stdoutPath: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : productsDirectory + "/" + executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "CREDENTIALS_DIRECTORY"] { env[key] = nil }
        // Hermetic: the developer's own ~/.config/altv-reconnectd/config.toml must not leak in.
        env["XDG_CONFIG_HOME"] = "/nonexistent/altv-reconnectd-tests"
        env.merge(environment) { $1 }
        process.environment = env
        if !FileManager.default.fileExists(atPath: stderrPath) { _ = FileManager.default.createFile(atPath: stderrPath, contents: nil) }
        self.stderrPath = stderrPath
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        if let stdoutPath {
            _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
            try process.run()
            return
        }
        process.standardOutput = stdoutPipe
        let lines = stdoutLines
        let closed = stdoutClosed
        let buffer = Locked(Data())
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                closed.with { $0 = true }
                return
            }
            buffer.with { $0.append(data) }
            while let line = buffer.with({ buf -> String? in
                guard let newline = buf.firstIndex(of: 10) else { return nil }
                let text = String(decoding: buf[buf.startIndex..<newline], as: UTF8.self)
                buf.removeSubrange(buf.startIndex...newline)
                return text
            }) {
                lines.with { $0.append(line) }
            }
        }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var stderr: String { readText(stderrPath) }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for exit (bounded); returns the exit status, or nil if it did not exit in time.
    public func waitForExit(timeout: Double = 15) -> Int32? {
        guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs a built executable to completion; returns (status, stdout, stderr).
public func runProduct(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 30) throws -> (Int32, String, String) {
    let directory = TemporaryDirectory()
    // stdout to a file, read once the child has exited: a pipe read by a handler lost the end of
    // the man page under load (a 20 ms sleep for its end, then a wait for its close, both did).
    let child = try Child(executable, arguments, environment: environment, stderrPath: directory.file("stderr"), stdoutPath: directory.file("stdout"))
    let status = child.waitForExit(timeout: timeout) ?? -1
    var stdout = readText(directory.file("stdout"))
    if stdout.hasSuffix("\n") { stdout.removeLast() }
    return (status, stdout, child.stderr)
}

/// `altv-client-sim --port 0` as a child process, with its events file parsed on demand.
public final class SimulatorProcess {
    public let directory: TemporaryDirectory
    public let child: Child
    public let port: Int
    public var eventsPath: String { directory.file("events.jsonl") }

    public init(_ arguments: [String] = []) throws {
        directory = TemporaryDirectory()
        let events = directory.file("events.jsonl")
        child = try Child("altv-client-sim", ["--port", "0", "--events", events] + arguments, stderrPath: directory.file("sim.stderr"))
        let child = child
        guard waitUntil(timeout: 10, { !child.stdoutLines.current.isEmpty }), let line = child.stdoutLines.current.first,
              let portText = line.split(separator: ":").last?.split(separator: " ").first, let port = Int(portText)
        else { throw TestFailure("altv-client-sim did not print its port: \(child.stderr)") }
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Every event line as a dictionary.
    public var events: [[String: Any]] {
        readText(eventsPath).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public var reconnects: [[String: Any]] { events.filter { $0["type"] as? String == "reconnect" } }

    /// Puts the simulated client in `state` through the `POST /_sim/state` test hook.
    public func force(_ state: String) throws {
        try rawPost(port: port, path: "/_sim/state", body: state)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A minimal blocking HTTP POST (for the simulator's test hook).
public func rawPost(port: Int, path: String, body: String) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { throw TestFailure("connect to simulator failed") }
    var request = Array("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    _ = request.withUnsafeMutableBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    _ = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
}

/// A Unix stream socket bound to `path`: listening (`backlog` > 0) or bound only (0: a socket
/// file nobody accepts on, as an engine that stopped without removing it leaves).
public func unixSocket(at path: String, backlog: Int32 = 16) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    guard bound == 0, backlog == 0 || listen(fd, backlog) == 0 else {
        close(fd)
        throw TestFailure("cannot \(bound == 0 ? "listen" : "bind") on \(path): errno \(errno)")
    }
    return fd
}

/// Reads a request's head (up to its blank line) from a stand-in server's connection.
public func readRequestHead(_ connection: Int32) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 4096)
    var received: [UInt8] = []
    while !received.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { break }
        received += buffer[0..<count]
    }
    return received
}
