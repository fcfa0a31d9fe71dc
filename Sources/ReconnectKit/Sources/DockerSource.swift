import Dispatch
import Logging
import ReconnectPolicy

/// `--docker-container NAME`: a server run in a container (alt:V's official image logs to
/// stdout), followed through the Docker Engine API on its Unix socket (`ContainerFollower`).
/// Each start of the container is a process start; its output is scanned like a log file's
/// lines, so one ready line per start gives one reconnect.
final class DockerSource: ServerEventSource {
    let container: String
    private var patterns: ServerLinePatterns
    private let requestTimeout: Duration
    private var scanner: ServerLineScanner?
    private var follower: ContainerFollower?

    static func make(for configuration: DaemonConfiguration) -> DockerSource? {
        configuration.settings[\.dockerContainer].map {
            DockerSource(container: $0, patterns: configuration.linePatterns, requestTimeout: configuration.requestTimeout)
        }
    }

    init(container: String, patterns: ServerLinePatterns, requestTimeout: Duration) {
        self.container = container
        self.patterns = patterns
        self.requestTimeout = requestTimeout
    }

    /// Lines, and the container's process: its exit stops a pending reconnect.
    var role: SourceRole { [.readyLines, .processLifetime] }
    var summary: String { "container \(container), ready pattern '\(patterns.ready)'" }
    var watched: String { "container \(container)" }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        let engine = try DockerEngine.fromEnvironment(DockerEngine.processEnvironment)
        let scanner = ServerLineScanner(patterns: patterns, name: watched, emit: emit)
        self.scanner = scanner
        let follower = ContainerFollower(name: container, engine: engine, queue: queue, timeout: requestTimeout, sink: scanner.detector) { [container] event in
            switch event {
            case .started(let pid, let alreadyRunning, _):
                emit(.report(ReportText.container(container, event, engine: engine)))
                emit(.processStarted(pid: pid, alreadyRunning: alreadyRunning))
            case .exited(let pid, _):
                emit(.report(ReportText.container(container, event, engine: engine)))
                emit(.processExited(pid: pid))
            default:
                emit(.report(ReportText.container(container, event, engine: engine)))
            }
        }
        self.follower = follower
        follower.start()
    }

    func reload(_ configuration: DaemonConfiguration) {
        patterns = configuration.linePatterns
        scanner?.detector.patterns = patterns
    }

    func stop() { follower?.stop() }
}

extension ReportText {
    static func container(_ name: String, _ event: ContainerFollower.Event, engine: DockerEngine) -> ReportText {
        switch event {
        case .engineUnreachable(let why):
            ReportText(level: .warning, message: "Docker engine: \(why)", status: "Waiting for the Docker engine: \(why)")
        case .engineConnected:
            ReportText(level: .info, message: "Connected to the Docker engine at \(engine.socketPath); following container \(name)", status: nil)
        case .engineLost:
            ReportText(level: .warning, message: "Lost the Docker engine at \(engine.socketPath) (it stopped or restarts); waiting for it",
                       status: "Waiting for the Docker engine (it stopped or restarts)")
        case .containerMissing:
            ReportText(level: .info, message: "No container is named \(name) yet; waiting for it to be created and started (docker run --name \(name) …)",
                       status: "Waiting for container \(name) to be created")
        case .containerNotRunning(let status):
            ReportText(level: .info, message: "Container \(name) is \(status); waiting for it to start", status: "Waiting for container \(name) to start")
        case .started(let pid, let alreadyRunning, let tty):
            // The gate says "waiting for its ready line" with the PID, and sets the status.
            ReportText(level: .info, message: "Container \(name) \(alreadyRunning ? "is running" : "started") (PID \(pid), \(tty ? "with a TTY" : "no TTY"))", status: nil)
        case .exited(_, let exitCode):
            ReportText(level: .info, message: "Container \(name) stopped" + (exitCode.map { " (exit code \($0))" } ?? ""), status: nil)
        case .created:
            ReportText(level: .info, message: "Container \(name) was created", status: nil)
        case .removed:
            ReportText(level: .info, message: "Container \(name) was removed; waiting for a container of that name", status: "Waiting for container \(name) to be created")
        case .problem(let text):
            ReportText(level: .warning, message: "Container \(name): \(text)", status: nil)
        case .trace(let text):
            ReportText(level: .debug, message: "Docker engine: \(text)", status: nil)
        }
    }
}
