import Dispatch
import ReconnectPolicy

/// What a source tells the daemon about the server.
public enum ServerEvent: Sendable, Equatable {
    /// A line matched the ready pattern: its text as it may be shown (printable, one line, at
    /// most 200 characters).
    case readyLine(String)
    /// The server's process runs; `alreadyRunning` when it was found while starting up.
    case processStarted(pid: Int32, alreadyRunning: Bool)
    case processExited(pid: Int32)
    /// A line that says what the server did: a resource error, a crash, the shutdown (the ready
    /// line is `readyLine`).
    case serverLine(ServerLine)
    /// The server wrote lines; the last one as read (at most 200 bytes, colours not stripped).
    case output(lastLine: String)
    /// The output starts over: the log was truncated or replaced (a new start writes it).
    case outputRestarted
    /// The server folder's server.toml changed (its password, debug or port, or whether it
    /// can be read).
    case serverToml(ServerToml.Reading)
    /// Worth saying, changes nothing about readiness (waiting for the file, a rotation, ...).
    case report(ReportText)
}

/// What a source contributes to the readiness rule (`ReadinessGate.Configuration`).
public struct SourceRole: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Gives lines that are scanned for the ready pattern (a log file, a journal).
    public static let readyLines = SourceRole(rawValue: 1)
    /// Follows the server's process: its exit stops a pending reconnect (a PID file).
    public static let processLifetime = SourceRole(rawValue: 2)
}

/// A source of server events: the one shape every way of watching the server has, so that the
/// daemon holds a list of them and never names a kind.
///
/// Threading: `start`, `reload` and `stop` are called on the daemon's event queue, and `emit`
/// must be called on it too. What existed before the daemon started (the log written so far, a
/// running process) is emitted before `start` returns: the daemon then tells the gate it has
/// caught up, which turns those ready lines into one "already running".
///
/// Adding a source: a type in this folder that conforms, plus one line in
/// `ServerEventSources.kinds`.
public protocol ServerEventSource: AnyObject {
    /// The source this configuration asks for, or nil when it asks for none of this kind.
    static func make(for configuration: DaemonConfiguration) -> Self?
    var role: SourceRole { get }
    /// For the start-up line: `log /srv/server.log, ready pattern 'Server started'`.
    var summary: String { get }
    /// For "Watching …; waiting for the server to start".
    var watched: String { get }
    /// Arms the source and reads what exists already (see the threading note). Throws when it
    /// cannot watch at all (exit 78); anything it can wait for is reported and waited for.
    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError)
    /// A reload's configuration: applies what the source may change while running (the ready
    /// pattern). What it watches stays until a restart.
    func reload(_ configuration: DaemonConfiguration)
    func stop()
}

/// The registration of every kind of source.
public enum ServerEventSources {
    /// In the order they start and are named (log file, journal, container, PID file, server folder).
    static var kinds: [any ServerEventSource.Type] {
        [LogFileSource.self, JournalSource.self, DockerSource.self, PidFileSource.self, ServerFolderSource.self]
    }

    /// The sources this configuration asks for.
    public static func make(for configuration: DaemonConfiguration) -> [any ServerEventSource] {
        kinds.compactMap { $0.make(for: configuration) }
    }
}
