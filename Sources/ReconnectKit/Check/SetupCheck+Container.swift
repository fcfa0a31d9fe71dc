import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--docker-container`: the engine, the container's state, and (for the ready pattern) the
/// output of its current run, asked the way the daemon asks.
extension SetupCheck {
    var engine: Result<DockerEngine, ConfigurationError> {
        Result { () throws(ConfigurationError) in try DockerEngine.fromEnvironment(environment) }
    }

    func container(_ name: String) -> [CheckResult] {
        let engine: DockerEngine
        switch self.engine {
        case .failure(let error): return [CheckResult(.fail, "Docker engine: \(error.message)")]
        case .success(let found): engine = found
        }
        let client = engine.client(timeout: settings.value(\.requestTimeout)!)
        let container: ContainerAPI.Inspect
        switch ContainerFollower.inspect(client, name) {
        case .failure(.engine(.unreachable(let code))) where code == ENOENT || code == ENOTDIR:
            return [CheckResult(.warn, "Docker engine: \(engine.explain(.unreachable(errno: code)))",
                                fix: "start it (sudo systemctl start docker), or set DOCKER_HOST=unix://PATH to its socket")]
        case .failure(.engine(let error)):
            return [CheckResult(.fail, "Docker engine: \(engine.explain(error))")]
        case .failure(.api(let problem)):
            return [CheckResult(.fail, "Docker engine at \(engine.socketPath): \(problem)")]
        case .success(nil):
            return [CheckResult(.warn, "container \(name) does not exist yet; the daemon waits for it",
                                fix: "docker run --name \(name) … (or docker compose up; container_name: \(name) in the compose file)")]
        case .success(let found?):
            container = found
        }
        let output = container.hasTTY ? "with a TTY (raw output)" : "without a TTY (multiplexed output)"
        guard container.isRunning else {
            return [CheckResult(.warn, "container \(name) is \(container.state?.status ?? "not running") (\(output)); the daemon waits for it to start",
                                fix: "docker start \(name)")]
        }
        return [CheckResult(.pass, "container \(name) is running (PID \(container.pid), \(output)); engine \(engine.socketPath)")]
    }

    /// The current run's output (its last 4 MB), or nil when it cannot be had.
    func containerOutput(_ name: String) -> [UInt8]? {
        guard case .success(let engine) = engine else { return nil }
        let client = engine.client(timeout: settings.value(\.requestTimeout)!)
        guard case .success(let container?) = ContainerFollower.inspect(client, name), container.isRunning,
              case .success(let stream) = ContainerFollower.openLogs(client, name, since: container.finishedAtNanoseconds ?? 0, follow: false)
        else { return nil }
        var bytes: [UInt8] = []
        // What it read before a failure is still worth matching.
        _ = ContainerFollower.readOutput(stream, client: client, engine: engine, name: name, tty: container.hasTTY) { piece in
            bytes += piece
            if bytes.count > 8 << 20 { bytes.removeFirst(bytes.count - (4 << 20)) }
        }
        return Array(bytes.suffix(4 << 20))
    }
}
