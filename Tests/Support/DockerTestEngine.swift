import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real, private Docker engine for one test (`scripts/docker-engine`: Debian's dockerd with
/// vfs storage and no networking, its own socket, the offline test image
/// `altv-fake-server:1`). Stopped, its containers removed, when the test lets go of it.
public final class DockerTestEngine: @unchecked Sendable {
    /// Why the engine cannot run here (not root, docker.io or busybox-static missing), or nil.
    /// The same checks as `scripts/docker-engine check`, made here without running anything: a
    /// test trait is evaluated where waiting for a child process can deadlock.
    public static let unavailableReason: String? = {
        func onPath(_ name: String) -> Bool {
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        if getuid() != 0 { return "dockerd needs root (run the tests as root, as .ci/run does)" }
        if !onPath("dockerd") && !FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd") { return "dockerd is not installed (apt-get install docker.io)" }
        if !onPath("docker") { return "the docker command is not installed (apt-get install docker.io)" }
        // A static busybox has no program interpreter (no "ld-linux" in its first bytes).
        guard let busybox = FileManager.default.contents(atPath: "/bin/busybox"),
              !String(decoding: busybox.prefix(4096), as: UTF8.self).contains("ld-linux") else {
            return "a static /bin/busybox is needed for the test image (apt-get install busybox-static)"
        }
        return nil
    }()

    public let directory = TemporaryDirectory()
    public var socket: String { directory.file("docker.sock") }
    public var host: String { "unix://" + socket }
    public private(set) var running = false

    /// - Parameter start: false leaves it stopped (a daemon started before its engine).
    public init(start: Bool = true) throws {
        if start { try self.start() }
    }

    /// Starts dockerd (returns once it answers) and imports the test image the first time.
    public func start() throws {
        let (status, _, error) = try Self.runScript(["start", directory.path])
        guard status == 0 else { throw TestFailure("scripts/docker-engine start failed: \(error)") }
        running = true
        if !FileManager.default.fileExists(atPath: directory.file("image.tar")) {
            let (status, _, error) = try Self.runScript(["image", directory.path])
            guard status == 0 else { throw TestFailure("scripts/docker-engine image failed: \(error)") }
        }
    }

    /// Kills dockerd as a crash would, containers left to the engine's next start.
    public func kill() {
        guard running, let pid = Int32(readText(directory.file("dockerd.pid")).trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        Glibc.kill(pid, SIGKILL)
        _ = waitUntil { Self.hasEnded(pid) }
        running = false
    }

    /// Whether `pid` no longer runs: gone, or a zombie. The killed dockerd is nobody's child here
    /// (the script that started it has exited), so it stays a zombie until the machine's PID 1
    /// reaps it, late or never; `kill(pid, 0)` still succeeds on a zombie.
    public static func hasEnded(_ pid: Int32) -> Bool {
        let stat = readText("/proc/\(pid)/stat")
        guard let end = stat.range(of: ") ", options: .backwards) else { return true }
        return stat[end.upperBound...].hasPrefix("Z")
    }

    /// `docker ARGUMENTS` against this engine; its stdout, trimmed. Throws on a failure.
    @discardableResult
    public func docker(_ arguments: String...) throws -> String {
        let (status, output, error) = try Self.run("docker", arguments, environment: ["DOCKER_HOST": host])
        guard status == 0 else { throw TestFailure("docker \(arguments.joined(separator: " ")) exited \(status): \(error)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A container playing an alt:V server: prints `lines` (shell `printf` format, so colour
    /// codes go in as `\033[...`), then waits; on SIGTERM it prints the shutdown line and exits
    /// 0, as alt:V does. `--network none`: the test engine has no networking.
    @discardableResult
    public func runServer(name: String, tty: Bool, lines: [String], extra: [String] = []) throws -> String {
        let script = lines.map { "printf '\($0)\\n'" }.joined(separator: "; ")
            + "; trap 'printf \"[12:00:09] Server shutdown\\n\"; exit 0' TERM; while true; do sleep 0.2; done"
        let arguments = ["run", "-d", "--name", name, "--network", "none"] + (tty ? ["-t"] : []) + extra + ["altv-fake-server:1", "/bin/sh", "-c", script]
        let (status, output, error) = try Self.run("docker", arguments, environment: ["DOCKER_HOST": host])
        guard status == 0 else { throw TestFailure("docker run exited \(status): \(error)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        // Whatever state it is in (stopped, killed): containers removed, mounts and roots gone.
        _ = try? Self.runScript(["stop", directory.path])
    }

    static let script: String = {
        // Tests/Support/DockerTestEngine.swift → the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/docker-engine").path
    }()

    static func runScript(_ arguments: [String]) throws -> (Int32, String, String) {
        try run(script, arguments, environment: [:])
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
