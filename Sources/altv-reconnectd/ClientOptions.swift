import ArgumentParser
import ClientProtocol
import CommandLineSupport
import Logging
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
