import ArgumentParser
import ReconnectKit
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `altv-reconnectd [run]`: the long-running watch daemon.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch the server's log and reconnect the client on every server start (default command).",
        discussion: "Every option can also be set in the configuration file (key = the option's name without dashes); SIGHUP re-reads the file and the password."
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .customLong("log-file"), help: ArgumentHelp("The server's log file (alt:V: --logfile PATH). It may not exist yet.", valueName: "path"))
    var logFile: String?

    @Option(name: .customLong("pid-file"), help: ArgumentHelp("The server's PID file: a new PID is a new start, its exit stops a pending reconnect.", valueName: "path"))
    var pidFile: String?

    @Option(name: .customLong("journal-unit"), help: ArgumentHelp("Scan this systemd unit's journal (a server run as a unit) instead of a log file.", valueName: "unit"))
    var journalUnit: String?

    @Option(name: .customLong("ready-delay"), help: ArgumentHelp("With --pid-file alone: the server counts as ready this long after it starts (default 0).", valueName: "duration"),
            transform: parseDuration)
    var readyDelay: Duration?

    @Option(name: .customLong("ready-port"), help: ArgumentHelp("Also wait until the server accepts TCP connections on this port (alt:V: 7788).", valueName: "port"))
    var readyPort: UInt16?

    @Option(name: .customLong("ready-pattern"), help: ArgumentHelp("Regular expression for the readiness line (default 'Server started').", valueName: "regex"),
            transform: parseReadinessPattern)
    var readyPattern: ReadinessPattern?

    @OptionGroup var clientOptions: ClientOptions

    @OptionGroup var reconnectOptions: ReconnectOptions

    @Option(name: .customLong("settle-delay"), help: ArgumentHelp("Wait this long after the server is ready before contacting the client (default 0).", valueName: "duration"),
            transform: parseDuration)
    var settleDelay: Duration?

    /// What the command line says; the configuration file fills in the rest.
    var commandLine: Settings {
        var settings = Settings()
        settings.logFile = logFile
        settings.pidFile = pidFile
        settings.journalUnit = journalUnit
        settings.readyDelay = readyDelay
        settings.readyPort = readyPort
        settings.readyPattern = readyPattern
        settings.settleDelay = settleDelay
        clientOptions.apply(to: &settings)
        reconnectOptions.apply(to: &settings)
        return settings
    }

    func validate() throws {
        try validateCommandLine(commandLine)
        try validateOneLineSource(logFile: logFile, journalUnit: journalUnit)
    }

    func run() throws {
        let environment = processEnvironment()
        // Without a configuration file the command line is all there is: nothing to watch is a
        // usage error (64). With one, `load` reports it as a configuration error (78).
        if configOptions.path(environment: environment) == nil, let problem = commandLine.sourceProblem() {
            throw ValidationError(problem)
        }
        let configuration: DaemonConfiguration
        let settings: Settings
        do { (configuration, settings) = try load(environment: environment) } catch { throw configurationFailure(error, environment: environment) }
        let logger = bootstrapLogging(verbose: settings.verbose ?? false, environment: environment)
        let daemon = Daemon(configuration: configuration, settings: settings, logger: logger, notifier: SystemdNotifier(environment: environment)) {
            () throws(ConfigurationError) in
            let reloaded = try load(environment: environment)
            DaemonLogHandler.threshold.set(reloaded.1.verbose ?? false ? .debug : .info)
            return reloaded
        }
        do {
            try daemon.run()
        } catch {
            throw configurationFailure(error, environment: environment)
        }
    }

    /// The configuration file under this command line, checked, with the password read: at
    /// start-up and again on SIGHUP (the daemon keeps the old configuration when this throws).
    private func load(environment: [String: String]) throws(ConfigurationError) -> (DaemonConfiguration, Settings) {
        let (file, path) = try configOptions.loadFile(environment: environment)
        let settings = commandLine.overriding(file)
        if let problem = settings.sourceProblem() {
            throw ConfigurationError(path.map { "\($0): \(problem)" } ?? problem, errno: EINVAL)
        }
        return (try settings.resolve(environment: environment), settings)
    }
}

/// For `@Option(transform:)`: a regular expression that is not empty and cannot match an empty line.
func parseReadinessPattern(_ text: String) throws -> ReadinessPattern {
    do { return try ReadinessPattern(text) } catch { throw ValidationError(error.reason) }
}
