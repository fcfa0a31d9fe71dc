import ArgumentParser
import ClientProtocol
import CommandLineSupport
import Logging
import ReconnectDaemon
import Systemd

/// Options every command that talks to the client shares.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("client"), help: ArgumentHelp("The client's debug API (default http://127.0.0.1:9223).", valueName: "url"),
            transform: parseClientEndpoint)
    var client: ClientEndpoint = .default

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Time allowed for one HTTP request (default 2s).", valueName: "duration"),
            transform: parsePositiveDuration)
    var requestTimeout: Duration = .seconds(2)

    @Flag(name: .long, help: "Log every request and decision (debug level).")
    var verbose = false

    var debugClient: DebugClient { DebugClient(endpoint: client, requestTimeout: requestTimeout) }
}

/// Options of the commands that send a reconnect (`run`, `reconnect`).
struct ReconnectOptions: ParsableArguments {
    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the server password (default: the systemd credential 'password', else none).", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Status polling while waiting for the client (default 250ms).", valueName: "duration"),
            transform: parsePositiveDuration)
    var pollInterval: Duration = .milliseconds(250)

    @Option(name: .customLong("verify-timeout"), help: ArgumentHelp("After the reconnect, how long the client has to reach IN_GAME (default 60s).", valueName: "duration"),
            transform: parsePositiveDuration)
    var verifyTimeout: Duration = .seconds(60)

    func validate() throws {
        if pollInterval < .milliseconds(10) { throw ValidationError("--poll-interval must be at least 10ms") }
    }

    /// The password from `--password-file` or the systemd credential; exit 78 when unreadable.
    func loadPassword(environment: [String: String]) throws -> (Secret?, PasswordSource.Origin) {
        do {
            return try PasswordSource.load(passwordFile: passwordFile, environment: environment)
        } catch {
            printError("altv-reconnectd: \(error.message)")
            SystemdNotifier(environment: environment).failed(errno: error.errno, status: "Configuration error: \(error.message)")
            throw ExitCode(ExitStatus.configuration)
        }
    }
}

/// Logs go to stderr; with `<N>` priority prefixes when stderr is the journal.
func bootstrapLogging(verbose: Bool, environment: [String: String]) -> Logger {
    let format: DaemonLogHandler.Format = JournalStream.isStandardErrorJournal(environment: environment) ? .journal : .plain
    LoggingSystem.bootstrap { _ in DaemonLogHandler(format: format, level: verbose ? .debug : .info) }
    return Logger(label: "altv-reconnectd")
}

/// For `@Option(transform:)`: `http://HOST:PORT`.
func parseClientEndpoint(_ text: String) throws -> ClientEndpoint {
    do { return try ClientEndpoint(parsing: text) } catch { throw ValidationError(error.reason + " (example: http://127.0.0.1:9223)") }
}
