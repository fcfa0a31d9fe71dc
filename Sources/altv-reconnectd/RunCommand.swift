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

    @OptionGroup var options: SettingOptions<RunCommandSettings>

    /// What the command line says; the configuration file fills in the rest.
    var commandLine: Settings { options.settings }

    func validate() throws {
        try validateOneLineSource(commandLine)
    }

    func run() throws {
        let environment = processEnvironment()
        // Without a configuration file the command line is all there is: nothing to watch is a
        // usage error (64). With one, `load` reports it as a configuration error (78).
        if configOptions.path(environment: environment) == nil, let problem = commandLine.sourceProblem() {
            throw ValidationError(problem)
        }
        let configuration: DaemonConfiguration
        do { configuration = try load(environment: environment) } catch { throw configurationFailure(error, environment: environment) }
        let logger = bootstrapLogging(verbose: configuration.settings.value(\.verbose)!, environment: environment)
        let daemon = Daemon(configuration: configuration, logger: logger, notifier: SystemdNotifier(environment: environment)) {
            () throws(ConfigurationError) in
            let reloaded = try load(environment: environment)
            DaemonLogHandler.threshold.set(reloaded.settings.value(\.verbose)! ? .debug : .info)
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
    private func load(environment: [String: String]) throws(ConfigurationError) -> DaemonConfiguration {
        let (file, path) = try configOptions.loadFile(environment: environment)
        let settings = commandLine.overriding(file)
        if let problem = settings.sourceProblem() {
            throw ConfigurationError(path.map { "\($0): \(problem)" } ?? problem, errno: EINVAL)
        }
        return try settings.resolve(environment: environment)
    }
}
