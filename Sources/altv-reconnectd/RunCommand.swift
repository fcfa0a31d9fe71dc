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
    var logFile: String?

    @Option(name: .customLong("pid-file"), help: ArgumentHelp("The server's PID file: a new PID is a new start, its exit stops a pending reconnect.", valueName: "path"))
    var pidFile: String?

    @Option(name: .customLong("journal-unit"), help: ArgumentHelp("Scan this systemd unit's journal (a server run as a unit) instead of a log file.", valueName: "unit"))
    var journalUnit: String?

    @Option(name: .customLong("ready-delay"), help: ArgumentHelp("With --pid-file alone: the server counts as ready this long after it starts (default 0).", valueName: "duration"),
            transform: parseDuration)
    var readyDelay: Duration = .zero

    @Option(name: .customLong("ready-port"), help: ArgumentHelp("Also wait until the server accepts TCP connections on this port (alt:V: 7788).", valueName: "port"))
    var readyPort: UInt16?

    @Option(name: .customLong("ready-pattern"), help: ArgumentHelp("Regular expression for the readiness line (default 'Server started').", valueName: "regex"),
            transform: parseReadinessPattern)
    var readyPattern: ReadinessPattern = .default

    @OptionGroup var clientOptions: ClientOptions

    @OptionGroup var reconnectOptions: ReconnectOptions

    @Option(name: .customLong("settle-delay"), help: ArgumentHelp("Wait this long after the server is ready before contacting the client (default 0).", valueName: "duration"),
            transform: parseDuration)
    var settleDelay: Duration = .zero

    func validate() throws {
        if logFile == nil && pidFile == nil && journalUnit == nil {
            throw ValidationError("say what to watch: --log-file PATH (the server's log), --journal-unit UNIT and/or --pid-file PATH")
        }
        if logFile != nil && journalUnit != nil {
            throw ValidationError("--log-file and --journal-unit both give ready lines; use one of them")
        }
        if journalUnit?.isEmpty == true { throw ValidationError("--journal-unit is empty; give the server's unit name, e.g. altv-server.service") }
        if logFile?.isEmpty == true { throw ValidationError("--log-file is empty; give the path of the server's log file") }
        if pidFile?.isEmpty == true { throw ValidationError("--pid-file is empty; give the path of the server's PID file") }
        if readyPort == 0 { throw ValidationError("--ready-port must be a port from 1 to 65535") }
    }

    func run() throws {
        let environment = processEnvironment()
        let logger = bootstrapLogging(verbose: clientOptions.verbose, environment: environment)
        let notifier = SystemdNotifier(environment: environment)
        let (password, origin) = try reconnectOptions.loadPassword(environment: environment)
        let settings = ReconnectSettings(
            pollInterval: reconnectOptions.pollInterval, verifyTimeout: reconnectOptions.verifyTimeout, settleDelay: settleDelay
        )
        let configuration = DaemonConfiguration(
            logFile: logFile, pidFile: pidFile, journalUnit: journalUnit, readyDelay: readyDelay, readyPort: readyPort, readyPattern: readyPattern, client: clientOptions.client,
            password: password, passwordSource: origin,
            requestTimeout: clientOptions.requestTimeout, reconnect: settings
        )
        do {
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
