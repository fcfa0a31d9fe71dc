import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the Docker Engine API is: its Unix socket, as `docker` finds it (`DOCKER_HOST`, else
/// `/var/run/docker.sock`; Podman's Docker-compatible socket works the same way), and what a
/// failure to reach it means to a user.
public struct DockerEngine: Sendable, Equatable {
    public static let defaultSocket = "/var/run/docker.sock"

    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The engine `DOCKER_HOST` names: `unix:///path`, or the default socket when it is unset or
    /// empty. A TCP or SSH engine is refused with the reason: the daemon talks to the engine
    /// only over a Unix socket (no TLS, no credentials to keep).
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> DockerEngine {
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else { return DockerEngine(socketPath: defaultSocket) }
        guard host.hasPrefix("unix://"), host.count > "unix://".count else {
            throw ConfigurationError("DOCKER_HOST=\(host) is not a Unix socket; altv-reconnectd talks to the engine over its socket: set DOCKER_HOST=unix://\(defaultSocket) (or Podman's unix://$XDG_RUNTIME_DIR/podman/podman.sock)", errno: EINVAL)
        }
        return DockerEngine(socketPath: String(host.dropFirst("unix://".count)))
    }

    /// `DOCKER_HOST` as this process has it (the one variable `fromEnvironment` reads).
    public static var processEnvironment: [String: String] {
        getenv("DOCKER_HOST").map { ["DOCKER_HOST": String(cString: $0)] } ?? [:]
    }

    /// A client for one bounded request to the engine (inspect, version).
    public func client(timeout: Duration, responseLimit: Int = 256 * 1024) -> HTTPClient {
        HTTPClient(unixSocket: socketPath, timeout: timeout, responseLimit: responseLimit)
    }

    /// What a failure to reach the engine means, and what to do (one line).
    public func explain(_ error: ClientError) -> String {
        switch error {
        case .unreachable(errno: ENOENT), .unreachable(errno: ENOTDIR):
            return "the Docker engine's socket \(socketPath) does not exist: the engine is not running (or DOCKER_HOST names another socket); waiting for it"
        case .unreachable(errno: EACCES), .unreachable(errno: EPERM):
            return "permission denied on \(socketPath): add yourself to the docker group (sudo usermod -aG docker $USER, then log in again)"
        case .connectionRefused:
            return "nothing accepts connections on \(socketPath): the engine is stopping or restarting; waiting for it"
        default:
            return "the Docker engine at \(socketPath) did not answer: \(error)"
        }
    }
}
