import Dispatch
import Logging
import ReconnectPolicy

/// `--log-file`: the server's log, followed by name like `tail -F` (`LogFollower`), scanned for
/// the ready pattern.
final class LogFileSource: ServerEventSource {
    let path: String
    private var pattern: ReadinessPattern
    private var scanner: ReadyLineScanner?
    private var follower: LogFollower?

    static func make(for configuration: DaemonConfiguration) -> LogFileSource? {
        configuration.settings[\.logFile].map { LogFileSource(path: $0, pattern: configuration.readyPattern) }
    }

    init(path: String, pattern: ReadinessPattern) {
        self.path = path
        self.pattern = pattern
    }

    var role: SourceRole { .readyLines }
    var summary: String { "log \(path), ready pattern '\(pattern)'" }
    var watched: String { path }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        let scanner = ReadyLineScanner(pattern: pattern, name: path, emit: emit)
        self.scanner = scanner
        do {
            let follower = try LogFollower(path: path, queue: queue, sink: scanner.detector) { [path] event in
                emit(.report(ReportText.logFile(path, event) ?? ReportText(level: .debug, message: "\(path): \(event)", status: nil)))
            }
            self.follower = follower
            try follower.start()
        } catch {
            throw .cannotWatch(path, option: "--log-file", error)
        }
    }

    func reload(_ configuration: DaemonConfiguration) {
        pattern = configuration.readyPattern
        scanner?.detector.pattern = pattern
    }

    func stop() { follower?.stop() }
}
