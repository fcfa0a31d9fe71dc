import ReconnectPolicy

/// Everything the daemon needs to run, already validated.
public struct DaemonConfiguration: Sendable {
    /// The settings it was made from (the layers merged, defaults not applied): a source or a
    /// setting added later reads its own value here (`settings[\.name]`) without a field below.
    public var settings: Settings
    // What to watch (log-file, journal-unit, pid-file, ...) is read by each source from
    // `settings` (see `ServerEventSource.make(for:)`).
    /// With a PID file alone: the server counts as ready this long after its process starts.
    public var readyDelay: Duration = .zero
    /// Also require the server to accept TCP connections on this port before reconnecting.
    public var readyPort: UInt16?
    public var readyPattern: LinePattern { linePatterns.ready }
    /// The ready line and the other lines the daemon recognises.
    public var linePatterns: ServerLinePatterns
    /// A start with lines but no ready line for this long is reported.
    public var startTimeout: Duration
    public var client: ClientEndpoint
    /// The server password: never logged, never in `STATUS=`, never in argv.
    public var password: Secret?
    /// Where the password came from, for the start-up line (the source, never the value).
    public var passwordSource: PasswordSource.Origin
    public var requestTimeout: Duration
    public var reconnect: ReconnectSettings
    /// `--server-dir`, and what its server.toml said when the configuration was made (the
    /// `ServerFolderSource` reports later changes).
    public var serverFolder: ServerFolder?
    /// `--keep-connected`: the check interval, nil when off.
    public var keepConnected: Duration?
    public var serverToml: ServerToml.Reading?

    /// The client as configured.
    public var debugClient: DebugClient { DebugClient(endpoint: client, requestTimeout: requestTimeout) }

    /// The server's server.toml says debug is not true: no reconnect will be accepted.
    public var serverDebugOff: Bool { serverToml?.values.map { $0.debug != true } ?? false }

    public init(
        settings: Settings = Settings(), readyDelay: Duration = .zero, readyPort: UInt16? = nil, linePatterns: ServerLinePatterns = ServerLinePatterns(),
        startTimeout: Duration = ServerRun.Configuration().startTimeout, client: ClientEndpoint = .default,
        password: Secret? = nil, passwordSource: PasswordSource.Origin = .none,
        requestTimeout: Duration = SettingsTable.shared.requestTimeout.defaultValue!, reconnect: ReconnectSettings = ReconnectSettings(),
        serverFolder: ServerFolder? = nil, serverToml: ServerToml.Reading? = nil
    ) {
        self.serverFolder = serverFolder
        self.serverToml = serverToml
        self.settings = settings
        self.readyDelay = readyDelay
        self.readyPort = readyPort
        self.linePatterns = linePatterns
        self.startTimeout = startTimeout
        self.client = client
        self.password = password
        self.passwordSource = passwordSource
        self.requestTimeout = requestTimeout
        self.reconnect = reconnect
    }
}

/// An error in the daemon's environment rather than its command line (exit 78, EX_CONFIG):
/// an unreadable password file, a log directory that does not exist, …
public struct ConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var errno: Int32
    public init(_ message: String, errno: Int32 = 0) {
        self.message = message
        self.errno = errno
    }
    public var description: String { message }
}
