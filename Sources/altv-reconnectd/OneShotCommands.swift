import ArgumentParser
import ReconnectKit
import ReconnectPolicy

/// `altv-reconnectd status`: print what the client says, once.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the client's status once (exit 69 if the client cannot be reached)."
    )

    @OptionGroup var configOptions: ConfigOptions

    @OptionGroup var options: SettingOptions<StatusCommandSettings>

    var commandLine: Settings { options.settings }

    func run() throws {
        let client = try configOptions.resolve(commandLine, environment: processEnvironment()).debugClient
        switch client.status() {
        case .success(let status):
            printLine(status.description)
        case .failure(.anotherProgram(let what)):
            printError("altv-reconnectd: another program listens on \(client.endpoint), not the alt:V client (it answered \(what)); check --client (the debug API is on port 9223 unless changed; 9222 is the game's CEF DevTools)")
            throw ExitCode(ExitStatus.unavailable)
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

    @OptionGroup var configOptions: ConfigOptions

    @OptionGroup var options: SettingOptions<ReconnectCommandSettings>

    @Option(name: .customLong("give-up-after"), help: ArgumentHelp("Stop waiting for a reconnectable client after this long (default 60s; 0 tries once).", valueName: "duration"),
            transform: parseDuration)
    var giveUpAfter: Duration = .seconds(60)

    var commandLine: Settings { options.settings }

    func run() throws {
        let environment = processEnvironment()
        let settings = try configOptions.resolve(commandLine, environment: environment)
        let logger = bootstrapLogging(verbose: settings.value(\.verbose)!, environment: environment)
        let configuration: DaemonConfiguration
        do { configuration = try settings.resolve(environment: environment) } catch { throw configurationFailure(error, environment: environment) }
        // A running daemon drives this client: a second reconnect for the same start would race it.
        let claim: ClientClaim
        do {
            switch try ClientClaim.attempt(configuration.client) {
            case .claimed(let claimed):
                claim = claimed
            case .heldBy(let pid):
                printError("altv-reconnectd: another altv-reconnectd\(pid.map { " (PID \($0))" } ?? "") already reconnects \(configuration.client) on every server start; stop it first (systemctl --user stop altv-reconnectd) to reconnect by hand")
                throw ExitCode(ExitStatus.busy)
            }
        } catch let error as SystemError {
            throw configurationFailure(ConfigurationError("cannot claim the client \(configuration.client): \(error)", errno: error.errno), environment: environment)
        }
        defer { claim.release() }
        var reconnect = configuration.reconnect
        reconnect.giveUpAfter = giveUpAfter
        switch OneShotReconnect.run(client: configuration.debugClient, password: configuration.password, settings: reconnect, logger: logger) {
        case .inGame, .alreadyInGame:
            return
        case .gaveUp, .serverStopped:
            throw ExitCode(ExitStatus.unavailable)
        case .failed:
            throw ExitCode(ExitStatus.reconnectFailed)
        }
    }
}
