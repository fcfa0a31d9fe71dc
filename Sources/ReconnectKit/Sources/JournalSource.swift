import Dispatch
import ReconnectPolicy

/// `--journal-unit`: a server run as a systemd unit; its journal messages are scanned like the
/// lines of a log file (`JournalFollower`).
final class JournalSource: ServerEventSource {
    /// As configured (`altv-server`), for the texts that name the setting.
    let configured: String
    /// As systemd names it (`altv-server` → `altv-server.service`).
    let unit: String
    private var patterns: ServerLinePatterns
    private var scanner: ServerLineScanner?
    private var follower: JournalFollower?

    static func make(for configuration: DaemonConfiguration) -> JournalSource? {
        configuration.settings[\.journalUnit].map { JournalSource(unit: $0, patterns: configuration.linePatterns) }
    }

    init(unit: String, patterns: ServerLinePatterns) {
        configured = unit
        self.unit = JournalFollower.unitName(unit)
        self.patterns = patterns
    }

    var role: SourceRole { .readyLines }
    var summary: String { "journal of \(configured), ready pattern '\(patterns.ready)'" }
    var watched: String { "the journal of \(configured)" }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        let scanner = ServerLineScanner(patterns: patterns, name: watched, emit: emit)
        self.scanner = scanner
        let follower = JournalFollower(unit: unit, queue: queue, sink: scanner.detector)
        do {
            try follower.start()
        } catch {
            throw .cannotReadJournal(unit, error)
        }
        self.follower = follower
        emit(.report(.followingJournal(unit)))
    }

    func reload(_ configuration: DaemonConfiguration) {
        patterns = configuration.linePatterns
        scanner?.detector.patterns = patterns
    }

    func stop() { follower?.stop() }
}
