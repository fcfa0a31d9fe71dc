import ReconnectPolicy

/// Every setting, declared once. The command line (`SettingOptions`), the configuration file
/// (`ConfigurationFile`), the starter configuration (`StarterConfig`), validation (each setting's
/// `check`, applied by the first two where the value is read) and the reload diff (`Settings`)
/// are all driven by this table; the order here is the order of `--help` and
/// of the starter configuration.
///
/// Adding a setting: one `let` here, then its use (usually in `Settings.resolve`, where the
/// daemon's configuration is built). Its type must be a `SettingValue` (paths, durations, ports,
/// flags, patterns, URLs already are).
public struct SettingsTable: Sendable {
    // What to watch: the settings that take a restart (`reload: .takesRestart`) are exactly
    // these, and `Settings.sourceProblem` names them in this order.
    public let serverDirectory = Setting<String>(
        "server-dir", valueName: "path", commands: [.run, .install], reload: .takesRestart, example: "/home/me/altv-server",
        help: "The alt:V server's folder: its server.log is followed (unless log-file or journal-unit is given) and its server.toml read for password, debug and port",
        check: notEmpty("a path"))
    public let logFile = Setting<String>(
        "log-file", valueName: "path", commands: [.run, .install], reload: .takesRestart, example: "/home/me/altv-server/server.log",
        help: "The server's log file (alt:V: --logfile PATH). It may not exist yet", check: notEmpty("a path"))
    public let pidFile = Setting<String>(
        "pid-file", valueName: "path", commands: [.run, .install], reload: .takesRestart, example: "/home/me/altv-server/server.pid",
        help: "The server's PID file: a new PID is a new start, its exit stops a pending reconnect", check: notEmpty("a path"))
    public let journalUnit = Setting<String>(
        "journal-unit", valueName: "unit", commands: [.run, .install], reload: .takesRestart, example: "altv-server.service",
        help: "Scan this systemd unit's journal (a server run as a unit) instead of a log file",
        check: notEmpty("a unit name, e.g. altv-server.service"))
    public let dockerContainer = Setting<String>(
        "docker-container", valueName: "name", commands: [.run, .install], reload: .takesRestart, example: "altv-server",
        help: "Follow the server in the Docker (or Podman) container of this name through the engine's socket (DOCKER_HOST, default /var/run/docker.sock)",
        check: { ContainerAPI.nameProblem($0) })

    // When the server is ready.
    public let readyPattern = Setting<LinePattern>(
        "ready-pattern", default: .default, valueName: "regex", commands: .run, help: "Regular expression for the readiness line")
    public let startTimeout = Setting<Duration>(
        "start-timeout", default: ServerRun.Configuration().startTimeout, commands: .run,
        help: "Warn when the server writes lines but no ready line for this long (a stalled start)", range: DurationRange(.seconds(1), .seconds(3600)))
    public let readyDelay = Setting<Duration>(
        "ready-delay", default: .zero, commands: .run,
        help: "With --pid-file alone: the server counts as ready this long after it starts", range: DurationRange(.zero, .seconds(600)))
    public let readyPort = Setting<UInt16>(
        "ready-port", valueName: "port", commands: .run, example: 7788,
        help: "Also wait until the server accepts TCP connections on this port (alt:V: 7788)",
        check: { $0 == 0 ? "must be a port number from 1 to 65535" : nil })
    public let settleDelay = Setting<Duration>(
        "settle-delay", default: ReconnectSettings().settleDelay, commands: .run,
        help: "Wait this long after the server is ready before contacting the client", range: DurationRange(.zero, .seconds(300)))

    // What else the server's lines say (alt:V's wording by default).
    public let resourceErrorPattern = Setting<LinePattern>(
        "resource-error-pattern", default: try! LinePattern(ServerLinePatterns.defaultResourceError), valueName: "regex", commands: .run,
        help: "A resource that failed to load or start (its last group is the resource's name); reported with the start's readiness")
    public let crashPattern = Setting<LinePattern>(
        "crash-pattern", default: try! LinePattern(ServerLinePatterns.defaultCrash), valueName: "regex", commands: .run,
        help: "A crash: reported, and a pending reconnect dropped")
    public let shutdownPattern = Setting<LinePattern>(
        "shutdown-pattern", default: try! LinePattern(ServerLinePatterns.defaultShutdown), valueName: "regex", commands: .run,
        help: "A clean stop: the server counts as stopped")

    // The client.
    public let client = Setting<ClientEndpoint>(
        "client", default: .default, valueName: "url", commands: SettingCommands.clientCommands.union(.install),
        help: "The client's debug API: debug = true in its altv.toml; under WSL2 with NAT networking, the Windows host's address")
    public let requestTimeout = Setting<Duration>(
        "request-timeout", default: .seconds(2), commands: .clientCommands,
        help: "Time allowed for one HTTP request", range: DurationRange(.milliseconds(100), .seconds(60)))
    public let pollInterval = Setting<Duration>(
        "poll-interval", default: ReconnectSettings().pollInterval, commands: [.run, .reconnect],
        help: "Status polling while waiting for the client", range: DurationRange(.milliseconds(10), .seconds(60)))
    public let verifyTimeout = Setting<Duration>(
        "verify-timeout", default: ReconnectSettings().verifyTimeout, commands: [.run, .reconnect],
        help: "After the reconnect, how long the client has to reach IN_GAME", range: DurationRange(.seconds(1), .seconds(1800)))

    // Keeping the client connected.
    public let keepConnected = Setting<Bool>(
        "keep-connected", default: false, valueName: "", commands: .run,
        help: "While the server runs, reconnect a client that dropped from IN_GAME to MAIN_MENU (checks it every keep-connected-interval)")
    public let keepConnectedInterval = Setting<Duration>(
        "keep-connected-interval", default: .seconds(5), commands: .run,
        help: "With keep-connected: how often the client is checked while the server runs", range: DurationRange(.seconds(1), .seconds(600)))

    // The password (the password itself is never a setting).
    public let passwordFile = Setting<String>(
        "password-file", valueName: "path", commands: [.run, .reconnect], example: "/path/to/password",
        help: "File holding the server password (default: the systemd credential 'password', else none)", check: notEmpty("a path"))
    // Logging.
    public let verbose = Setting<Bool>(
        "verbose", default: false, valueName: "", commands: .clientCommands, help: "Log every request and decision (debug level)")

    public static let shared = SettingsTable()

    /// Every setting, in declaration order: read off the stored properties, so that a setting is
    /// listed by being declared.
    public static let all: [any AnySetting] = Mirror(reflecting: shared).children.compactMap { $0.value as? any AnySetting }

    public static func named(_ name: String) -> (any AnySetting)? { all.first { $0.name == name } }
}

private func notEmpty(_ what: String) -> @Sendable (String) -> String? {
    { $0.isEmpty ? "is empty; give \(what)" : nil }
}


