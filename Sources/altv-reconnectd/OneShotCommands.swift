import ArgumentParser
import ClientProtocol
import CommandLineSupport
import ReconnectDaemon
import ReconnectPolicy

/// `altv-reconnectd status`: print what the client says, once.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the client's status once (exit 69 if the client cannot be reached)."
    )

    @OptionGroup var clientOptions: ClientOptions

    func run() throws {
        let client = clientOptions.debugClient
        switch client.status() {
        case .success(let status):
            printLine(status.description)
        case .failure(let error):
            printError("altv-reconnectd: client at \(client.endpoint) is unavailable: \(error); is GTA V running with debug = true in altv.toml?")
            throw ExitCode(ExitStatus.unavailable)
        }
    }
}

/// `altv-reconnectd reconnect`: wait for a reconnectable client, POST, follow to IN_GAME.
struct ReconnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect",
        abstract: "Reconnect the client once: wait for MAIN_MENU or IN_GAME, send the reconnect, follow it to IN_GAME."
    )

    @OptionGroup var clientOptions: ClientOptions

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the server password (default: the systemd credential 'password', else none).", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("give-up-after"), help: ArgumentHelp("Stop waiting for a reconnectable client after this long (default 60s; 0 tries once).", valueName: "duration"),
            transform: parseDuration)
    var giveUpAfter: Duration = .seconds(60)

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Status polling while waiting (default 250ms).", valueName: "duration"),
            transform: parsePositiveDuration)
    var pollInterval: Duration = .milliseconds(250)

    @Option(name: .customLong("verify-timeout"), help: ArgumentHelp("After the reconnect, how long the client has to reach IN_GAME (default 60s).", valueName: "duration"),
            transform: parsePositiveDuration)
    var verifyTimeout: Duration = .seconds(60)

    func validate() throws {
        if pollInterval < .milliseconds(10) { throw ValidationError("--poll-interval must be at least 10ms") }
    }

    func run() throws {
        let environment = processEnvironment()
        let logger = bootstrapLogging(verbose: clientOptions.verbose, environment: environment)
        let password: Secret?
        do {
            (password, _) = try PasswordSource.load(passwordFile: passwordFile, environment: environment)
        } catch {
            printError("altv-reconnectd: \(error.message)")
            throw ExitCode(ExitStatus.configuration)
        }
        let settings = ReconnectSettings(pollInterval: pollInterval, verifyTimeout: verifyTimeout, giveUpAfter: giveUpAfter)
        switch OneShotReconnect.run(client: clientOptions.debugClient, password: password, settings: settings, logger: logger) {
        case .inGame, .alreadyInGame:
            return
        case .gaveUp, .serverStopped:
            throw ExitCode(ExitStatus.unavailable)
        case .failed:
            throw ExitCode(ExitStatus.reconnectFailed)
        }
    }
}
