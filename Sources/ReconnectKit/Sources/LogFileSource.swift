import Dispatch
import Logging
import ReconnectPolicy

/// `--log-file`: the server's log, followed by name like `tail -F` (`LogFollower`), scanned for
/// the ready pattern. With `--server-dir` alone, the folder's `server.log` (what alt:V writes
/// without `--logfile`).
final class LogFileSource: ServerEventSource {
    let path: String
    private var patterns: ServerLinePatterns
    private var scanner: ServerLineScanner?
    private var follower: LogFollower?

    static func make(for configuration: DaemonConfiguration) -> LogFileSource? {
        let settings = configuration.settings
        return settings.logFilePath.map { LogFileSource(path: $0, patterns: configuration.linePatterns, option: settings[\.logFile] == nil ? "--server-dir" : "--log-file") }
    }

    /// The option that names it, for errors: `--log-file`, or `--server-dir` for the folder's log.
    let option: String

    init(path: String, patterns: ServerLinePatterns, option: String = "--log-file") {
        self.path = path
        self.patterns = patterns
        self.option = option
    }

    var role: SourceRole { .readyLines }
    var summary: String { "log \(path), ready pattern '\(patterns.ready)'" }
    var watched: String { path }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        let scanner = ServerLineScanner(patterns: patterns, name: path, emit: emit)
        self.scanner = scanner
        do {
            let follower = try LogFollower(path: path, queue: queue, sink: scanner.detector) { [path] event in
                emit(.report(ReportText.logFile(path, event) ?? ReportText(level: .debug, message: "\(path): \(event)", status: nil)))
            }
            self.follower = follower
            try follower.start()
        } catch {
            throw .cannotWatch(path, option: option, error)
        }
    }

    func reload(_ configuration: DaemonConfiguration) {
        patterns = configuration.linePatterns
        scanner?.detector.patterns = patterns
    }

    func stop() { follower?.stop() }
}
