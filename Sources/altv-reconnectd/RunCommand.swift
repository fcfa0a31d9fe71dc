import ArgumentParser
import ClientProtocol
import CommandLineSupport
import LogWatch
import ReconnectDaemon
import ReconnectPolicy
import Systemd

/// `altv-reconnectd [run]`: the long-running watch daemon.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch the server's log and reconnect the client on every server start (default command)."
    )

    @Option(name: .customLong("log-file"), help: ArgumentHelp("The server's log file (alt:V: --logfile PATH). It may not exist yet.", valueName: "path"))
    var logFile: String

    @Option(name: .customLong("ready-pattern"), help: ArgumentHelp("Regular expression for the readiness line (default 'Server started').", valueName: "regex"),
            transform: parseReadinessPattern)
    var readyPattern: ReadinessPattern = .default

    @OptionGroup var clientOptions: ClientOptions

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the server password (default: the systemd credential 'password', else none).", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Status polling while waiting for the client (default 250ms).", valueName: "duration"),
            transform: parsePositiveDuration)
    var pollInterval: Duration = .milliseconds(250)

    @Option(name: .customLong("verify-timeout"), help: ArgumentHelp("After the reconnect, how long the client has to reach IN_GAME (default 60s).", valueName: "duration"),
            transform: parsePositiveDuration)
    var verifyTimeout: Duration = .seconds(60)

    @Option(name: .customLong("settle-delay"), help: ArgumentHelp("Wait this long after the server is ready before contacting the client (default 0).", valueName: "duration"),
            transform: parseDuration)
    var settleDelay: Duration = .zero

    func validate() throws {
        if logFile.isEmpty { throw ValidationError("--log-file is empty; give the path of the server's log file") }
        if pollInterval < .milliseconds(10) { throw ValidationError("--poll-interval must be at least 10ms") }
    }

    func run() throws {
        let environment = processEnvironment()
        let logger = bootstrapLogging(verbose: clientOptions.verbose, environment: environment)
        let notifier = SystemdNotifier(environment: environment)
        do {
            let (password, origin) = try PasswordSource.load(passwordFile: passwordFile, environment: environment)
            var settings = ReconnectSettings(pollInterval: pollInterval, verifyTimeout: verifyTimeout, settleDelay: settleDelay)
            settings.giveUpAfter = nil
            let configuration = DaemonConfiguration(
                logFile: logFile, readyPattern: readyPattern, client: clientOptions.client,
                password: password, passwordSource: origin,
                requestTimeout: clientOptions.requestTimeout, reconnect: settings
            )
            try Daemon(configuration: configuration, logger: logger, notifier: notifier).run()
        } catch {
            printError("altv-reconnectd: \(error.message)")
            notifier.failed(errno: error.errno, status: "Configuration error: \(error.message)")
            throw ExitCode(ExitStatus.configuration)
        }
    }
}

/// For `@Option(transform:)`: a regular expression that is not empty and cannot match an empty line.
func parseReadinessPattern(_ text: String) throws -> ReadinessPattern {
    do { return try ReadinessPattern(text) } catch { throw ValidationError(error.reason) }
}
