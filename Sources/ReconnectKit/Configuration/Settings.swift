import ReconnectPolicy

/// Every setting a user can give, named as on the command line (`--poll-interval`) and in the
/// configuration file (`poll-interval = "250ms"`): one name per setting, in both places.
public enum SettingKey: String, CaseIterable, Sendable, CustomStringConvertible {
    case logFile = "log-file"
    case pidFile = "pid-file"
    case journalUnit = "journal-unit"
    case readyPattern = "ready-pattern"
    case readyDelay = "ready-delay"
    case readyPort = "ready-port"
    case settleDelay = "settle-delay"
    case client
    case requestTimeout = "request-timeout"
    case pollInterval = "poll-interval"
    case verifyTimeout = "verify-timeout"
    case passwordFile = "password-file"
    case verbose

    public var description: String { rawValue }

    /// The sources of readiness: changing them needs a restart, not a reload.
    public var isSource: Bool { self == .logFile || self == .pidFile || self == .journalUnit }
}

/// A setting with a value out of range, found by `Settings.problems()`.
public struct SettingProblem: Equatable, Sendable {
    public var key: SettingKey
    /// Reads after the setting's name: "must be at least 10ms".
    public var message: String
}

/// One layer of settings — what the command line says, or what the configuration file says.
/// `nil` means "not set here"; `overriding(_:)` stacks the layers and `resolve` applies the
/// defaults, so the command line wins over the file and the file over the built-in defaults.
public struct Settings: Sendable {
    public var logFile: String?
    public var pidFile: String?
    public var journalUnit: String?
    public var readyPattern: ReadinessPattern?
    public var readyDelay: Duration?
    public var readyPort: UInt16?
    public var settleDelay: Duration?
    public var client: ClientEndpoint?
    public var requestTimeout: Duration?
    public var pollInterval: Duration?
    public var verifyTimeout: Duration?
    public var passwordFile: String?
    public var verbose: Bool?

    public init() {}

    /// This layer on top of `base`: each setting from here when set here, else from `base`.
    public func overriding(_ base: Settings) -> Settings {
        var merged = Settings()
        merged.logFile = logFile ?? base.logFile
        merged.pidFile = pidFile ?? base.pidFile
        merged.journalUnit = journalUnit ?? base.journalUnit
        merged.readyPattern = readyPattern ?? base.readyPattern
        merged.readyDelay = readyDelay ?? base.readyDelay
        merged.readyPort = readyPort ?? base.readyPort
        merged.settleDelay = settleDelay ?? base.settleDelay
        merged.client = client ?? base.client
        merged.requestTimeout = requestTimeout ?? base.requestTimeout
        merged.pollInterval = pollInterval ?? base.pollInterval
        merged.verifyTimeout = verifyTimeout ?? base.verifyTimeout
        merged.passwordFile = passwordFile ?? base.passwordFile
        merged.verbose = verbose ?? base.verbose
        return merged
    }

    /// A setting as it may be shown (never a secret: the password is not a setting, only its file).
    public func shownValue(_ key: SettingKey) -> String? {
        switch key {
        case .logFile: logFile
        case .pidFile: pidFile
        case .journalUnit: journalUnit
        case .readyPattern: readyPattern?.source
        case .readyDelay: readyDelay.map(DurationText.format)
        case .readyPort: readyPort.map { "\($0)" }
        case .settleDelay: settleDelay.map(DurationText.format)
        case .client: client?.description
        case .requestTimeout: requestTimeout.map(DurationText.format)
        case .pollInterval: pollInterval.map(DurationText.format)
        case .verifyTimeout: verifyTimeout.map(DurationText.format)
        case .passwordFile: passwordFile
        case .verbose: verbose.map { "\($0)" }
        }
    }

    /// The keys whose values differ between two layers (for the reload line).
    public func changedKeys(from old: Settings) -> [SettingKey] {
        SettingKey.allCases.filter { shownValue($0) != old.shownValue($0) }
    }

    /// Values out of range, whichever layer they come from (the same rules for both).
    public func problems() -> [SettingProblem] {
        var found: [SettingProblem] = []
        for (key, value) in [(SettingKey.logFile, logFile), (.pidFile, pidFile), (.journalUnit, journalUnit), (.passwordFile, passwordFile)] where value?.isEmpty == true {
            found.append(SettingProblem(key: key, message: "is empty; give a \(key == .journalUnit ? "unit name, e.g. altv-server.service" : "path")"))
        }
        for (key, value) in [(SettingKey.requestTimeout, requestTimeout), (.verifyTimeout, verifyTimeout)] where value.map({ $0 <= .zero }) == true {
            found.append(SettingProblem(key: key, message: "must be greater than zero"))
        }
        for (key, value) in [(SettingKey.readyDelay, readyDelay), (.settleDelay, settleDelay)] where value.map({ $0 < .zero }) == true {
            found.append(SettingProblem(key: key, message: "must not be negative"))
        }
        if let pollInterval, pollInterval < .milliseconds(10) {
            found.append(SettingProblem(key: .pollInterval, message: "must be at least 10ms"))
        }
        if readyPort == 0 { found.append(SettingProblem(key: .readyPort, message: "must be a port from 1 to 65535")) }
        return found
    }

    /// What to watch is missing or contradictory (checked on the merged layers).
    public func sourceProblem() -> String? {
        if logFile == nil && pidFile == nil && journalUnit == nil {
            return "say what to watch: log-file (the server's log), journal-unit and/or pid-file, on the command line (--log-file PATH) or in the configuration file"
        }
        if logFile != nil && journalUnit != nil {
            return "log-file and journal-unit both give ready lines; use one of them"
        }
        return nil
    }

    /// The client, defaults applied: all `status` needs (no password read).
    public var debugClient: DebugClient { DebugClient(endpoint: clientEndpoint, requestTimeout: clientRequestTimeout) }
    private var clientEndpoint: ClientEndpoint { client ?? .default }
    private var clientRequestTimeout: Duration { requestTimeout ?? .seconds(2) }

    public var reconnectSettings: ReconnectSettings {
        ReconnectSettings(pollInterval: pollInterval ?? .milliseconds(250), verifyTimeout: verifyTimeout ?? .seconds(60), settleDelay: settleDelay ?? .zero)
    }

    /// The daemon's configuration: defaults applied, the password read (`password-file`, else
    /// the systemd credential). Call `sourceProblem()` first.
    public func resolve(environment: [String: String]) throws(ConfigurationError) -> DaemonConfiguration {
        let (password, origin) = try PasswordSource.load(passwordFile: passwordFile, environment: environment)
        return DaemonConfiguration(
            logFile: logFile, pidFile: pidFile, journalUnit: journalUnit, readyDelay: readyDelay ?? .zero, readyPort: readyPort,
            readyPattern: readyPattern ?? .default, client: clientEndpoint, password: password, passwordSource: origin,
            requestTimeout: clientRequestTimeout, reconnect: reconnectSettings
        )
    }
}
