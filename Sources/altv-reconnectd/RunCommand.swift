import ArgumentParser
import ClientProtocol
import CommandLineSupport
import ConfigFile
import LogWatch
import ReconnectDaemon
import ReconnectPolicy
import Systemd
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
        if logFile != nil && journalUnit != nil {
            throw ValidationError("--log-file and --journal-unit both give ready lines; use one of them")
        }
    }

    func run() throws {
        let environment = processEnvironment()
        let resolved = try configOptions.resolve(commandLine, environment: environment)
        if let problem = resolved.settings.sourceProblem() {
            // Without a configuration file the command line is all there is: a usage error.
            guard let path = resolved.configPath else { throw ValidationError(problem) }
            throw configurationFailure(ConfigurationError("\(path): \(problem)", errno: EINVAL), environment: environment)
        }
        let logger = bootstrapLogging(verbose: resolved.settings.verbose ?? false, environment: environment)
        let notifier = SystemdNotifier(environment: environment)
        let configuration = try resolved.configuration(environment: environment)
        let daemon = Daemon(configuration: configuration, settings: resolved.settings, logger: logger, notifier: notifier) { () throws(ConfigurationError) in
            try reload(environment: environment)
        }
        do {
            try daemon.run()
        } catch {
            throw configurationFailure(error, environment: environment)
        }
    }

    /// SIGHUP: the file again, under the same command line; the daemon keeps the old
    /// configuration when this throws.
    private func reload(environment: [String: String]) throws(ConfigurationError) -> (DaemonConfiguration, Settings) {
        let (file, _) = try configOptions.loadFile(environment: environment)
        let settings = commandLine.overriding(file)
        if let problem = settings.sourceProblem() { throw ConfigurationError(problem, errno: EINVAL) }
        let configuration = try settings.resolve(environment: environment)
        DaemonLogHandler.threshold.set(settings.verbose ?? false ? .debug : .info)
        return (configuration, settings)
    }
}

/// For `@Option(transform:)`: a regular expression that is not empty and cannot match an empty line.
func parseReadinessPattern(_ text: String) throws -> ReadinessPattern {
    do { return try ReadinessPattern(text) } catch { throw ValidationError(error.reason) }
}
