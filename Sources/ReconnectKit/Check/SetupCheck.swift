import ReconnectPolicy

/// One line of `altv-reconnectd check`: a mark, what was found, and for anything wrong the fix.
public struct CheckResult: Sendable, Equatable {
    public enum Mark: String, Sendable {
        case pass = "ok"
        case warn = "warn"
        case fail = "FAIL"
    }

    public var mark: Mark
    public var text: String
    public var fix: String?

    public init(_ mark: Mark, _ text: String, fix: String? = nil) {
        self.mark = mark
        self.text = text
        self.fix = fix
    }

    /// `FAIL  client http://127.0.0.1:9223: not running (connection refused); fix: start GTA V …`
    public var line: String {
        let mark = self.mark.rawValue + String(repeating: " ", count: 6 - self.mark.rawValue.count)
        return SystemdNotifier.singleLine(mark + text + (fix.map { "; fix: \($0)" } ?? ""))
    }
}

/// Walks the setup the daemon would run with (the same options and configuration file) and says,
/// one line per check, what it found: the configuration, what it watches, the ready pattern
/// against the existing log, the client (and that it is the alt:V client), the password, the
/// user service. Never prints the password. Each check is its own function (SetupCheck+*.swift).
public struct SetupCheck {
    /// The settings the daemon would run with (command line over file), whatever loaded.
    public var settings: Settings
    /// The configuration file, and why it did not load.
    public var configPath: String?
    public var configError: ConfigurationError?
    public var environment: [String: String]
    /// `install --user` checks too, but a client that is not running is no failure there.
    public var clientMayBeAbsent = false
    /// `systemctl --user ARGS` with captured output (tests may pass another).
    public var systemctl: ([String]) -> (status: Int32, output: String) = { Subprocess.run(["systemctl", "--user"] + $0, capture: true) }

    public init(settings: Settings, configPath: String?, configError: ConfigurationError?, environment: [String: String]) {
        self.settings = settings
        self.configPath = configPath
        self.configError = configError
        self.environment = environment
    }

    /// The setup as the daemon would load it: `commandLine` over the configuration file at
    /// `configPath` (nil: none). A file that does not load is the first failed check, and the
    /// others run on the command line alone.
    public init(commandLine: Settings, configPath: String?, environment: [String: String]) {
        var settings = commandLine
        var configError: ConfigurationError?
        if let configPath {
            do { settings = commandLine.overriding(try ConfigurationFile.load(path: configPath)) } catch { configError = error }
        }
        self.init(settings: settings, configPath: configPath, configError: configError, environment: environment)
    }

    public func run() -> [CheckResult] {
        var results = [configuration()]
        results += source()
        results += readyPattern()
        results.append(client())
        results += password()
        results.append(service())
        return results
    }

    func configuration() -> CheckResult {
        if let configError { return CheckResult(.fail, "configuration: \(configError.message)") }
        guard let configPath else {
            return CheckResult(.pass, "configuration: no file (command line only; altv-reconnectd install --user writes one)")
        }
        return CheckResult(.pass, "configuration: \(configPath) loads")
    }
}
