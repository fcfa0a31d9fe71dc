import ReconnectPolicy
import ArgumentParser
import ReconnectKit
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--config`: every command reads the configuration file, so `status` and `reconnect` talk to
/// the same client, with the same password, as the daemon.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "TOML configuration file (default $XDG_CONFIG_HOME/altv-reconnectd/config.toml when it exists). Command-line options win over it.",
        valueName: "path"))
    var config: String?

    /// The file to read: the named one (which must exist), else the default one when it exists.
    func path(environment: [String: String]) -> String? {
        if let config { return config }
        guard let path = ConfigurationFile.defaultPath(environment: environment), access(path, F_OK) == 0 else { return nil }
        return path
    }

    /// The file's settings, and its path; none without a file. Also used on reload (SIGHUP).
    func loadFile(environment: [String: String]) throws(ConfigurationError) -> (Settings, path: String?) {
        guard let path = path(environment: environment) else { return (Settings(), nil) }
        return (try ConfigurationFile.load(path: path), path)
    }

    /// Loads the file and puts `commandLine` on top of it; exit 78 when the file is unreadable or wrong.
    func resolve(_ commandLine: Settings, environment: [String: String]) throws -> Settings {
        do {
            let (file, _) = try loadFile(environment: environment)
            return commandLine.overriding(file)
        } catch {
            throw configurationFailure(error, environment: environment)
        }
    }
}

/// Options every command that talks to the client shares.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("client"), help: ArgumentHelp("The client's debug API (default http://127.0.0.1:9223).", valueName: "url"),
            transform: parseClientEndpoint)
    var client: ClientEndpoint?

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Time allowed for one HTTP request (default 2s).", valueName: "duration"),
            transform: parseDuration)
    var requestTimeout: Duration?

    @Flag(name: .long, inversion: .prefixedNo, help: "Log every request and decision (debug level).")
    var verbose: Bool?

    func apply(to settings: inout Settings) {
        settings.client = client
        settings.requestTimeout = requestTimeout
        settings.verbose = verbose
    }
}

/// Options of the commands that send a reconnect (`run`, `reconnect`).
struct ReconnectOptions: ParsableArguments {
    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the server password (default: the systemd credential 'password', else none).", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Status polling while waiting for the client (default 250ms).", valueName: "duration"),
            transform: parseDuration)
    var pollInterval: Duration?

    @Option(name: .customLong("verify-timeout"), help: ArgumentHelp("After the reconnect, how long the client has to reach IN_GAME (default 60s).", valueName: "duration"),
            transform: parseDuration)
    var verifyTimeout: Duration?

    func apply(to settings: inout Settings) {
        settings.passwordFile = passwordFile
        settings.pollInterval = pollInterval
        settings.verifyTimeout = verifyTimeout
    }
}

/// Command-line settings out of range: the same rules as the configuration file, as usage errors.
func validateCommandLine(_ settings: Settings) throws {
    if let problem = settings.problems().first { throw ValidationError("--\(problem.key) \(problem.message)") }
}

/// `--log-file` and `--journal-unit` both give ready lines: a usage error when both are given.
func validateOneLineSource(logFile: String?, journalUnit: String?) throws {
    if logFile != nil && journalUnit != nil {
        throw ValidationError("--log-file and --journal-unit both give ready lines; use one of them")
    }
}

/// A configuration error as one line on stderr and `STATUS=`/`ERRNO=` for systemd: exit 78.
func configurationFailure(_ error: ConfigurationError, environment: [String: String]) -> ExitCode {
    printError("altv-reconnectd: \(error.message)")
    SystemdNotifier(environment: environment).failed(errno: error.errno, status: "Configuration error: \(error.message)")
    return ExitCode(ExitStatus.configuration)
}

/// Logs go to stderr: structured entries when stderr is the journal, plain lines otherwise.
func bootstrapLogging(verbose: Bool, environment: [String: String]) -> Logger {
    let format = JournalStream.logFormat(environment: environment)
    DaemonLogHandler.threshold.set(verbose ? .debug : .info)
    LoggingSystem.bootstrap { _ in DaemonLogHandler(format: format) }
    return Logger(label: "altv-reconnectd")
}

/// For `@Option(transform:)`: `http://HOST:PORT`.
func parseClientEndpoint(_ text: String) throws -> ClientEndpoint {
    do { return try ClientEndpoint(parsing: text) } catch { throw ValidationError(error.reason + " (example: http://127.0.0.1:9223)") }
}
